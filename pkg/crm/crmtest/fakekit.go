package crmtest

// The kit every fake CRM builds on: the fault queue that makes a fake a
// Faults, a request recorder, and the listener on 127.0.0.1.

import (
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dayreport/dayreport/pkg/httpkit"
)

// FaultQueue is the fault injection of a fake CRM: the faults queued for
// the next requests, how many creates are to be stored and then answered
// as if they had failed (AmbiguousCreate), and the hang-ups that Reset
// releases. Embed it in a fake: its Inject and Reset make the fake a
// Faults, and the fake asks Next at every request and Ambiguous when a
// request creates something. The zero value is ready; it is safe for
// concurrent use and takes no lock of the fake's.
type FaultQueue struct {
	mu        sync.Mutex
	faults    []Fault
	ambiguous int
	release   chan struct{}
	closed    bool
}

// Inject makes the next times requests fail with f (AmbiguousCreate: the
// next times creates are stored and their answer lost). Injections queue up.
func (q *FaultQueue) Inject(f Fault, times int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if f == AmbiguousCreate {
		q.ambiguous += times
		return
	}
	for range times {
		q.faults = append(q.faults, f)
	}
}

// Reset clears every pending fault and releases the requests hanging in
// Hang: the CRM answers normally again.
func (q *FaultQueue) Reset() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.faults, q.ambiguous = nil, 0
	q.releaseLocked()
}

// Close releases the hanging requests for good (call it before closing the
// fake's server, so that the server does not wait for them).
func (q *FaultQueue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.releaseLocked()
	q.closed = true
}

func (q *FaultQueue) releaseLocked() {
	if q.release != nil && !q.closed {
		close(q.release)
	}
	q.release = nil
}

// Next takes the fault for this request, 0 when none is queued.
func (q *FaultQueue) Next() Fault {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.faults) == 0 {
		return 0
	}
	f := q.faults[0]
	q.faults = q.faults[1:]
	return f
}

// Ambiguous reports whether the create at hand is to be stored with its
// answer lost, and counts it.
func (q *FaultQueue) Ambiguous() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.ambiguous == 0 {
		return false
	}
	q.ambiguous--
	return true
}

// Hang keeps r waiting, the Timeout fault: until the client gives up,
// Reset or Close, or at most limit.
func (q *FaultQueue) Hang(r *http.Request, limit time.Duration) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	if q.release == nil {
		q.release = make(chan struct{})
	}
	release := q.release
	q.mu.Unlock()
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-r.Context().Done():
	case <-release:
	case <-t.C:
	}
}

// HangUp drops the connection of w without an answer: the Unavailable
// fault, or a create whose answer is lost.
func HangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err) // the fakes' servers are plain HTTP/1.1: hijacking works
	}
	_ = conn.Close()
}

// Counter is a count a fake keeps (requests, rate violations), safe for
// concurrent use; the zero value is 0.
type Counter struct{ n atomic.Int64 }

// Inc adds one and returns the new count.
func (c *Counter) Inc() int { return int(c.n.Add(1)) }

// Value is the count.
func (c *Counter) Value() int { return int(c.n.Load()) }

// Recorder keeps what a fake received, in order. The zero value is ready;
// it is safe for concurrent use.
type Recorder[T any] struct {
	mu  sync.Mutex
	log []T
}

// Add records v.
func (r *Recorder[T]) Add(v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, v)
}

// All returns a copy of what was recorded.
func (r *Recorder[T]) All() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.log)
}

// Len is how many were recorded.
func (r *Recorder[T]) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.log)
}

// Clear forgets what was recorded.
func (r *Recorder[T]) Clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = nil
}

// InProcess is an HTTP client that serves every request with h, in the
// calling goroutine (httpkit.InProcess): for the CRM fakes' tests in a
// testing/synctest bubble.
func InProcess(h http.Handler) *http.Client { return httpkit.InProcess(h) }

// Serve starts h on 127.0.0.1 only (never another interface, whatever the
// httptest flags say) and closes it when tb ends, after cleanup (nil: none)
// has run, so that hanging requests can be released first.
func Serve(tb testing.TB, h http.Handler, cleanup func()) *httptest.Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("crmtest: listen: %v", err)
	}
	srv := httptest.NewUnstartedServer(h)
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	tb.Cleanup(func() {
		if cleanup != nil {
			cleanup()
		}
		srv.Close()
	})
	return srv
}
