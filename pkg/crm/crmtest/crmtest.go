// Package crmtest is the conformance suite every CRM adapter runs: the
// builtin adapter in-process, the others against an httptest fake of their
// CRM's REST API. It checks the contract documented on crm.Adapter —
// idempotence by key, updates in place, lookup before create, absent records,
// batching, error classification under faults, recovery after an outage, and
// that no secret leaks into an error or a log line.
//
// An adapter's test calls Run with a function that builds a fresh Harness (a
// new, empty CRM) for every subtest:
//
//	func TestConformance(t *testing.T) {
//		crmtest.Run(t, func(t *testing.T) *crmtest.Harness {
//			fake := newFakeCRM(t)
//			return &crmtest.Harness{Adapter: fake.adapter(), Objects: fake.objects, Faults: fake, Secrets: []string{token}}
//		})
//	}
package crmtest

import (
	"maps"
	"testing"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// Object is one object as the CRM holds it, read back by the harness in
// dayreport's terms.
type Object struct {
	ID  string
	Key string
	// Status is the record's report.Status as text ("submitted", "absent", …).
	Status string
	// Metrics by metric key. A metric the CRM holds no value for may be left
	// out: the suite compares a missing metric as 0, since a CRM with one
	// field per metric cannot tell an unset field from a zero.
	Metrics map[string]float64
	Notes   string
	// LongTerm is the record's long_term text.
	LongTerm string
}

// Harness is one adapter over one fresh, empty CRM.
type Harness struct {
	// Adapter is the adapter under test. It must not retry by itself.
	Adapter crm.Adapter
	// Objects returns every object the CRM holds (the suite counts
	// duplicates by Key). It should fail t rather than return an error.
	Objects func(t testing.TB) []Object
	// Faults injects failures into the CRM's API; nil when the adapter has
	// no network (builtin), and the fault subtests are skipped.
	Faults Faults
	// Delete, when set, deletes an object behind dayreport's back.
	Delete func(t testing.TB, id string)
	// Secrets are the secret values in the adapter's config (tokens, webhook
	// codes, keys). None may appear in any error text or in Logs.
	Secrets []string
	// Logs, when set, returns the log output captured so far.
	Logs func() string
}

// Fault is a failure the fake CRM can produce on demand.
type Fault int

// Faults a fake CRM injects. Every one but BadRequest must come back as a
// retryable error.
const (
	// RateLimited answers with the CRM's rate-limit response (429 or its
	// equivalent) carrying a retry-after, which the adapter must report as
	// crm.RetryAfter.
	RateLimited Fault = iota + 1
	// ServerError answers 5xx without doing anything.
	ServerError
	// Unavailable makes the CRM unreachable (connection refused, an outage).
	Unavailable
	// Timeout makes the CRM hang longer than the adapter's client timeout.
	// The harness must configure a short client timeout (say 100ms).
	Timeout
	// BadRequest answers with a 4xx that is the request's own fault.
	BadRequest
	// AmbiguousCreate lets the next create succeed on the CRM but loses the
	// answer: a 5xx or a dropped connection after the object was stored.
	// It applies to create requests only, whatever requests come before.
	AmbiguousCreate
)

var faultNames = map[Fault]string{
	RateLimited: "RateLimited", ServerError: "ServerError", Unavailable: "Unavailable",
	Timeout: "Timeout", BadRequest: "BadRequest", AmbiguousCreate: "AmbiguousCreate",
}

func (f Fault) String() string {
	if s, ok := faultNames[f]; ok {
		return s
	}
	return "Fault(?)"
}

// Faults is implemented by a fake CRM.
type Faults interface {
	// Inject makes the next `times` requests fail with f (for
	// AmbiguousCreate: the next `times` creates). Injections queue up.
	Inject(f Fault, times int)
	// Reset clears every pending fault: the CRM answers normally again.
	Reset()
}

// Record returns a record for an employee-day with its key set, the way the
// app builds one: metrics are copied, and nil metrics become an empty map.
func Record(employee string, date day.Date, status report.Status, metrics map[string]float64) crm.Record {
	m := make(map[string]float64, len(metrics))
	maps.Copy(m, metrics)
	return crm.Record{
		Key:      crm.Key(employee, date),
		Employee: employee,
		Date:     date,
		Status:   status,
		Metrics:  m,
	}
}

// FromRecord returns the Object a CRM holding r under id should read back as;
// harnesses of stores that keep whole records (builtin) build Objects with it.
func FromRecord(id string, r crm.Record) Object {
	m := make(map[string]float64, len(r.Metrics))
	maps.Copy(m, r.Metrics)
	return Object{ID: id, Key: r.Key, Status: string(r.Status), Metrics: m, Notes: r.Notes, LongTerm: r.LongTerm}
}
