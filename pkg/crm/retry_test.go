package crm_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// scripted is an adapter whose answers a test scripts per call and push.
type scripted struct {
	batch int
	// answer returns the result for push p in call n (0-based); nil: success
	// with the id "id-<key>".
	answer func(n int, p crm.Push) crm.Result

	mu    sync.Mutex
	calls [][]crm.Push
}

func (s *scripted) Name() string  { return "scripted" }
func (s *scripted) MaxBatch() int { return s.batch }

func (s *scripted) Upsert(_ context.Context, pushes []crm.Push) []crm.Result {
	s.mu.Lock()
	n := len(s.calls)
	s.calls = append(s.calls, append([]crm.Push(nil), pushes...))
	s.mu.Unlock()
	out := make([]crm.Result, len(pushes))
	for i, p := range pushes {
		if s.answer != nil {
			out[i] = s.answer(n, p)
		} else {
			out[i] = crm.Result{ObjectID: "id-" + p.Record.Key}
		}
	}
	return out
}

func (s *scripted) sizes() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]int, len(s.calls))
	for i, c := range s.calls {
		out[i] = len(c)
	}
	return out
}

// clock is a fake time: Sleep records the wait and moves Now on.
type clock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 26, 19, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

func (c *clock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// retrier wires a Retrier to the adapter and a fake clock, with jitter j.
func retrier(a crm.Adapter, c *clock, j float64) *crm.Retrier {
	return &crm.Retrier{Adapter: a, Sleep: c.Sleep, Now: c.Now, Rand: func() float64 { return j }}
}

func pushes(n int) []crm.Push {
	out := make([]crm.Push, n)
	for i := range out {
		out[i].Record = crm.Record{
			Key: crm.Key("emp"+strconv.Itoa(i), day.New(2026, 11, 26)), Status: report.Submitted,
			Metrics: map[string]float64{"new_calls": float64(i)},
		}
	}
	return out
}

var (
	errFlaky = errors.New("scripted: 503 service unavailable")
	errBad   = errors.New("scripted: 400 invalid field")
)

func alwaysRetryable(int, crm.Push) crm.Result {
	return crm.Result{Err: crm.RetryableError(errFlaky, 0)}
}

func s(d float64) time.Duration { return time.Duration(d * float64(time.Second)) }

func TestRetrierBackoffGrowsAndCaps(t *testing.T) {
	t.Parallel()
	a := &scripted{answer: alwaysRetryable}
	c := newClock()
	r := retrier(a, c, 0.5)
	r.Base, r.Max, r.MaxAttempts, r.MaxElapsed = time.Second, 5*time.Second, 6, -1
	res := r.Upsert(t.Context(), pushes(1))
	require.Equal(t, []time.Duration{s(1.5), s(2.5), s(4.5), s(5), s(5)}, c.Waits(), "Base·2ⁿ + jitter, capped at Max")
	require.Len(t, a.calls, 6)
	require.ErrorIs(t, res[0].Err, errFlaky, "the last error is kept")
	require.True(t, crm.IsRetryable(res[0].Err), "and so is its class")
	require.Contains(t, res[0].Err.Error(), "gave up after 6 attempts")
}

func TestRetrierDefaults(t *testing.T) {
	t.Parallel()
	a := &scripted{answer: alwaysRetryable}
	c := newClock()
	res := retrier(a, c, 0).Upsert(t.Context(), pushes(1))
	require.Equal(t, []time.Duration{s(1), s(2), s(4), s(8)}, c.Waits(), "5 attempts from a 1s base")
	require.Error(t, res[0].Err)

	// Past the cap: 64s, and the default 5m budget ends it.
	a = &scripted{answer: alwaysRetryable}
	c = newClock()
	r := retrier(a, c, 0)
	r.MaxAttempts = 100
	r.Upsert(t.Context(), pushes(1))
	require.Equal(t, []time.Duration{s(1), s(2), s(4), s(8), s(16), s(32), s(64), s(64), s(64)}, c.Waits(),
		"255s spent; another 64s would pass 5m")
}

func TestRetrierBackoffNeverOverflows(t *testing.T) {
	t.Parallel()
	for _, j := range []float64{0.999, 1, 7, -1, math.NaN(), math.Inf(1)} {
		t.Run(fmt.Sprint(j), func(t *testing.T) {
			t.Parallel()
			a := &scripted{answer: alwaysRetryable}
			c := newClock()
			r := retrier(a, c, j)
			r.MaxAttempts, r.MaxElapsed = 200, -1
			r.Upsert(t.Context(), pushes(1))
			waits := c.Waits()
			require.Len(t, waits, 199)
			for n, w := range waits {
				require.GreaterOrEqual(t, w, min(time.Second<<min(n, 10), 64*time.Second), "wait %d", n)
				require.LessOrEqual(t, w, 64*time.Second, "wait %d", n)
			}
		})
	}
}

func TestRetrierHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	a := &scripted{answer: func(n int, p crm.Push) crm.Result {
		switch n {
		case 0:
			return crm.Result{Err: crm.RetryableError(errors.New("429"), 30*time.Second)}
		case 1:
			return crm.Result{Err: crm.RetryableError(errors.New("429"), time.Millisecond)}
		}
		return crm.Result{ObjectID: "42"}
	}}
	c := newClock()
	r := retrier(a, c, 0)
	r.Max = 10 * time.Second
	var announced []time.Duration
	r.OnRetry = func(_ string, _ int, wait time.Duration, _ error) { announced = append(announced, wait) }
	res := r.Upsert(t.Context(), pushes(1))
	require.NoError(t, res[0].Err)
	require.Equal(t, "42", res[0].ObjectID)
	require.Equal(t, []time.Duration{30 * time.Second, 2 * time.Second}, c.Waits(),
		"RetryAfter wins over the backoff even above Max; the backoff wins over a shorter RetryAfter")
	require.Equal(t, c.Waits(), announced)
}

