package crm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dayreport/dayreport/pkg/httpkit"
)

// Defaults of a Retrier's zero fields.
const (
	DefaultMaxAttempts = 5
	DefaultBase        = time.Second
	DefaultMax         = 64 * time.Second
	DefaultMaxElapsed  = 5 * time.Minute
)

// Retrier is the one place that retries CRM writes: adapters classify their
// errors and never retry; Retrier wraps an Adapter and owns the loop.
//
// Upsert splits the pushes into chunks of Adapter.MaxBatch() and sends them
// one chunk after another. Within a chunk it re-sends only the items whose
// error IsRetryable, in one call, carrying the ObjectID an earlier attempt
// returned (if any) so the adapter updates rather than looks up again. Between
// attempts it waits Google's truncated exponential backoff with jitter
// (httpkit.Backoff),
//
//	wait = min(Base·2ⁿ + Rand()·Base, Max)   (n = 0 before the first retry)
//
// and never less than the longest RetryAfter among the failed items (a CRM's
// rate-limit answer wins over the formula, even above Max). An item stops
// being retried when it succeeds, when its error is permanent, or after
// MaxAttempts attempts. The whole call stops — no further waits or chunks —
// when ctx ends, when the next wait would take the call past MaxElapsed, or
// past ctx's deadline: sleeping only to be cut short helps no one, and a push
// that still fails stays queued in the state database for the next pass.
//
// Upsert always returns exactly one Result per Push, in order, and every
// Result that is not a success carries an error: a push is never reported
// pushed unless the adapter said so. A failed Result's error is the last
// error the adapter gave for that item (so IsRetryable and RetryAfter still
// answer for it), prefixed with how many attempts were made; items never sent
// because the call stopped early get an error saying why (wrapping ctx.Err()
// when ctx ended). A failed Result's ObjectID is the id an attempt of this
// call returned for the item, if any, so the caller can remember it.
//
// The zero value of every field but Adapter is usable. A Retrier holds no
// state between calls and is safe for concurrent use when its Adapter and
// hooks are. It is an Adapter itself, so callers can pass it wherever an
// Adapter goes.
type Retrier struct {
	// Adapter is the CRM adapter being wrapped.
	Adapter Adapter
	// MaxAttempts is how many times an item is sent at most, the first
	// attempt included (0: DefaultMaxAttempts; 1: no retries).
	MaxAttempts int
	// Base is the first backoff step (0: DefaultBase); jitter is up to one Base.
	Base time.Duration
	// Max caps the computed backoff (0: DefaultMax). A longer RetryAfter
	// asked for by the CRM is still honoured.
	Max time.Duration
	// MaxElapsed bounds the time one Upsert call may spend, waits included,
	// before it stops retrying (0: DefaultMaxElapsed; negative: no bound).
	MaxElapsed time.Duration
	// Sleep waits d or until ctx ends, returning ctx's error then (nil: a
	// timer). Tests replace it, usually together with Now.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns the jitter fraction in [0, 1) (nil: math/rand/v2.Float64).
	Rand func() float64
	// Now is the clock MaxElapsed is measured with (nil: time.Now).
	Now func() time.Time
	// OnRetry, when set, is called for every item about to be retried, before
	// the wait: attempt is the 1-based number of the attempt that failed with
	// err, wait is the pause before the next one. For logs and metrics.
	OnRetry func(key string, attempt int, wait time.Duration, err error)
}

var (
	_ Adapter = (*Retrier)(nil)
	_ Wrapper = (*Retrier)(nil)
)

// Unwrap returns the wrapped adapter, so that its FactReader stays
// visible (AsFactReader).
func (r *Retrier) Unwrap() Adapter {
	if r == nil {
		return nil
	}
	return r.Adapter
}

// errNoAdapter is the Result of every push given to a Retrier without an Adapter.
var errNoAdapter = PermanentError(errors.New("crm: retrier has no adapter"))

// Name returns the wrapped adapter's name.
func (r *Retrier) Name() string {
	if r == nil || r.Adapter == nil {
		return ""
	}
	return r.Adapter.Name()
}

