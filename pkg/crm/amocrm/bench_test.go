package amocrm_test

import (
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/amocrm"
)

// benchPer is the benchmark's rate window: 7 requests per 100ms, ten times
// amoCRM's pace, so that 1000 records take 15 seconds rather than two and a
// half minutes. The adapter's 5% headroom is 5ms at this scale, which still
// covers the scheduling jitter of a busy machine (about 2ms at worst here);
// at 50ms it did not.
const benchPer = 200 * time.Millisecond

// BenchmarkPush1000 pushes 1000 new records through a crm.Retrier (as the app
// does) into an empty fake account limited to 7 requests per benchPer, and
// reports:
//
//	calls/op       REST requests sent
//	floor-calls/op the fewest the contract allows: one lookup per new key
//	               plus ⌈1000/MaxBatch⌉ creates
//	calls/floor    their ratio (1 is optimal)
//	wall/floor     wall time over the time the rate limit alone imposes on
//	               floor-calls (goal ≤ 1.1; the adapter keeps 5% headroom)
//	violations/op  requests the fake refused for exceeding the rate (must be 0)
func BenchmarkPush1000(b *testing.B) {
	const n = 1000
	floorCalls := n + (n+amocrm.MaxBatch-1)/amocrm.MaxBatch
	floorTime := time.Duration(floorCalls) * benchPer / amocrm.MaxRequestsPerSecond
	pushes := newPushes(n)
	var calls, violations int
	var wall time.Duration
	for range b.N {
		b.StopTimer()
		e := newEnv(b, func(s setup) {
			s.fake.Per = benchPer
			s.opts.Per = benchPer
			s.opts.Timeout = 5 * time.Second
			s.opts.Log = s.opts.Log.Level(zerolog.InfoLevel) // no debug line per request
		})
		r := &crm.Retrier{Adapter: e.a}
		b.StartTimer()
		start := time.Now()
		res := r.Upsert(b.Context(), pushes)
		wall += time.Since(start)
		b.StopTimer()
		for i, x := range res {
			if x.Err != nil {
				b.Fatalf("push %d: %v", i, x.Err)
			}
		}
		if got := len(e.fake.Objects()); got != n {
			b.Fatalf("%d elements, want %d", got, n)
		}
		calls += len(e.fake.Requests())
		violations += e.fake.Violations()
		b.StartTimer()
	}
	b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
	b.ReportMetric(float64(floorCalls), "floor-calls/op")
	b.ReportMetric(float64(calls)/float64(b.N)/float64(floorCalls), "calls/floor")
	b.ReportMetric(wall.Seconds()/float64(b.N)/floorTime.Seconds(), "wall/floor")
	b.ReportMetric(float64(violations)/float64(b.N), "violations/op")
	if violations > 0 {
		b.Errorf("%d requests over the rate limit", violations)
	}
}
