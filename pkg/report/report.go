// Package report is the domain of dayreport: report templates, the Report of one
// employee for one day, its statuses, and Parse, which reads a day section of a
// neutral document (pkg/document) into a Report with every problem located.
// It does no I/O.
package report

import (
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
)

// Status of one employee-day (SPEC §5).
type Status string

// Statuses. Missing is what `check` and a pass before the deadline say of a day
// with no report yet; it is never written to a CRM.
const (
	Submitted Status = "submitted"
	Late      Status = "late"
	Invalid   Status = "invalid"
	Absent    Status = "absent"
	OnLeave   Status = "on_leave"
	DayOff    Status = "day_off"
	Missing   Status = "missing"
)

// Statuses lists every status in display order.
var Statuses = []Status{Submitted, Late, Invalid, Absent, OnLeave, DayOff, Missing}

// Label is the status in the user's language.
func (s Status) Label(lang string) string {
	if lang != "ru" {
		return string(s)
	}
	switch s {
	case Submitted:
		return "сдан"
	case Late:
		return "сдан с опозданием"
	case Invalid:
		return "с ошибками"
	case Absent:
		return "отсутствовал"
	case OnLeave:
		return "в отпуске"
	case DayOff:
		return "выходной"
	case Missing:
		return "нет отчёта"
	}
	return string(s)
}

// FieldError is a located problem in a report: which metric, where, the raw
// value as typed, and a message for people (Russian when the language is ru).
type FieldError struct {
	Code     Code              `json:"code"`
	Field    string            `json:"field"`
	Location document.Location `json:"location"`
	Value    string            `json:"value,omitempty"`
	Message  string            `json:"message"`
}

func (e FieldError) Error() string {
	s := e.Location.String()
	if e.Field != "" {
		s += ": " + e.Field
	}
	return s + ": " + e.Message
}

// Report is one employee's report for one day, as parsed.
type Report struct {
	Date day.Date
	// Metrics holds every metric reported with a valid value (counts and ratings).
	Metrics map[string]float64
	// Comments keeps text typed after a number ("12 (ООО Ромашка)").
	Comments map[string]string
	// Notes is the free text of the template's text metric: what was solved
	// today (every text metric but long_term lands here).
	Notes string
	// LongTerm is the text of the long_term metric: what it gives in the
	// long term (the methodology's second question).
	LongTerm string
	Errors   []FieldError
	Warnings []FieldError
	// Start is where the day's section starts in the document.
	Start document.Location
}

// LongTermKey is the key of the text metric that goes to Report.LongTerm.
const LongTermKey = "long_term"

// text returns where the free text of metric key is kept.
func (r *Report) text(key string) *string {
	if key == LongTermKey {
		return &r.LongTerm
	}
	return &r.Notes
}

// Valid reports whether the report has no errors.
func (r *Report) Valid() bool { return len(r.Errors) == 0 }

// Status is Submitted for a valid report, Invalid otherwise (lateness and absence
// are decided by the pass, which knows the deadline).
func (r *Report) Status() Status {
	if r.Valid() {
		return Submitted
	}
	return Invalid
}
