package plan

import (
	"encoding/json"
	"slices"

	"github.com/dayreport/dayreport/pkg/report"
)

// Review is the month review for bonuses (SPEC §8): per employee, the days
// by status, the totals of every metric, the verification flags by code,
// the plan figures when there is a plan, and the free text by date.
type Review struct {
	Month string `json:"month"`
	// Date is the day the plan figures run to: the month's last day, or
	// today within the month.
	Date      string           `json:"date"`
	Employees []EmployeeReview `json:"employees"`

	// tallies, when set, make the employees' reviews as they are read
	// (Stream.Review): Employees is nil then.
	tallies *tallies
}

// Len is the number of employees reviewed.
func (rv *Review) Len() int {
	if rv.tallies != nil {
		return len(rv.tallies.of)
	}
	return len(rv.Employees)
}

// Employee is the review of the i-th employee. A review a Stream made
// makes it anew at each call: a reader that goes through the employees
// holds one of them at a time.
func (rv *Review) Employee(i int) EmployeeReview {
	if rv.tallies != nil {
		return rv.tallies.employee(i)
	}
	return rv.Employees[i]
}

// PlanOrder is the i-th employee's EmployeeReview.PlanOrder, without the
// rest of the review made.
func (rv *Review) PlanOrder(i int) []string {
	if t := rv.tallies; t != nil {
		_, order := planFigures(t.res, i)
		return order
	}
	return rv.Employees[i].PlanOrder
}

// Whole makes every employee's review into Employees, once, and returns
// rv: for a reader of Employees.
func (rv *Review) Whole() *Review {
	if t := rv.tallies; t != nil {
		rv.Employees = make([]EmployeeReview, len(t.of))
		for i := range rv.Employees {
			rv.Employees[i] = t.employee(i)
		}
		rv.tallies = nil
	}
	return rv
}

// MarshalJSON encodes the review whole, however it was made (a value
// receiver: a Review encoded by value is whole too).
func (rv Review) MarshalJSON() ([]byte, error) {
	type whole Review // without this method
	return json.Marshal((*whole)(rv.Whole()))
}

// EmployeeReview is one employee's month.
type EmployeeReview struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Days counts the stored days by status ("submitted", "late", …).
	Days map[report.Status]int `json:"days"`
	// Totals add up every metric over the submitted and late days.
	Totals map[string]float64 `json:"totals"`
	// Flags count the verification flags by code.
	Flags map[string]int `json:"flags"`
	// Plan holds the planned metrics' figures; absent without a plan.
	Plan map[string]Figures `json:"plan,omitempty"`
	// PlanOrder lists the keys of Plan in display order.
	PlanOrder []string `json:"-"`
	// Notes are the days with free text, by date.
	Notes []Note `json:"notes"`
}

// Note is one day's free text.
type Note struct {
	Date     string `json:"date"`
	Notes    string `json:"notes,omitempty"`
	LongTerm string `json:"long_term,omitempty"`
}

// ReviewOf builds the month review of in, with res its план-факт
// (Compute(in)).
func ReviewOf(in Input, res *Result) *Review {
	rv := newReview(in)
	for i, e := range in.Employees {
		er := newEmployeeReview(e)
		ds := slices.Clone(e.Days)
		slices.SortFunc(ds, func(a, b Day) int { return a.Date.Compare(b.Date) })
		for _, d := range ds {
			if !in.Month.Contains(d.Date) {
				continue
			}
			er.Days[d.Status]++
			for _, f := range d.Flags {
				er.Flags[f]++
			}
			if !Counts(d.Status) {
				continue
			}
			for k, v := range d.Metrics {
				er.Totals[k] += v
			}
			if d.Notes != "" || d.LongTerm != "" {
				er.Notes = append(er.Notes, Note{Date: d.Date.String(), Notes: d.Notes, LongTerm: d.LongTerm})
			}
		}
		er.planOf(res, i)
		rv.Employees = append(rv.Employees, er)
	}
	return rv
}

func newReview(in Input) *Review {
	rv := &Review{Month: in.Month.String(), Date: in.asOf().String(), Employees: []EmployeeReview{}}
	if in.Date.Before(in.Month.First()) {
		rv.Date = in.Date.String()
	}
	return rv
}

func newEmployeeReview(e Employee) EmployeeReview {
	return EmployeeReview{ID: e.ID, Name: e.Name, Days: map[report.Status]int{}, Totals: map[string]float64{},
		Flags: map[string]int{}, Notes: []Note{}}
}

// planOf gives the review the plan figures of the i-th employee of res.
func (er *EmployeeReview) planOf(res *Result, i int) {
	er.Plan, er.PlanOrder = planFigures(res, i)
}

// planFigures are the plan figures of the i-th employee of res and their
// order; none without a plan.
func planFigures(res *Result, i int) (map[string]Figures, []string) {
	if res != nil && i < len(res.Employees) && len(res.Employees[i].Metrics) > 0 {
		return res.Employees[i].Metrics, res.Employees[i].Order
	}
	return nil, nil
}
