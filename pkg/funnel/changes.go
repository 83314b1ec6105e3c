package funnel

import (
	"math"
	"slices"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/stats"
)

// MaxBeforeDays is the most working days the window before a change holds.
const MaxBeforeDays = 20

// DaysNeededLimit is the most working days ahead a projection looks: a
// difference that needs longer than about a year is "not to be told".
const DaysNeededLimit = 250

// ChangeSpec is a process change at one stage (the change log).
type ChangeSpec struct {
	Date  day.Date
	Stage string
	Note  string
	// Employees the change applies to; empty: the team.
	Employees []string
}

// Side is one window of a change's comparison: the working days it spans
// and the counts of the transition's two stages over its submitted and
// late days.
type Side struct {
	Days       int      `json:"days"`
	FromCount  int      `json:"from_count"`
	ToCount    int      `json:"to_count"`
	Conversion *float64 `json:"conversion"`
	// First and Last bound the window (zero when it has no day).
	First day.Date `json:"-"`
	Last  day.Date `json:"-"`
}

// ChangeResult is how one change moved its transition (the JSON of
// `changes`).
type ChangeResult struct {
	Date      string   `json:"date"`
	Stage     string   `json:"stage"`
	From      string   `json:"from"`
	Note      string   `json:"note"`
	Employees []string `json:"employees,omitempty"`
	Before    Side     `json:"before"`
	After     Side     `json:"after"`
	// Delta is after's conversion minus before's, in fractions; nil when
	// either is unknown.
	Delta *float64 `json:"delta"`
	// PValue is the two-sided p-value of the difference; nil when there is
	// nothing to test (no day after yet, no base on a side, or more of the
	// later stage than of the earlier one, which is no proportion).
	PValue      *float64 `json:"p_value"`
	Significant bool     `json:"significant"`
	// DaysNeeded is, while the change is not significant, about how many
	// more working days at the current pace would tell; nil when significant
	// or when no number of days would (equal conversions, too small a
	// difference, nothing to project from).
	DaysNeeded *int `json:"days_needed"`

	// StageLabel and FromLabel name the transition for people; Test is the
	// test behind the p-value.
	StageLabel string       `json:"-"`
	FromLabel  string       `json:"-"`
	Test       stats.Method `json:"-"`
	Day        day.Date     `json:"-"`
}

// Workdays is what the change windows need of the calendar.
type Workdays interface {
	Workdays(from, to day.Date) []day.Date
	LastWorkdays(d day.Date, n int) []day.Date
}

// ChangeWindows are the two windows of a change.
type ChangeWindows struct {
	// After runs from the change date to the newest stored day; Before is
	// the same number of working days just before the change (at most
	// MaxBeforeDays, never before the previous change of the same stage).
	// With no working day after yet, Before is the last MaxBeforeDays
	// working days: the baseline the change will be measured against.
	Before, After Span
	// BeforeMax is how many working days Before may grow to as After grows.
	BeforeMax int
}

// Span is a window: its first and last dates and its working days.
type Span struct {
	First, Last day.Date
	Days        int
}

// Windows finds the windows of the change on date, given the previous
// change of the same stage (zero: none) and the newest stored day.
func Windows(cal Workdays, date, prev, last day.Date) ChangeWindows {
	var w ChangeWindows
	if !last.Before(date) {
		if days := cal.Workdays(date, last); len(days) > 0 {
			w.After = Span{First: date, Last: last, Days: len(days)}
		}
	}
	avail := cal.LastWorkdays(date, MaxBeforeDays)
	if !prev.IsZero() {
		avail = slices.DeleteFunc(avail, func(d day.Date) bool { return d.Before(prev) })
	}
	w.BeforeMax = len(avail)
	n := len(avail)
	if w.After.Days > 0 {
		n = min(n, w.After.Days)
	}
	if n > 0 {
		w.Before = Span{First: avail[len(avail)-n], Last: date.AddDays(-1), Days: n}
	}
	return w
}

// Follow compares the transition into c.Stage over the two windows, from
// the metric sums of each (submitted and late days of the change's
// employees). ok is false when the stage is not a funnel stage a
// transition leads to.
func Follow(t *report.Template, c ChangeSpec, w ChangeWindows, before, after map[string]float64, lang string) (ChangeResult, bool) {
	i := slices.IndexFunc(t.Funnel, func(s report.Stage) bool { return s.Key == c.Stage })
	if i < 1 {
		return ChangeResult{}, false
	}
	from, to := t.Funnel[i-1], t.Funnel[i]
	r := ChangeResult{Date: c.Date.String(), Day: c.Date, Stage: to.Key, From: from.Key, Note: c.Note, Employees: c.Employees,
		StageLabel: to.DisplayLabel(lang), FromLabel: from.DisplayLabel(lang)}
	side := func(s Span, sums map[string]float64) Side {
		out := Side{Days: s.Days, First: s.First, Last: s.Last}
		if s.Days == 0 {
			return out
		}
		out.FromCount, out.ToCount = stageCount(from, sums), stageCount(to, sums)
		out.Conversion = ratio(float64(out.ToCount), float64(out.FromCount))
		return out
	}
	r.Before, r.After = side(w.Before, before), side(w.After, after)
	if r.Before.Conversion != nil && r.After.Conversion != nil {
		d := round(float64(r.After.ToCount)/float64(r.After.FromCount)-float64(r.Before.ToCount)/float64(r.Before.FromCount), 4)
		r.Delta = &d
	}
	if r.Before.Days == 0 || r.After.Days == 0 {
		return r, true
	}
	res, ok := stats.Compare(r.Before.ToCount, r.Before.FromCount, r.After.ToCount, r.After.FromCount)
	if !ok {
		return r, true
	}
	p := round(res.PValue, 4)
	r.PValue, r.Significant, r.Test = &p, res.Significant(), res.Method
	if !r.Significant {
		k, ok := stats.DaysNeeded(
			stats.Pace{Days: r.Before.Days, From: float64(r.Before.FromCount), To: float64(r.Before.ToCount)},
			stats.Pace{Days: r.After.Days, From: float64(r.After.FromCount), To: float64(r.After.ToCount)},
			w.BeforeMax, DaysNeededLimit)
		if ok {
			r.DaysNeeded = &k
		}
	}
	return r, true
}

// stageCount is a stage's count from metric sums; counts are whole.
func stageCount(s report.Stage, sums map[string]float64) int {
	var n float64
	for _, m := range s.Metrics {
		n += sums[m]
	}
	return int(math.Round(n))
}

// PreviousOfStage is, for each change, the date of the latest earlier
// change of the same stage (zero for none), whatever the order given.
func PreviousOfStage(changes []ChangeSpec) []day.Date {
	out := make([]day.Date, len(changes))
	for i, c := range changes {
		for _, o := range changes {
			if o.Stage == c.Stage && o.Date.Before(c.Date) && o.Date.After(out[i]) {
				out[i] = o.Date
			}
		}
	}
	return out
}

// Direction is how a change moved its conversion: +1 up, -1 down, 0 no
// change or unknown.
func (r ChangeResult) Direction() int {
	switch {
	case r.Delta == nil || *r.Delta == 0:
		return 0
	case *r.Delta > 0:
		return 1
	}
	return -1
}

// Ratio is n/d, nil when d is 0 (a conversion; exact: each medium rounds).
func Ratio(n, d float64) *float64 { return ratio(n, d) }
