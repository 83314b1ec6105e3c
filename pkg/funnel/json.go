package funnel

import "encoding/json"

// The funnel's conversions are exact fractions in memory; each medium rounds
// them once for its reader: the text to a tenth of a percent, the workbook
// and the Google Sheet by their number format, and the JSON to 4 decimals
// here. (Rounded once in the computation and again for print, 4/21 showed
// as 19,1 % instead of 19,0 %.)

const jsonPlaces = 4

func roundPtr(x *float64) *float64 {
	if x == nil {
		return nil
	}
	r := round(*x, jsonPlaces)
	return &r
}

// MarshalJSON writes the stage with its conversion to 4 decimals.
func (s Stage) MarshalJSON() ([]byte, error) {
	type plain Stage
	p := plain(s)
	p.Conversion = roundPtr(s.Conversion)
	return json.Marshal(p)
}

// MarshalJSON writes the transition with its conversion to 4 decimals.
func (t Transition) MarshalJSON() ([]byte, error) {
	type plain Transition
	p := plain(t)
	p.Conversion = round(t.Conversion, jsonPlaces)
	return json.Marshal(p)
}

// MarshalJSON writes the gap's fractions to 4 decimals, with the fields of
// its transition beside them (as the embedded struct is encoded).
func (g Gap) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		From       string  `json:"from"`
		To         string  `json:"to"`
		FromLabel  string  `json:"from_label"`
		ToLabel    string  `json:"to_label"`
		Conversion float64 `json:"conversion"`
		Team       float64 `json:"team"`
		Gap        float64 `json:"gap"`
	}{g.From, g.To, g.FromLabel, g.ToLabel, round(g.Conversion, jsonPlaces), round(g.Team, jsonPlaces), round(g.Gap, jsonPlaces)})
}

// MarshalJSON writes the change's fractions to 4 decimals.
func (c Change) MarshalJSON() ([]byte, error) {
	type plain Change
	p := plain(c)
	p.Conversion, p.Previous, p.Delta = roundPtr(c.Conversion), roundPtr(c.Previous), roundPtr(c.Delta)
	return json.Marshal(p)
}

// MarshalJSON writes a change window's conversion to 4 decimals.
func (s Side) MarshalJSON() ([]byte, error) {
	type plain Side
	p := plain(s)
	p.Conversion = roundPtr(s.Conversion)
	return json.Marshal(p)
}
