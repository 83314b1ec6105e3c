package config

import (
	"fmt"
	"os"
	"regexp"
	"slices"

	"github.com/dayreport/dayreport/pkg/report"
)

// Plans are the month's plan per employee (SPEC §8, план-факт): a number per
// metric key of the template, for a whole calendar month.
//
//	plans:
//	  default: {new_calls: 400, contracts_signed: 8}       # everyone, every month
//	  employees: {ivanov: {contracts_signed: 10}}           # one employee, every month
//	  months:
//	    "2026-12": {default: {contracts_signed: 6}}         # one month: overrides the above
//
// For an employee and a month, a metric's plan is the first of: the month's
// employees entry, the month's default, the employee's entry, the default.
// A month in months overrides the general plans for everyone, so a short
// December is one line. A plan of 0 takes the metric out of the employee's
// plan (a senior's new calls under a team default). With roster: sheet the manager's sheet may hold a
// План tab too; its rows override these.
type Plans struct {
	Default   MetricPlan            `yaml:"default,omitempty"`
	Employees map[string]MetricPlan `yaml:"employees,omitempty"`
	Months    map[string]MonthPlans `yaml:"months,omitempty"`
}

// MonthPlans are the plans of one month ("2026-12").
type MonthPlans struct {
	Default   MetricPlan            `yaml:"default,omitempty"`
	Employees map[string]MetricPlan `yaml:"employees,omitempty"`
}

// MetricPlan is a month's plan by metric key.
type MetricPlan map[string]float64

// IsZero reports whether no plan is configured at all.
func (p Plans) IsZero() bool {
	return len(p.Default) == 0 && len(p.Employees) == 0 && len(p.Months) == 0
}

// For returns the plan of employee id for month ("YYYY-MM"), by metric key;
// empty when nothing is planned.
func (p Plans) For(month, id string) MetricPlan {
	out := MetricPlan{}
	layers := []MetricPlan{p.Default, p.Employees[id]}
	if m, ok := p.Months[month]; ok {
		layers = append(layers, m.Default, m.Employees[id])
	}
	for _, l := range layers {
		for k, v := range l {
			out[k] = v
		}
	}
	return out
}

// Own reports whether employee id has a plan of their own for month (an
// entry of the employee's, for every month or that one): else For gives
// them the team's plan, For(month, "").
func (p Plans) Own(month, id string) bool {
	if len(p.Employees[id]) > 0 {
		return true
	}
	m, ok := p.Months[month]
	return ok && len(m.Employees[id]) > 0
}

var monthKeyRE = regexp.MustCompile(`^(\d{4})-(0[1-9]|1[0-2])$`)

// ValidMonth reports whether s is a month key, YYYY-MM.
func ValidMonth(s string) bool { return monthKeyRE.MatchString(s) }

// PlanMetrics returns the metric keys a plan may name: the count and rating
// metrics of the template ref (a built-in name or a file). ok is false when
// the template cannot be read here (a file CheckFiles reports).
func PlanMetrics(ref string) (keys []string, ok bool) {
	var (
		t   *report.Template
		err error
	)
	if IsTemplatePath(ref) {
		data, rerr := os.ReadFile(ref)
		if rerr != nil {
			return nil, false
		}
		t, err = report.ParseTemplate(data)
	} else {
		t, err = report.Builtin(ref)
	}
	if err != nil {
		return nil, false
	}
	for _, m := range t.Metrics {
		if m.Type == report.Count || m.Type == report.Rating {
			keys = append(keys, m.Key)
		}
	}
	return keys, true
}

// ValidatePlanValue checks one planned number of metric key: a known metric
// (when known is not nil) and not negative. It returns "" when fine.
func ValidatePlanValue(key string, x float64, known []string) string {
	if known != nil && !slices.Contains(known, key) {
		msg := fmt.Sprintf("unknown metric %s (want %s)", quoteShort(key), orList(known))
		if s := suggest(key, known); s != "" {
			msg = fmt.Sprintf("unknown metric %s (did you mean %q?)", quoteShort(key), s)
		}
		return msg
	}
	if x < 0 {
		return "a plan must not be negative"
	}
	return ""
}

// plans checks the plans: known metrics, no negative number, months as
// YYYY-MM, and (with roster: config) employees of the roster.
func (v *checker) plans(c *Config) {
	if c.Plans.IsZero() {
		return
	}
	known, ok := PlanMetrics(c.Template)
	if !ok {
		known = nil
	}
	ids := map[string]bool{}
	for _, e := range c.Employees {
		ids[e.ID] = true
	}
	metrics := func(path string, p MetricPlan) {
		for _, k := range sortedKeys(p) {
			if msg := ValidatePlanValue(k, p[k], known); msg != "" {
				v.add(path+"."+k, "%s", msg)
			}
		}
	}
	employees := func(path string, m map[string]MetricPlan) {
		for _, id := range sortedKeys(m) {
			if c.Roster == RosterConfig && !ids[id] {
				v.add(path+"."+id, "no employee %s in employees", quoteShort(id))
				continue
			}
			metrics(path+"."+id, m[id])
		}
	}
	metrics("plans.default", c.Plans.Default)
	employees("plans.employees", c.Plans.Employees)
	for _, month := range sortedKeys(c.Plans.Months) {
		path := "plans.months." + month
		if !ValidMonth(month) {
			v.add(path, "%s is not a month (want YYYY-MM, e.g. 2026-12)", quoteShort(month))
			continue
		}
		metrics(path+".default", c.Plans.Months[month].Default)
		employees(path+".employees", c.Plans.Months[month].Employees)
	}
}
