package httpkit

import (
	"context"
	"math"
	"math/rand/v2"
	"time"
)

// Backoff is Google's truncated exponential backoff with jitter:
//
//	Delay(n) = min(Base·2ⁿ + Rand()·Base, Max)   (n = 0 before the first retry)
//
// A service's own Retry-After is the caller's to apply on top (it wins, even
// above Max). The zero value of Rand is math/rand/v2.Float64. Base and Max
// must be positive.
type Backoff struct {
	Base, Max time.Duration
	// Rand returns the jitter fraction in [0, 1); values outside are
	// clamped (tests pass a constant).
	Rand func() float64
}

// Delay is the wait before retry n (0-based).
func (b Backoff) Delay(n int) time.Duration {
	d := b.Max
	if n >= 0 && n < 62 && b.Base <= b.Max>>n {
		d = b.Base << n
	}
	rnd := b.Rand
	if rnd == nil {
		rnd = rand.Float64
	}
	j := rnd()
	if math.IsNaN(j) || j < 0 {
		j = 0
	} else if j >= 1 {
		j = 0.999999
	}
	d += time.Duration(j * float64(b.Base))
	return min(d, b.Max)
}

// Sleep waits d or until ctx ends, returning ctx's error then; d ≤ 0
// returns at once (ctx's error, if it ended).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
