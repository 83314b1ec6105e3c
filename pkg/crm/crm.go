// Package crm is the seam between dayreport and a CRM: the Record pushed for
// every employee-day, the Adapter contract every CRM implementation satisfies,
// the classification of errors, and the one retry wrapper that owns retrying.
// Implementations live in sub-packages (builtin, webhook, bitrix24, amocrm,
// hubspot); crmtest is the conformance suite every one of them runs.
package crm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// Key returns the record key of an employee-day: dayreport:<employee id>:<YYYY-MM-DD>.
func Key(employee string, d day.Date) string {
	return "dayreport:" + employee + ":" + d.String()
}

// Flag is a verification finding on a record (SPEC §7). Flags inform; they
// never change the reported numbers.
type Flag struct {
	Code     string   `json:"code"`
	Metric   string   `json:"metric,omitempty"`
	Reported *float64 `json:"reported,omitempty"`
	Recorded *float64 `json:"recorded,omitempty"`
	Message  string   `json:"message"`
	// Evidence: the days the rule looked at, the limit the number crossed,
	// and for edited_late each changed number and who changed it when.
	From      *day.Date  `json:"from,omitempty"`
	To        *day.Date  `json:"to,omitempty"`
	Threshold *float64   `json:"threshold,omitempty"`
	Changes   []Change   `json:"changes,omitempty"`
	EditedAt  *time.Time `json:"edited_at,omitempty"`
	EditedBy  string     `json:"edited_by,omitempty"`
}

// Change is one number of a report changed after the deadline.
type Change struct {
	Metric string   `json:"metric"`
	Before *float64 `json:"before,omitempty"`
	After  *float64 `json:"after,omitempty"`
}

// Record is what dayreport writes to the CRM for one employee and one day.
type Record struct {
	Key          string             `json:"key"`
	Employee     string             `json:"employee"`
	EmployeeName string             `json:"employee_name,omitempty"`
	CRMUserID    string             `json:"crm_user_id,omitempty"`
	Date         day.Date           `json:"date"`
	Status       report.Status      `json:"status"`
	Metrics      map[string]float64 `json:"metrics"`
	Notes        string             `json:"notes,omitempty"`
	// LongTerm is what the day's work gives in the long term (free text).
	LongTerm string `json:"long_term,omitempty"`
	// Errors are the validation messages of an invalid report.
	Errors    []string `json:"errors,omitempty"`
	Flags     []Flag   `json:"flags,omitempty"`
	SourceURL string   `json:"source_url,omitempty"`
}

// Hash is a stable digest of the record's content: two records with the same
// hash are the same push, so a rerun with nothing changed pushes nothing.
func (r Record) Hash() string {
	b, err := json.Marshal(r) // map keys are sorted, so the encoding is stable
	if err != nil {
		panic(fmt.Sprintf("crm: record does not marshal: %v", err)) // only plain types inside
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Push is one record to write, with the CRM object id the state database
// remembers for its key ("" when none is known yet).
type Push struct {
	Record   Record
	ObjectID string
	// New is true when the state database knows that nothing was ever sent
	// for the key (store.OutboxItem.New): the CRM holds no object of it, so
	// an adapter that looks a key up before creating may skip the lookup.
	// A push whose answer may have been lost is never New.
	New bool
}

// Result is the outcome of one Push: the CRM object id now holding the record,
// or an error classified with Retryable/Permanent.
type Result struct {
	ObjectID string
	Err      error
}

// Adapter writes records to one CRM.
//
// The contract, which crmtest checks for every implementation:
//   - Upsert is idempotent by Record.Key: pushing the same record twice leaves
//     one object with the same content, and a changed record updates the same
//     object rather than creating another.
//   - When Push.ObjectID is empty the adapter must look the key up in the CRM
//     before creating anything, because an earlier attempt may have created the
//     object and failed before its id was recorded (a timeout, a crash).
//     When ObjectID is set and the CRM says the object is gone, it re-creates it.
//   - It returns exactly one Result per Push, in order. A failure of one record
//     does not fail the others.
//   - Errors are classified: Retryable (rate limits, 5xx, timeouts, connection
//     failures; with RetryAfter when the CRM says how long to wait) or Permanent
//     (the request itself is wrong). Adapters never retry themselves: Retrier does.
//   - No secret (tokens, webhook URLs, keys) appears in any error or log line.
//   - It respects ctx: a cancelled context ends the call with ctx.Err().
type Adapter interface {
	// Name is the adapter's config name ("builtin", "bitrix24", …).
	Name() string
	// MaxBatch is how many records one Upsert call should carry at most.
	MaxBatch() int
	// Upsert writes the records and returns one Result per Push.
	Upsert(ctx context.Context, pushes []Push) []Result
}

// Facts are what the CRM itself recorded for one employee on one day, by
// fact kind (FactCalls, …) or directly by metric key. The app maps kinds to
// the template's metrics (config verify.facts).
type Facts map[string]float64

// Fact kinds a CRM can record.
const (
	FactCalls     = "calls"     // calls logged (telephony, call activities)
	FactProposals = "proposals" // commercial proposals / estimates sent
	FactInvoices  = "invoices"  // invoices issued
	FactWon       = "won"       // deals won / contracts signed
	FactPayments  = "payments"  // payments received
)

// FactReader is implemented by adapters that can read facts for verification.
// A wrapper hides it from a type assertion: find it with AsFactReader.
//
// The contract, which crmtest.RunFacts checks for every implementation:
//   - Facts returns, for each CRM user id asked for, what the CRM recorded
//     on day d, the day running from midnight to midnight in loc (the
//     employees' time zone: the app calls once per zone).
//   - Every user asked for has every fact kind that was read, 0 where the
//     CRM recorded none: a zero is what lets verification see a number
//     reported without any record. (The builtin CRM's facts table is a
//     partial stand-in and leaves out users it has no row for.)
//   - When no kind could be read, the answer is nil with the error; when
//     some could, the answer holds those kinds and the error names the
//     others. Errors are classified like Upsert's (a rate limit retryable
//     with its RetryAfter, a rejected query permanent), a cancelled ctx
//     ends the read with ctx's error, and no error holds a secret.
//   - It reads in as few calls as the API allows (one query per fact kind
//     for all users where a filter takes a list), follows every page, and
//     keeps to the adapter's rate limit.
type FactReader interface {
	Facts(ctx context.Context, crmUserIDs []string, d day.Date, loc *time.Location) (map[string]Facts, error)
}