func TestRetrierLongestRetryAfterOfABatch(t *testing.T) {
	t.Parallel()
	a := &scripted{batch: 10, answer: func(n int, p crm.Push) crm.Result {
		if n > 0 {
			return crm.Result{ObjectID: "x"}
		}
		if p.Record.Metrics["new_calls"] == 1 {
			return crm.Result{Err: crm.RetryableError(errors.New("429"), 20*time.Second)}
		}
		return crm.Result{Err: crm.RetryableError(errors.New("429"), 5*time.Second)}
	}}
	c := newClock()
	res := retrier(a, c, 0).Upsert(t.Context(), pushes(3))
	for _, x := range res {
		require.NoError(t, x.Err)
	}
	require.Equal(t, []time.Duration{20 * time.Second}, c.Waits())
}

func TestRetrierDoesNotRetryPermanent(t *testing.T) {
	t.Parallel()
	perm := crm.PermanentError(errBad)
	a := &scripted{answer: func(int, crm.Push) crm.Result { return crm.Result{Err: perm} }}
	c := newClock()
	r := retrier(a, c, 0)
	r.OnRetry = func(string, int, time.Duration, error) { t.Error("OnRetry called for a permanent error") }
	res := r.Upsert(t.Context(), pushes(1))
	require.Equal(t, perm, res[0].Err, "returned as the adapter gave it")
	require.False(t, crm.IsRetryable(res[0].Err))
	require.Len(t, a.calls, 1)
	require.Empty(t, c.Waits())
}

