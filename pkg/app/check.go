package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/source/local"
)

// CheckResult is the outcome of `dayreport check` (SPEC §2 JSON shape).
type CheckResult struct {
	Employee string              `json:"employee"`
	Date     string              `json:"date"`
	Status   report.Status       `json:"status"`
	Metrics  map[string]float64  `json:"metrics"`
	Comments map[string]string   `json:"comments,omitempty"`
	Notes    string              `json:"notes"`
	LongTerm string              `json:"long_term,omitempty"`
	Errors   []report.FieldError `json:"errors"`
	Warnings []report.FieldError `json:"warnings"`

	report *report.Report
}

// CheckRequest says what to check.
type CheckRequest struct {
	File     string
	Employee string   // default: the file name up to "__" or the extension
	Date     day.Date // zero: the newest day in the file
	Today    day.Date // resolves year-less dates when Date is zero
	Lang     string
	Template *report.Template
}

// EmployeeFromFile derives an employee id from a report file name:
// "ivanov.txt" and "ivanov__anything.md" are both ivanov.
func EmployeeFromFile(path string) string {
	base := filepath.Base(path)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	if i := strings.Index(base, "__"); i > 0 {
		base = base[:i]
	}
	return base
}

// CheckFile parses one report file and returns the day's result. The error is
// for a file that cannot be read at all; a bad report is a result with errors.
func CheckFile(req CheckRequest) (*CheckResult, error) {
	ref := req.Date
	if ref.IsZero() {
		ref = req.Today
	}
	doc, docWarns, err := local.ReadFile(req.File, ref)
	if err != nil {
		return nil, err
	}
	employee := req.Employee
	if employee == "" {
		employee = EmployeeFromFile(req.File)
	}
	return checkDocument(req.Template, doc, docWarns, employee, req.Date, ref, req.Lang), nil
}

// checkDocument finds the day in doc and parses it.
func checkDocument(t *report.Template, doc *document.Document, docWarns []document.Warning,
	employee string, date, ref day.Date, lang string,
) *CheckResult {
	sections, secWarns := doc.Sections(ref)
	res := &CheckResult{Employee: employee, Metrics: map[string]float64{}, Errors: []report.FieldError{}, Warnings: []report.FieldError{}}
	res.Warnings = append(res.Warnings, report.DocumentWarnings(lang, append(docWarns, secWarns...))...)
	var (
		sec document.Section
		ok  bool
	)
	if date.IsZero() {
		sec, ok = document.Newest(sections)
	} else {
		sec, ok = document.Find(sections, date)
	}
	if !ok {
		res.Date = date.String()
		res.Status = report.Missing
		return res
	}
	r := report.Parse(t, sec, report.Options{Lang: lang})
	res.report = r
	res.Date = r.Date.String()
	res.Status = r.Status()
	res.Metrics = r.Metrics
	res.Notes, res.LongTerm = r.Notes, r.LongTerm
	if len(r.Comments) > 0 {
		res.Comments = r.Comments
	}
	res.Errors = append(res.Errors, r.Errors...)
	res.Warnings = append(res.Warnings, r.Warnings...)
	return res
}

// UnknownEmployeeError is an employee id the configuration does not have:
// a usage error. Ids are case-sensitive (IVANOV is not ivanov); Closest
// are the ids it may have meant, and when none is close, Known are the
// configuration's first ids.
type UnknownEmployeeError struct {
	ID      string
	Closest []string
	Known   []string
}

// knownShown is how many of the configuration's ids an error lists.
const knownShown = 10

func (e *UnknownEmployeeError) Error() string {
	msg := fmt.Sprintf("check: no employee %q in the configuration", e.ID)
	switch {
	case len(e.Closest) > 0:
		msg += "; did you mean " + strings.Join(e.Closest, " or ") + "? (ids are case-sensitive)"
	case len(e.Known) > knownShown:
		msg += fmt.Sprintf("; its ids are %s, … (%d in all)", strings.Join(e.Known[:knownShown], ", "), len(e.Known))
	case len(e.Known) > 0:
		msg += "; its ids are " + strings.Join(e.Known, ", ")
	}
	return msg
}

// CheckEmployee reads one employee's report from the configured source and
// checks the day (the newest day when d is zero).
func CheckEmployee(ctx context.Context, cfg *config.Config, t *report.Template, id string, d, today day.Date,
	now func() time.Time,
) (*CheckResult, error) {
	var emp *config.Employee
	for i := range cfg.Employees {
		if cfg.Employees[i].ID == id {
			emp = &cfg.Employees[i]
		}
	}
	if emp == nil {
		ids := make([]string, len(cfg.Employees))
		for i, e := range cfg.Employees {
			ids[i] = e.ID
		}
		unknown := &UnknownEmployeeError{ID: id, Closest: local.Closest(id, ids)}
		if len(unknown.Closest) == 0 {
			unknown.Known = ids
		}
		return nil, unknown
	}
	src, err := newSource(ctx, googleWiring{cfg: cfg}, now)
	if err != nil {
		return nil, err
	}
	ref := d
	if ref.IsZero() {
		ref = today
	}
	f, err := src.Fetch(ctx, source.Ref{Employee: emp.ID, Report: emp.Report}, ref)
	if err != nil {
		return nil, err
	}
	return checkDocument(t, f.Doc, f.Warnings, emp.ID, d, ref, cfg.Lang()), nil
}
