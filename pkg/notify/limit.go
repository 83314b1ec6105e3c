package notify

import (
	"context"
	"sync"
	"time"

	"github.com/dayreport/dayreport/pkg/httpkit"
)

// window lets at most n requests reach a service within any span of time.
//
// A slot is taken before a request leaves and given back only span after
// its answer arrived. A request reaches the server between those two
// moments, so whatever the network's jitter, no n+1 requests arrive within
// one span: at the departure of the last of them, the other n would all
// still hold their slots. (A token bucket spaces departures, not arrivals,
// and a server that counts arrivals sees the jitter as bursts.)
type window struct {
	n    int
	span time.Duration

	mu    sync.Mutex
	busy  int         // slots held by requests in flight
	freed []time.Time // when the slots of answered requests come back, ascending
	wake  chan struct{}
}

func newWindow(n int, span time.Duration) *window {
	return &window{n: n, span: span, wake: make(chan struct{})}
}

// acquire takes a slot, waiting for one as long as ctx allows.
func (w *window) acquire(ctx context.Context) error {
	for {
		w.mu.Lock()
		now := time.Now()
		i := 0
		for i < len(w.freed) && !w.freed[i].After(now) {
			i++
		}
		w.freed = w.freed[i:]
		if w.busy+len(w.freed) < w.n {
			w.busy++
			w.mu.Unlock()
			return nil
		}
		wake := w.wake
		var timer *time.Timer
		var expired <-chan time.Time
		if len(w.freed) > 0 {
			timer = time.NewTimer(w.freed[0].Sub(now))
			expired = timer.C
		}
		w.mu.Unlock()
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return ctx.Err()
		case <-wake: // every slot was in flight; one was answered
		case <-expired:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// release gives a slot back, span from now.
func (w *window) release() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.busy--
	w.freed = append(w.freed, time.Now().Add(w.span))
	close(w.wake)
	w.wake = make(chan struct{})
}

// gate serialises the messages to one chat and spaces them: a Send holds
// the gate for all the parts of its message (so that two messages never
// interleave), and each request leaves no earlier than next, which is set
// from the moment the previous answer arrived (so that the server, too,
// sees them at least the interval apart).
type gate struct {
	lock  chan struct{} // one slot: taken while a Send to the chat runs
	next  time.Time     // guarded by lock
	users int           // Sends holding or waiting for the gate; guarded by gates.mu
}

// gates are the per-chat gates of a channel.
type gates struct {
	mu sync.Mutex
	m  map[string]*gate
}

// maxIdleGates is how many gates may pile up before the idle ones are dropped.
const maxIdleGates = 1024

// enter waits for the chat's gate.
func (g *gates) enter(ctx context.Context, chat string) (*gate, error) {
	g.mu.Lock()
	if g.m == nil {
		g.m = map[string]*gate{}
	}
	c, ok := g.m[chat]
	if !ok {
		if len(g.m) >= maxIdleGates {
			g.sweep()
		}
		c = &gate{lock: make(chan struct{}, 1)}
		g.m[chat] = c
	}
	c.users++
	g.mu.Unlock()
	select {
	case c.lock <- struct{}{}:
		return c, nil
	case <-ctx.Done():
		g.mu.Lock()
		c.users--
		g.mu.Unlock()
		return nil, ctx.Err()
	}
}

// leave releases a gate taken by enter.
func (g *gates) leave(c *gate) {
	<-c.lock
	g.mu.Lock()
	c.users--
	g.mu.Unlock()
}

// sweep drops the gates nobody uses whose interval is over. Called with mu
// held; a gate without users is not touched by anyone else.
func (g *gates) sweep() {
	now := time.Now()
	for chat, c := range g.m {
		if c.users == 0 && !c.next.After(now) {
			delete(g.m, chat)
		}
	}
}

// sleepUntil waits until t or ctx's end.
func sleepUntil(ctx context.Context, t time.Time) error {
	return httpkit.Sleep(ctx, time.Until(t))
}
