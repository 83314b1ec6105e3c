package amocrm

import (
	"context"
	"sync"
	"time"
)

// pacer decides when each request may start. With interval = Per/(rate·(1−
// headroom)) and k = ⌊rate⌋ (at least 1) it keeps two rules over the times
// requests really started, not the times they were promised:
//
//   - window: a start comes at least k·interval after the k-th start before
//     it, so no window of length k·interval holds more than k starts; for
//     amoCRM's 7 per second that is 7 starts per 1/(1−headroom) seconds;
//   - gap: a start comes at least ¾·interval after the one before it, so
//     requests never go out in a burst, even after an idle spell.
//
// Turns are handed out one at a time (whoever holds turn is next) and a start
// is recorded when it happens, so a goroutine that wakes up late on a busy
// machine cannot make the ones after it bunch up: the window rule is about
// real starts. And since the window rule, not a fixed spacing, bounds the
// pace, a late start does not slow every later one down either; the next may
// catch up, down to the gap.
//
// gapNum/gapDen is that ¾.
//
// This is not golang.org/x/time/rate: a token bucket's reservations promise
// slots rather than space real starts, its burst lets several requests out at
// once, and a 429 must stop the requests already waiting for their turn:
// holdOff stops every start until the server's Retry-After has passed,
// including the request whose turn it is.
const gapNum, gapDen = 3, 4

type pacer struct {
	interval time.Duration
	turn     chan struct{} // holds one token: taking it makes you next

	mu     sync.Mutex
	starts []time.Time // the last k starts, oldest first
	k      int
	hold   time.Time // no start before this

	onStart func(time.Time) // tests: called with every start, mu held
}

func newPacer(interval time.Duration, k int) *pacer {
	p := &pacer{interval: interval, turn: make(chan struct{}, 1), k: max(k, 1)}
	p.turn <- struct{}{}
	return p
}

// next is the earliest time the next request may start; p.mu is held.
func (p *pacer) next() time.Time {
	var at time.Time
	if n := len(p.starts); n > 0 {
		at = p.starts[n-1].Add(p.interval * gapNum / gapDen)
		if n == p.k {
			if w := p.starts[0].Add(time.Duration(p.k) * p.interval); w.After(at) {
				at = w
			}
		}
	}
	if p.hold.After(at) {
		at = p.hold
	}
	return at
}

// wait blocks until the caller may start a request, or ctx ends (its error
// is returned then).
func (p *pacer) wait(ctx context.Context) error {
	select {
	case <-p.turn:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { p.turn <- struct{}{} }()
	for {
		p.mu.Lock()
		at := p.next()
		now := time.Now()
		if !at.After(now) {
			if len(p.starts) == p.k {
				p.starts = append(p.starts[:0], p.starts[1:]...)
			}
			p.starts = append(p.starts, now)
			if p.onStart != nil {
				p.onStart(now)
			}
			p.mu.Unlock()
			return nil
		}
		p.mu.Unlock()
		t := time.NewTimer(at.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C: // look again: a hold may have come meanwhile
		}
	}
}

// holdOff stops every start for d from now.
func (p *pacer) holdOff(d time.Duration) {
	if d <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := time.Now().Add(d); until.After(p.hold) {
		p.hold = until
	}
}