func TestRetrierRetriesOnlyFailedItems(t *testing.T) {
	t.Parallel()
	in := pushes(4)
	in[3].ObjectID = "known-3"
	a := &scripted{batch: 10, answer: func(n int, p crm.Push) crm.Result {
		switch {
		case n == 0 && p.Record.Key == in[1].Record.Key:
			// created, then failed before the answer was complete
			return crm.Result{ObjectID: "half-1", Err: crm.RetryableError(errFlaky, 0)}
		case n == 0 && p.Record.Key == in[2].Record.Key:
			return crm.Result{Err: crm.PermanentError(errBad)}
		case n < 2 && p.Record.Key == in[3].Record.Key:
			return crm.Result{Err: crm.RetryableError(errFlaky, 0)}
		}
		return crm.Result{ObjectID: "id-" + p.Record.Key}
	}}
	c := newClock()
	res := retrier(a, c, 0).Upsert(t.Context(), in)

	require.Equal(t, []int{4, 2, 1}, a.sizes())
	require.Equal(t, []crm.Push{
		{Record: in[1].Record, ObjectID: "half-1"}, // the id an earlier attempt returned
		{Record: in[3].Record, ObjectID: "known-3"},
	}, a.calls[1])
	require.Equal(t, []crm.Push{{Record: in[3].Record, ObjectID: "known-3"}}, a.calls[2])

	require.NoError(t, res[0].Err)
	require.Equal(t, "id-"+in[0].Record.Key, res[0].ObjectID)
	require.NoError(t, res[1].Err)
	require.ErrorIs(t, res[2].Err, errBad)
	require.Empty(t, res[2].ObjectID)
	require.NoError(t, res[3].Err)
	require.Equal(t, "id-"+in[3].Record.Key, res[3].ObjectID)
}

func TestRetrierKeepsALearnedIDOnFailure(t *testing.T) {
	t.Parallel()
	a := &scripted{answer: func(n int, _ crm.Push) crm.Result {
		if n == 0 {
			return crm.Result{ObjectID: "half", Err: crm.RetryableError(errFlaky, 0)}
		}
		return crm.Result{Err: crm.RetryableError(errFlaky, 0)}
	}}
	r := retrier(a, newClock(), 0)
	r.MaxAttempts = 3
	res := r.Upsert(t.Context(), pushes(1))
	require.Error(t, res[0].Err)
	require.Equal(t, "half", res[0].ObjectID, "the caller may remember it")
}

func TestRetrierSuccessWithoutIDKeepsTheKnownOne(t *testing.T) {
	t.Parallel()
	a := &scripted{answer: func(int, crm.Push) crm.Result { return crm.Result{} }}
	in := pushes(1)
	in[0].ObjectID = "7"
	res := retrier(a, newClock(), 0).Upsert(t.Context(), in)
	require.NoError(t, res[0].Err)
	require.Equal(t, "7", res[0].ObjectID)
}

func TestRetrierChunksByMaxBatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		batch int
		sizes []int
	}{
		{2, []int{2, 2, 1}},
		{5, []int{5}},
		{500, []int{5}},
		{0, []int{5}}, // no limit given
	} {
		t.Run(strconv.Itoa(tc.batch), func(t *testing.T) {
			t.Parallel()
			a := &scripted{batch: tc.batch}
			in := pushes(5)
			res := retrier(a, newClock(), 0).Upsert(t.Context(), in)
			require.Equal(t, tc.sizes, a.sizes())
			for i, x := range res {
				require.NoError(t, x.Err)
				require.Equal(t, "id-"+in[i].Record.Key, x.ObjectID, "results in push order")
			}
		})
	}
}

func TestRetrierMaxAttempts(t *testing.T) {
	t.Parallel()
	for _, attempts := range []int{1, 2, 3} {
		t.Run(strconv.Itoa(attempts), func(t *testing.T) {
			t.Parallel()
			a := &scripted{answer: alwaysRetryable}
			c := newClock()
			r := retrier(a, c, 0)
			r.MaxAttempts = attempts
			var seen []int
			r.OnRetry = func(key string, attempt int, wait time.Duration, err error) {
				require.Equal(t, pushes(1)[0].Record.Key, key)
				require.ErrorIs(t, err, errFlaky)
				seen = append(seen, attempt)
			}
			res := r.Upsert(t.Context(), pushes(1))
			require.Len(t, a.calls, attempts)
			require.Len(t, c.Waits(), attempts-1)
			require.Len(t, seen, attempts-1)
			for i, n := range seen {
				require.Equal(t, i+1, n, "attempt numbers count from 1")
			}
			require.ErrorIs(t, res[0].Err, errFlaky)
			require.True(t, crm.IsRetryable(res[0].Err))
		})
	}
}

