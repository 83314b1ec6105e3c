package crmtest

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
)

// FactsHarness is one fact reader over one fresh, empty CRM.
type FactsHarness struct {
	// Reader is the fact reader under test (the adapter, or a wrapper whose
	// crm.AsFactReader finds it).
	Reader crm.Adapter
	// Kinds are the fact kinds the reader reads (crm.FactCalls, …).
	Kinds []string
	// Record stores in the CRM one fact of kind, of user, at the moment at.
	Record func(t testing.TB, kind, user string, at time.Time)
	// Faults injects failures into the CRM's API; nil when the reader has no
	// network (builtin), and the fault subtests are skipped.
	Faults Faults
	// PageSize is how many facts of one kind fill the first page of an
	// answer, so that PageSize+1 need a second one; 0 skips Paging.
	PageSize int
	// Sparse says the reader leaves out users it holds no record of rather
	// than answering zeros: the builtin CRM, whose facts table is a
	// partial stand-in where a missing row means "not known". Readers of
	// real CRMs must answer zeros.
	Sparse bool
	// Secrets are the secret values of the reader's config; none may appear
	// in an error text.
	Secrets []string
}

// factDay is the day every facts subtest reads.
var factDay = day.New(2026, time.November, 26)

// factUsers are CRM user ids every CRM takes (positive integers).
var factUsers = []string{"101", "102", "103"}

// RunFacts runs the FactReader contract (crm.FactReader) against a reader
// over a fresh CRM for every subtest:
//
//	Zeros        every user asked for is in the answer with every kind read; a user with no facts has zeros
//	Empty        no users: an empty answer, no error
//	DayInZone    the day runs from midnight to midnight in the zone given, ends as [00:00, 24:00)
//	Paging       PageSize+1 facts of one user are all counted (skipped when PageSize is 0)
//	Canceled     a cancelled context: nil, an error wrapping context.Canceled, not retryable
//	Fault/…      nothing could be read: nil and a classified error — RateLimited retryable
//	             with RetryAfter, ServerError, Unavailable and Timeout retryable,
//	             BadRequest permanent
//	Partial      one request fails: an error, and any kinds read are in every user's Facts
//
// No error text may hold one of Secrets.
func RunFacts(t *testing.T, newHarness func(t *testing.T) *FactsHarness) {
	t.Helper()
	for _, c := range factCases {
		t.Run(c.name, func(t *testing.T) {
			c.run(t.Context(), newFactsEnv(t, newHarness))
		})
	}
	t.Run("Fault", func(t *testing.T) {
		for _, f := range []Fault{RateLimited, ServerError, Unavailable, Timeout, BadRequest} {
			t.Run(f.String(), func(t *testing.T) {
				e := newFactsEnv(t, newHarness)
				if e.h.Faults == nil {
					t.Skip("the reader has no network faults")
				}
				t.Cleanup(e.h.Faults.Reset)
				testFactsFault(t.Context(), e, f)
			})
		}
	})
}

var factCases = []struct {
	name string
	run  func(ctx context.Context, e *factsEnv)
}{
	{"Zeros", testFactsZeros},
	{"Empty", testFactsEmpty},
	{"DayInZone", testFactsDayInZone},
	{"Paging", testFactsPaging},
	{"Canceled", testFactsCanceled},
	{"Partial", testFactsPartial},
}

type factsEnv struct {
	t  *testing.T
	h  *FactsHarness
	fr crm.FactReader
}

func newFactsEnv(t *testing.T, newHarness func(t *testing.T) *FactsHarness) *factsEnv {
	t.Helper()
	h := newHarness(t)
	if h == nil || h.Record == nil || len(h.Kinds) == 0 {
		t.Fatal("newHarness must return a FactsHarness with Record and Kinds")
	}
	fr, ok := crm.AsFactReader(h.Reader)
	require.True(t, ok, "FactsHarness.Reader is no crm.FactReader, nor wraps one")
	return &factsEnv{t: t, h: h, fr: fr}
}

// read calls Facts and checks every error text for secrets.
func (e *factsEnv) read(ctx context.Context, users []string, d day.Date, loc *time.Location) (map[string]crm.Facts, error) {
	e.t.Helper()
	got, err := e.fr.Facts(ctx, users, d, loc)
	if err != nil {
		noSecrets(e.t, e.h.Secrets, "error", err.Error())
	}
	return got, err
}

// want is the answer for counts of the first kind per user: every user with
// every kind, zeros elsewhere (for a Sparse reader, users without facts
// are left out).
func (e *factsEnv) want(counts map[string]float64) map[string]crm.Facts {
	out := map[string]crm.Facts{}
	for _, u := range factUsers {
		if e.h.Sparse && counts[u] == 0 {
			continue
		}
		f := crm.Facts{}
		for _, k := range e.h.Kinds {
			if !e.h.Sparse {
				f[k] = 0
			}
		}
		if counts[u] > 0 {
			f[e.h.Kinds[0]] = counts[u]
		}
		out[u] = f
	}
	return out
}

func at(d day.Date, loc *time.Location, hour, minute int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, loc)
}

