package pass

import (
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source"
)

// EmployeeResult is one employee-day in a pass result (SPEC §2).
type EmployeeResult struct {
	ID string `json:"id"`
	// Date is set when the day is not the pass's date: an earlier (or, for
	// a pass over a past date, a later) day, or the employee's own today
	// when it differs from the company's.
	Date     string              `json:"date,omitempty"`
	Status   report.Status       `json:"status"`
	Metrics  map[string]float64  `json:"metrics"`
	Notes    string              `json:"notes,omitempty"`
	LongTerm string              `json:"long_term,omitempty"`
	Errors   []report.FieldError `json:"errors"`
	Warnings []report.FieldError `json:"warnings,omitempty"`
	Flags    []crm.Flag          `json:"flags"`
	// Error is why the employee's report could not be read at all.
	Error string `json:"error,omitempty"`
	// Queued is set when the day's CRM record changed in this pass, or
	// when it did not change but still waits in the outbox (an earlier push
	// failed).
	Queued bool `json:"queued,omitempty"`

	// unchanged: the day carries a record the CRM already holds (or has queued).
	unchanged bool
	// factsMissing: the CRM's facts for the day could not all be read.
	factsMissing bool
	// kept: the line's strings are pieces of the reads the state kept
	// (detachLines).
	kept bool
}

// CRMResult counts a pass's CRM work.
type CRMResult struct {
	Adapter string `json:"adapter"`
	// Pushed records were written to the CRM in this pass.
	Pushed int `json:"pushed"`
	// Unchanged records needed no push: the CRM already holds them (a
	// record still waiting in the outbox is counted in Queued, not here).
	Unchanged int `json:"unchanged"`
	// Failed records could not be pushed and stay queued for the next pass.
	Failed int `json:"failed"`
	// Queued is the outbox depth after the pass (failed and not yet due).
	Queued int `json:"queued"`
}

// SummaryResult says where a pass wrote the manager summary.
type SummaryResult struct {
	Path string `json:"path,omitempty"`
	// Spreadsheet is the manager's Google Sheet written, when configured.
	Spreadsheet string `json:"spreadsheet,omitempty"`
	From        string `json:"from"`
	To          string `json:"to"`
	Error       string `json:"error,omitempty"`

	// fingerprint is the summary's fingerprint, when every writer is
	// stamped and wrote it (or found it written): the quiet mark keeps it.
	fingerprint string
}

// Sent is one message a pass sent (or, in a dry run, would send).
type Sent struct {
	Key     string `json:"key"`
	To      string `json:"to"`
	Subject string `json:"subject"`
	Error   string `json:"error,omitempty"`
}

// Result is the outcome of one pass (the JSON of `sync` and `close-day`).
type Result struct {
	// Date is the pass date: the one asked for, or the company's today.
	Date      string           `json:"date"`
	DryRun    bool             `json:"dry_run,omitempty"`
	Employees []EmployeeResult `json:"employees"`
	// Earlier lists the other days whose CRM record changed in this pass:
	// a late report, an edit of yesterday's numbers, a day the ledger closed.
	Earlier []EmployeeResult `json:"earlier,omitempty"`
	// Closed counts the employee-days this pass closed (the ledger's and
	// the pass date's).
	Closed int       `json:"closed"`
	CRM    CRMResult `json:"crm"`
	// Summary is where the manager summary was written (absent when none is configured).
	Summary *SummaryResult `json:"summary,omitempty"`
	// Strays are report documents no employee owns ("ivanv.txt"): reports
	// nobody reads, each with the id it most likely meant.
	Strays []source.Stray `json:"strays,omitempty"`
	// PlanProblems are the cells of the manager sheet's План tab that could
	// not be used, each with its place; the rest of the tab is.
	PlanProblems []source.PlanProblem `json:"plan_problems,omitempty"`
	// Failed counts employees whose report could not be read.
	Failed int   `json:"failed"`
	PassID int64 `json:"pass_id,omitempty"`
	// Sent are the reminders, error lists and digest this pass sent.
	Sent []Sent `json:"sent,omitempty"`
	// WouldSend lists, in a dry run, what the same pass would send now.
	WouldSend []Sent `json:"would_send,omitempty"`
}

// Partial reports whether the pass ran but something failed (exit status 1):
// a report unread, a push failed, a record left in the outbox (failed in an
// earlier pass and not due again yet), the summary unwritten.
func (r *Result) Partial() bool {
	return r.Failed > 0 || r.CRM.Failed > 0 || r.CRM.Queued > 0 || r.Summary != nil && r.Summary.Error != ""
}

func nonNil(m map[string]float64) map[string]float64 {
	if m == nil {
		return map[string]float64{}
	}
	return m
}