func TestRetrierCancelDuringWait(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	a := &scripted{batch: 1, answer: alwaysRetryable}
	r := &crm.Retrier{Adapter: a, Base: time.Hour, Max: time.Hour, MaxElapsed: -1, // the real timer
		OnRetry: func(string, int, time.Duration, error) { cancel() }}
	start := time.Now()
	res := r.Upsert(ctx, pushes(2))
	require.Less(t, time.Since(start), time.Minute, "the wait ended with the context")
	require.Len(t, a.calls, 1, "nothing is sent after the cancel")

	require.ErrorIs(t, res[0].Err, errFlaky, "the tried push keeps its own error")
	require.Contains(t, res[0].Err.Error(), "cut short")
	require.ErrorIs(t, res[1].Err, context.Canceled, "the untried push says why")
	require.False(t, crm.IsRetryable(res[1].Err))
	require.Empty(t, res[1].ObjectID)
}

func TestRetrierCanceledBeforeStart(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	a := &scripted{batch: 2}
	res := retrier(a, newClock(), 0).Upsert(ctx, pushes(3))
	require.Empty(t, a.calls)
	for _, x := range res {
		require.ErrorIs(t, x.Err, context.Canceled)
	}
}

func TestRetrierMaxElapsed(t *testing.T) {
	t.Parallel()
	a := &scripted{batch: 1, answer: alwaysRetryable}
	c := newClock()
	r := retrier(a, c, 0)
	r.Base, r.MaxElapsed, r.MaxAttempts = 4*time.Second, 10*time.Second, 10
	res := r.Upsert(t.Context(), pushes(2))
	require.Equal(t, []time.Duration{4 * time.Second}, c.Waits(), "4s fits in 10s, another 8s does not")
	require.Equal(t, []int{1, 1}, a.sizes(), "the second chunk is not sent once the budget is spent")
	require.ErrorIs(t, res[0].Err, errFlaky)
	require.Contains(t, res[0].Err.Error(), "gave up after 2 attempts (the retry time budget is spent)")
	require.Error(t, res[1].Err)
	require.True(t, crm.IsRetryable(res[1].Err), "an unsent push is tried again later")
	require.Contains(t, res[1].Err.Error(), "not pushed")
}

func TestRetrierRetryAfterBeyondBudget(t *testing.T) {
	t.Parallel()
	a := &scripted{batch: 1, answer: func(int, crm.Push) crm.Result {
		return crm.Result{Err: crm.RetryableError(errors.New("429"), 10*time.Minute)}
	}}
	c := newClock()
	res := retrier(a, c, 0).Upsert(t.Context(), pushes(2))
	require.Empty(t, c.Waits(), "no point waiting past the 5m budget")
	require.Len(t, a.calls, 1)
	require.Equal(t, 10*time.Minute, crm.RetryAfter(res[0].Err))
	require.Equal(t, 10*time.Minute, crm.RetryAfter(res[1].Err), "the unsent push learns how long to wait too")
}

func TestRetrierContextDeadline(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
	defer cancel()
	a := &scripted{answer: alwaysRetryable}
	c := newClock()
	r := &crm.Retrier{Adapter: a, Base: 2 * time.Hour, Max: 2 * time.Hour, MaxElapsed: -1, Sleep: c.Sleep}
	res := r.Upsert(ctx, pushes(1))
	require.Empty(t, c.Waits(), "the wait would outlast the context")
	require.ErrorIs(t, res[0].Err, errFlaky)
	require.True(t, crm.IsRetryable(res[0].Err))
}