func testFactsZeros(ctx context.Context, e *factsEnv) {
	kind := e.h.Kinds[0]
	e.h.Record(e.t, kind, "101", at(factDay, time.UTC, 10, 0))
	e.h.Record(e.t, kind, "101", at(factDay, time.UTC, 11, 0))
	e.h.Record(e.t, kind, "102", at(factDay, time.UTC, 12, 0))
	got, err := e.read(ctx, factUsers, factDay, time.UTC)
	require.NoError(e.t, err)
	require.Equal(e.t, e.want(map[string]float64{"101": 2, "102": 1}), got,
		"every user asked for has every kind read, 0 where the CRM recorded nothing")
}

func testFactsEmpty(ctx context.Context, e *factsEnv) {
	got, err := e.read(ctx, nil, factDay, time.UTC)
	require.NoError(e.t, err)
	require.Empty(e.t, got)
}

func testFactsDayInZone(ctx context.Context, e *factsEnv) {
	loc, err := time.LoadLocation("Asia/Novosibirsk") // UTC+7: the UTC day differs
	require.NoError(e.t, err)
	kind := e.h.Kinds[0]
	e.h.Record(e.t, kind, "101", at(factDay, loc, 0, 0))   // in: the day starts at midnight
	e.h.Record(e.t, kind, "101", at(factDay, loc, 23, 59)) // in
	e.h.Record(e.t, kind, "101", at(factDay, loc, 3, 30))  // in: 20:30 UTC the day before
	e.h.Record(e.t, kind, "101", at(factDay, loc, 24, 0))  // out: the next day
	e.h.Record(e.t, kind, "101", at(factDay, loc, -1, 59)) // out: the day before
	got, err := e.read(ctx, factUsers, factDay, loc)
	require.NoError(e.t, err)
	require.Equal(e.t, e.want(map[string]float64{"101": 3}), got)
}

func testFactsPaging(ctx context.Context, e *factsEnv) {
	if e.h.PageSize == 0 {
		e.t.Skip("the reader has no pages")
	}
	n := e.h.PageSize + 1
	kind := e.h.Kinds[0]
	for i := range n {
		e.h.Record(e.t, kind, "102", at(factDay, time.UTC, 8, 0).Add(time.Duration(i)*time.Second))
	}
	got, err := e.read(ctx, factUsers, factDay, time.UTC)
	require.NoError(e.t, err)
	require.Equal(e.t, e.want(map[string]float64{"102": float64(n)}), got, "a second page is read")
}

func testFactsCanceled(ctx context.Context, e *factsEnv) {
	e.h.Record(e.t, e.h.Kinds[0], "101", at(factDay, time.UTC, 10, 0))
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	got, err := e.read(canceled, factUsers, factDay, time.UTC)
	require.Nil(e.t, got)
	require.ErrorIs(e.t, err, context.Canceled)
	require.False(e.t, crm.IsRetryable(err), "a cancelled read is not retried")
}

func testFactsFault(ctx context.Context, e *factsEnv, f Fault) {
	e.h.Record(e.t, e.h.Kinds[0], "101", at(factDay, time.UTC, 10, 0))
	e.h.Faults.Inject(f, 1000)
	got, err := e.read(ctx, factUsers, factDay, time.UTC)
	require.Error(e.t, err, "every request failed")
	require.Nil(e.t, got, "nothing was read: no answer, not zeros")
	require.NotErrorIs(e.t, err, context.Canceled)
	if f == BadRequest {
		require.False(e.t, crm.IsRetryable(err), "a rejected query is permanent: %v", err)
	} else {
		require.True(e.t, crm.IsRetryable(err), "%s is retryable: %v", f, err)
	}
	if f == RateLimited {
		require.Positive(e.t, crm.RetryAfter(err), "a rate limit says how long to wait: %v", err)
	}
	e.h.Faults.Reset()
	got, err = e.read(ctx, factUsers, factDay, time.UTC)
	require.NoError(e.t, err, "after the fault")
	require.Equal(e.t, e.want(map[string]float64{"101": 1}), got)
}

func testFactsPartial(ctx context.Context, e *factsEnv) {
	if e.h.Faults == nil {
		e.t.Skip("the reader has no network faults")
	}
	e.h.Record(e.t, e.h.Kinds[0], "101", at(factDay, time.UTC, 10, 0))
	e.h.Faults.Inject(ServerError, 1)
	got, err := e.read(ctx, factUsers, factDay, time.UTC)
	require.Error(e.t, err, "a failed request is reported")
	require.True(e.t, crm.IsRetryable(err), "%v", err)
	if got == nil {
		return // the reader asks for every kind at once: nothing was read
	}
	var kinds []string
	for _, u := range factUsers {
		f, ok := got[u]
		require.True(e.t, ok, "user %s is in a partial answer", u)
		ks := make([]string, 0, len(f))
		for k := range f {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		if kinds == nil {
			kinds = ks
		}
		require.Equal(e.t, kinds, ks, "every user has the same kinds")
	}
	require.Less(e.t, len(kinds), len(e.h.Kinds), "the failed kind is left out, not answered as zeros")
}
