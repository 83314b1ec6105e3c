package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dayreport/dayreport/pkg/day"
)

// Change is a process change the manager made at one stage of the funnel,
// to be followed through its conversion (the `changes:` list, or the
// Изменения tab of the manager spreadsheet).
type Change struct {
	Date day.Date `yaml:"date"`
	// Stage is the funnel stage the changed transition leads to
	// (contracts_signed: invoices → signed).
	Stage string `yaml:"stage"`
	Note  string `yaml:"note,omitempty"`
	// Employees the change applies to; empty: the whole team.
	Employees []string `yaml:"employees,omitempty"`
}

// ValidateChange checks one change without the template: its date, that a
// stage is named, and, when ids is not nil, that every employee is known.
// Paths in the problems are the change's own keys ("date", "employees[1]").
func ValidateChange(c Change, ids map[string]bool) []Problem {
	var ps []Problem
	add := func(path, format string, args ...any) {
		ps = append(ps, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if c.Date.IsZero() {
		add("date", "required (the first day the change applies, YYYY-MM-DD)")
	}
	if strings.TrimSpace(c.Stage) == "" {
		add("stage", "required (the funnel stage the changed transition leads to, e.g. contracts_signed)")
	}
	seen := map[string]int{}
	for i, id := range c.Employees {
		path := fmt.Sprintf("employees[%d]", i)
		if j, dup := seen[id]; dup {
			add(path, "%s is listed twice (also employees[%d])", quoteShort(id), j)
			continue
		}
		seen[id] = i
		if ids != nil && !ids[id] {
			msg := fmt.Sprintf("no employee %s", quoteShort(id))
			if s := suggest(id, slices.Sorted(maps.Keys(ids))); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			add(path, "%s", msg)
		}
	}
	return ps
}

// changes checks the `changes:` list; stages are checked against the
// template by CheckChangeStages, once the template is loaded.
func (v *checker) changes(c *Config) {
	var ids map[string]bool
	if c.Roster == RosterConfig {
		ids = map[string]bool{}
		for _, e := range c.Employees {
			ids[e.ID] = true
		}
	}
	for i, ch := range c.Changes {
		prefix := fmt.Sprintf("changes[%d]", i)
		for _, p := range ValidateChange(ch, ids) {
			v.add(prefix+"."+p.Path, "%s", p.Message)
		}
	}
}

// StageError says why a change's stage is not a transition of the funnel,
// or "" when it is one. stages are the funnel's stage keys in order: the
// first has no transition leading to it.
func StageError(stage string, stages []string) string {
	i := slices.Index(stages, stage)
	switch {
	case strings.TrimSpace(stage) == "":
		return "" // reported as required
	case i == 0:
		return fmt.Sprintf("%s is the first stage of the funnel: no transition leads to it (want one of %s)",
			quoteShort(stage), orList(stages[1:]))
	case i > 0:
		return ""
	}
	msg := fmt.Sprintf("unknown stage %s", quoteShort(stage))
	if len(stages) > 1 {
		if s := suggest(stage, stages[1:]); s != "" {
			return msg + fmt.Sprintf(" (did you mean %q?)", s)
		}
		msg += fmt.Sprintf(" (want one of %s)", orList(stages[1:]))
	}
	return msg
}

// CheckChangeStages checks that every change names a stage of the funnel
// that a transition leads to (stages: the template's funnel stage keys in
// order). It returns nil or an *Error located like Load's.
func (c *Config) CheckChangeStages(stages []string) error {
	v := &checker{m: c.meta}
	if v.m == nil {
		v.m = &meta{}
	}
	for i, ch := range c.Changes {
		if msg := StageError(ch.Stage, stages); msg != "" {
			v.add(fmt.Sprintf("changes[%d].stage", i), "%s", msg)
		}
	}
	if len(v.problems) == 0 {
		return nil
	}
	e := &Error{File: c.file, Problems: v.problems}
	e.sort()
	return e
}
