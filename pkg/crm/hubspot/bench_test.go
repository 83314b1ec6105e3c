package hubspot_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/hubspot"
)

// BenchmarkPush1000 pushes 1000 records through a crm.Retrier on the real
// clock into a fresh HubSpot (fake and adapter built with the timer
// stopped: a daemon pass after a quiet spell). The fake's clock runs scale×
// faster than HubSpot's, so its 10 s window lasts 1 s (×10) or 100 ms
// (×100). It reports
//
//	calls/op    batch requests made
//	floor/op    ceil(1000/100), the fewest requests possible
//	wall/floor  wall time ÷ (floor requests ÷ the rate limit): 1.0 means the
//	            push took as long as the limit forces 10 requests to take
//
// At ×100 the floor (10 ms) is less than what encoding and decoding 1000
// records costs client and fake together in one process, so wall/floor
// there measures JSON, not pacing; ×10 is the meaningful figure.
func BenchmarkPush1000(b *testing.B) {
	for _, scale := range []float64{10, 100} {
		b.Run(fmt.Sprintf("scale=%g", scale), func(b *testing.B) { benchPush(b, scale, true) })
	}
}

// BenchmarkPush1000Sustained is BenchmarkPush1000 with one adapter for every
// iteration, so that each push starts where the rate limiter left the last
// one: the steady pace, 90% of the limit by design (wall/floor ≈ 1.11).
func BenchmarkPush1000Sustained(b *testing.B) {
	benchPush(b, 10, false)
}

func benchPush(b *testing.B, scale float64, fresh bool) {
	pushes := records(1000)
	ctx := b.Context()
	var calls, violations int
	fake, a := setup(b, scale, hubspot.Options{Timeout: 5 * time.Second})
	for b.Loop() {
		if fresh {
			b.StopTimer()
			calls += fake.Requests()
			violations += fake.Violations()
			fake, a = setup(b, scale, hubspot.Options{Timeout: 5 * time.Second})
			b.StartTimer()
		}
		r := &crm.Retrier{Adapter: a}
		for i, res := range r.Upsert(ctx, pushes) {
			if res.Err != nil {
				b.Fatalf("push %d: %v", i, res.Err)
			}
		}
	}
	calls += fake.Requests()
	violations += fake.Violations()
	if violations > 0 {
		b.Fatalf("%d requests over the rate limit", violations)
	}
	floor := math.Ceil(float64(len(pushes)) / hubspot.MaxBatch)
	rate := float64(fake.Limit()) / fake.Window().Seconds() // requests per second
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
	b.ReportMetric(floor, "floor/op")
	b.ReportMetric(perOp/(floor/rate), "wall/floor")
}