func TestRetrierSurvivesAWrongResultCount(t *testing.T) {
	t.Parallel()
	a := &scripted{batch: 3}
	broken := &shortAdapter{scripted: a}
	c := newClock()
	r := retrier(broken, c, 0)
	var first error
	r.OnRetry = func(_ string, _ int, _ time.Duration, err error) { first = err }
	res := r.Upsert(t.Context(), pushes(3))
	require.Len(t, res, 3)
	for _, x := range res {
		require.NoError(t, x.Err, "sent again in full, since no result could be trusted")
	}
	require.Len(t, c.Waits(), 1)
	require.ErrorContains(t, first, "scripted returned 1 results for 3 pushes")
}

// shortAdapter answers its first call with a single result.
type shortAdapter struct {
	*scripted
	calls int
}

func (s *shortAdapter) Upsert(ctx context.Context, pushes []crm.Push) []crm.Result {
	s.calls++
	out := s.scripted.Upsert(ctx, pushes)
	if s.calls == 1 {
		return out[:1]
	}
	return out
}

func TestRetrierWithoutAdapter(t *testing.T) {
	t.Parallel()
	var nilRetrier *crm.Retrier
	for _, r := range []*crm.Retrier{{}, nilRetrier} {
		require.Empty(t, r.Upsert(t.Context(), nil))
		res := r.Upsert(t.Context(), pushes(2))
		require.Len(t, res, 2)
		for _, x := range res {
			require.Error(t, x.Err)
			require.False(t, crm.IsRetryable(x.Err))
		}
		require.Empty(t, r.Name())
		require.Zero(t, r.MaxBatch())
	}
}

func TestRetrierIsAnAdapter(t *testing.T) {
	t.Parallel()
	a := &scripted{batch: 2, answer: func(n int, p crm.Push) crm.Result {
		if n == 0 {
			return crm.Result{Err: crm.RetryableError(errFlaky, 0)}
		}
		return crm.Result{ObjectID: "ok"}
	}}
	c := newClock()
	var inner crm.Adapter = retrier(a, c, 0)
	require.Equal(t, "scripted", inner.Name())
	require.Equal(t, 2, inner.MaxBatch())
	outer := retrier(inner, c, 0)
	res := outer.Upsert(t.Context(), pushes(3))
	for _, x := range res {
		require.NoError(t, x.Err)
	}
}

func TestRetrierConcurrentCalls(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	tries := map[string]int{}
	a := &scripted{batch: 3, answer: func(_ int, p crm.Push) crm.Result {
		mu.Lock()
		defer mu.Unlock()
		tries[p.Record.Key]++
		if tries[p.Record.Key] == 1 {
			return crm.Result{Err: crm.RetryableError(errFlaky, 0)}
		}
		return crm.Result{ObjectID: "id-" + p.Record.Key}
	}}
	r := &crm.Retrier{Adapter: a, Sleep: func(context.Context, time.Duration) error { return nil }}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			in := pushes(10)
			for i := range in {
				in[i].Record.Key += "-" + strconv.Itoa(g)
			}
			for i, x := range r.Upsert(t.Context(), in) {
				require.NoError(t, x.Err)
				require.Equal(t, "id-"+in[i].Record.Key, x.ObjectID)
			}
		})
	}
	wg.Wait()
}

// nopAdapter succeeds without allocating beyond its result slice.
type nopAdapter struct{}

func (nopAdapter) Name() string  { return "nop" }
func (nopAdapter) MaxBatch() int { return 50 }
func (nopAdapter) Upsert(_ context.Context, p []crm.Push) []crm.Result {
	out := make([]crm.Result, len(p))
	for i := range out {
		out[i].ObjectID = "x"
	}
	return out
}

func TestRetrierAllocations(t *testing.T) {
	in := pushes(200) // four chunks
	r := &crm.Retrier{Adapter: nopAdapter{}}
	ctx := t.Context()
	allocs := testing.AllocsPerRun(20, func() { r.Upsert(ctx, in) })
	// results, the call state and its three scratch buffers, plus one result
	// slice per chunk from the adapter: nothing per push.
	require.LessOrEqual(t, allocs, 10.0)
}

func BenchmarkRetrier(b *testing.B) {
	in := pushes(500)
	r := &crm.Retrier{Adapter: nopAdapter{}}
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		r.Upsert(ctx, in)
	}
}
