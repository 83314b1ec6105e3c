package amocrm

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/dayreport/dayreport/pkg/crm"
)

// content is a record as the element should hold it: its name and the value
// of every mapped field that has one (json.Number for a metric, a string for
// a text field). A mapped field missing from values is empty.
type content struct {
	name   string
	values map[int]any
}

// encode returns what rec becomes in the list.
func (a *Adapter) encode(rec crm.Record) (content, error) {
	if strings.TrimSpace(rec.Key) == "" {
		return content{}, crm.PermanentError(fmt.Errorf("amocrm: record of %s on %s has no key", rec.Employee, rec.Date))
	}
	c := content{name: rec.Key, values: map[int]any{}}
	for _, m := range a.fields.metrics {
		v, ok := rec.Metrics[m.key]
		if !ok {
			continue
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return content{}, crm.PermanentError(fmt.Errorf("amocrm: %s: metric %s is %v, which amoCRM cannot store", rec.Key, m.key, v))
		}
		c.values[m.id] = json.Number(strconv.FormatFloat(v, 'f', -1, 64))
	}
	texts := map[string]string{
		FieldStatus:    string(rec.Status),
		FieldNotes:     rec.Notes,
		FieldLongTerm:  rec.LongTerm,
		FieldSourceURL: rec.SourceURL,
		FieldEmployee:  rec.EmployeeName,
		FieldFlags:     flagLines(rec.Flags),
		FieldErrors:    strings.Join(rec.Errors, "\n"),
	}
	for k, id := range a.fields.text {
		if s := texts[k]; s != "" {
			c.values[id] = s
		}
	}
	return c, nil
}

// flagLines is one "code metric: message" line per flag.
func flagLines(flags []crm.Flag) string {
	lines := make([]string, 0, len(flags))
	for _, f := range flags {
		head := f.Code
		if f.Metric != "" {
			head += " " + f.Metric
		}
		lines = append(lines, head+": "+f.Message)
	}
	return strings.Join(lines, "\n")
}

// fieldIDs returns every mapped field id, sorted.
func (a *Adapter) fieldIDs() []int {
	ids := make([]int, 0, len(a.fields.metrics)+len(a.fields.text))
	for _, m := range a.fields.metrics {
		ids = append(ids, m.id)
	}
	for _, id := range a.fields.text {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// createElement is c as a POST element: only the fields with a value.
func (a *Adapter) createElement(c content, requestID string) element {
	el := element{Name: c.name, RequestID: requestID}
	for _, id := range a.fieldIDs() {
		if v, ok := c.values[id]; ok {
			el.CustomFieldsValues = append(el.CustomFieldsValues, fieldValues{FieldID: id, Values: []fieldValue{{Value: v}}})
		}
	}
	return el
}

// updateElement is c as a PATCH element: every mapped field, the empty ones
// as null so that amoCRM clears them.
func (a *Adapter) updateElement(id int64, c content, requestID string) element {
	el := element{ID: id, Name: c.name, RequestID: requestID}
	for _, fid := range a.fieldIDs() {
		fv := fieldValues{FieldID: fid}
		if v, ok := c.values[fid]; ok {
			fv.Values = []fieldValue{{Value: v}}
		}
		el.CustomFieldsValues = append(el.CustomFieldsValues, fv)
	}
	return el
}

// holds reports whether the element found already holds c in every mapped
// field, so that writing c would change nothing. Anything it cannot read
// counts as a difference.
func (a *Adapter) holds(found elementOut, c content) bool {
	if found.Name != c.name {
		return false
	}
	got := map[int]json.RawMessage{}
	for _, f := range found.CustomFieldsValues {
		switch len(f.Values) {
		case 0:
		case 1:
			got[int(f.FieldID)] = f.Values[0].Value
		default:
			got[int(f.FieldID)] = nil // several values: never what we write
		}
	}
	for _, id := range a.fieldIDs() {
		want, has := c.values[id]
		raw, present := got[id]
		if present && raw == nil {
			return false
		}
		if !has {
			if present {
				if s, ok := text(raw); !ok || s != "" {
					return false
				}
			}
			continue
		}
		if !present {
			return false
		}
		switch w := want.(type) {
		case json.Number:
			wf, _ := w.Float64()
			if gf, ok := number(raw); !ok || gf != wf {
				return false
			}
		case string:
			if gs, ok := text(raw); !ok || gs != w {
				return false
			}
		default:
			return false
		}
	}
	return true
}