// MaxBatch returns the wrapped adapter's batch size. Upsert itself accepts
// any number of pushes and splits them.
func (r *Retrier) MaxBatch() int {
	if r == nil || r.Adapter == nil {
		return 0
	}
	return r.Adapter.MaxBatch()
}

// Upsert writes the pushes through the adapter, retrying what may succeed
// later; see the type's documentation for the rules.
func (r *Retrier) Upsert(ctx context.Context, pushes []Push) []Result {
	return r.UpsertChunks(ctx, pushes, nil)
}

// UpsertChunks is Upsert that hands over each chunk's results as soon as
// the chunk is done (results[lo:hi] of pushes[lo:hi], final), before the
// next chunk is sent: a caller records the CRM's object ids as they come,
// not after a call of a thousand records (a process killed in between
// lost them all, and the next pass looked every one up again). When done
// returns an error, no further chunk is sent and their results carry it.
func (r *Retrier) UpsertChunks(ctx context.Context, pushes []Push, done func(lo, hi int, results []Result) error) []Result {
	results := make([]Result, len(pushes))
	if len(pushes) == 0 {
		return results
	}
	if r == nil || r.Adapter == nil {
		for i := range results {
			results[i].Err = errNoAdapter
		}
		return results
	}
	c := r.newCall(pushes, results)
	var stop error
	for lo := 0; lo < len(pushes); lo += c.batch {
		hi := min(lo+c.batch, len(pushes))
		if stop == nil {
			stop = c.chunk(ctx, lo, hi)
			if done != nil {
				if err := done(lo, hi, results[lo:hi]); err != nil && stop == nil {
					stop = err
				}
			}
			continue
		}
		for i := lo; i < hi; i++ {
			results[i].Err = stop
		}
	}
	return results
}

// retryCall is the state of one Upsert call: the settings with defaults applied
// and scratch buffers reused by every chunk and attempt.
type retryCall struct {
	r           *Retrier
	pushes      []Push
	results     []Result
	batch       int
	maxAttempts int
	base, max   time.Duration
	sleep       func(context.Context, time.Duration) error
	rand        func() float64
	now         func() time.Time
	deadline    time.Time // zero: no MaxElapsed bound
	send        []Push    // what goes to the adapter
	pending     []int     // indices into pushes still to send
	next        []int     // indices failing retryably in this attempt
}

func (r *Retrier) newCall(pushes []Push, results []Result) *retryCall {
	c := &retryCall{
		r: r, pushes: pushes, results: results,
		batch:       r.Adapter.MaxBatch(),
		maxAttempts: r.MaxAttempts, base: r.Base, max: r.Max,
		sleep: r.Sleep, rand: r.Rand, now: r.Now,
	}
	if c.batch <= 0 || c.batch > len(pushes) {
		c.batch = len(pushes)
	}
	if c.maxAttempts <= 0 {
		c.maxAttempts = DefaultMaxAttempts
	}
	if c.base <= 0 {
		c.base = DefaultBase
	}
	if c.max <= 0 {
		c.max = DefaultMax
	}
	if c.sleep == nil {
		c.sleep = httpkit.Sleep
	}
	if c.now == nil {
		c.now = time.Now
	}
	if elapsed := r.MaxElapsed; elapsed >= 0 {
		if elapsed == 0 {
			elapsed = DefaultMaxElapsed
		}
		c.deadline = c.now().Add(elapsed)
	}
	c.send = make([]Push, 0, c.batch)
	c.pending = make([]int, 0, c.batch)
	c.next = make([]int, 0, c.batch)
	return c
}

// chunk pushes pushes[lo:hi] until each item has succeeded or failed for
// good. It returns nil when the next chunk may go, or the error to give every
// item of the chunks not yet sent when the whole call must stop.
func (c *retryCall) chunk(ctx context.Context, lo, hi int) error {
	c.pending = c.pending[:0]
	for i := lo; i < hi; i++ {
		c.pending = append(c.pending, i)
	}
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return c.stop(attempt-1, fmt.Errorf("crm: not pushed: %w", err), "the context ended")
		}
		after := c.attempt(ctx)
		if len(c.pending) == 0 {
			return nil
		}
		if attempt >= c.maxAttempts {
			c.giveUp(attempt, "no attempts left")
			return nil
		}
		wait := max(httpkit.Backoff{Base: c.base, Max: c.max, Rand: c.rand}.Delay(attempt-1), after)
		now := c.now()
		if !c.deadline.IsZero() && now.Add(wait).After(c.deadline) {
			return c.stop(attempt, RetryableError(errors.New("crm: not pushed: the retry time budget is spent"), after),
				"the retry time budget is spent")
		}
		if d, ok := ctx.Deadline(); ok && now.Add(wait).After(d) {
			return c.stop(attempt, RetryableError(errors.New("crm: not pushed: the context deadline comes before the next attempt"), after),
				"the context deadline comes before the next attempt")
		}
		if c.r.OnRetry != nil {
			for _, i := range c.pending {
				c.r.OnRetry(c.pushes[i].Record.Key, attempt, wait, c.results[i].Err)
			}
		}
		if err := c.sleep(ctx, wait); err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			return c.stop(attempt, fmt.Errorf("crm: not pushed: %w", err), "the wait was cut short")
		}
	}
}

// attempt sends the pending items once, records every outcome in results and
// leaves in pending only the items to retry. It returns the longest
// RetryAfter among them.
func (c *retryCall) attempt(ctx context.Context) (after time.Duration) {
	c.send = c.send[:0]
	for _, i := range c.pending {
		p := c.pushes[i]
		if id := c.results[i].ObjectID; id != "" {
			p.ObjectID = id // an earlier attempt learned it: update, don't look up
		}
		if c.results[i].Err != nil {
			p.New = false // an earlier attempt may have created it
		}
		c.send = append(c.send, p)
	}
	out := c.r.Adapter.Upsert(ctx, c.send)
	var mismatch error
	if len(out) != len(c.send) {
		// A broken adapter: no result can be trusted to belong to its push.
		// Upserts are idempotent, so sending them all again is safe.
		mismatch = RetryableError(fmt.Errorf("crm: %s returned %d results for %d pushes", c.r.Adapter.Name(), len(out), len(c.send)), 0)
	}
	c.next = c.next[:0]
	for k, i := range c.pending {
		var res Result
		if mismatch != nil {
			res.Err = mismatch
		} else {
			res = out[k]
		}
		if res.ObjectID != "" {
			c.results[i].ObjectID = res.ObjectID
		}
		c.results[i].Err = res.Err
		switch {
		case res.Err == nil:
			if c.results[i].ObjectID == "" {
				c.results[i].ObjectID = c.pushes[i].ObjectID
			}
		case IsRetryable(res.Err):
			c.next = append(c.next, i)
			after = max(after, RetryAfter(res.Err))
		}
	}
	c.pending, c.next = c.next, c.pending
	return after
}

// giveUp marks the pending items failed after attempts attempts, keeping each
// item's last error (and so its classification) behind a note of why.
func (c *retryCall) giveUp(attempts int, why string) {
	for _, i := range c.pending {
		c.results[i].Err = &gaveUp{attempts: attempts, why: why, err: c.results[i].Err}
	}
}

// stop ends the call: the pending items of this chunk that were tried give up
// with their last error, those never tried get notSent. It returns notSent for
// the remaining chunks.
func (c *retryCall) stop(attempts int, notSent error, why string) error {
	if attempts == 0 {
		for _, i := range c.pending {
			c.results[i].Err = notSent
		}
		return notSent
	}
	c.giveUp(attempts, why)
	return notSent
}

// gaveUp is a failed Result's error after retries: the last adapter error,
// with how many attempts were made and why they stopped.
type gaveUp struct {
	attempts int
	why      string
	err      error
}

func (e *gaveUp) Error() string {
	if e.attempts == 1 {
		return fmt.Sprintf("crm: not retried (%s): %v", e.why, e.err)
	}
	return fmt.Sprintf("crm: gave up after %d attempts (%s): %v", e.attempts, e.why, e.err)
}

func (e *gaveUp) Unwrap() error { return e.err }
