package bitrix24

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24/bitrix24fake"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// benchScale runs the real bucket (50 requests, 2 per second) this many
// times faster, on both sides.
const benchScale = 50.0

// BenchmarkPush1000 pushes 1000 new records through a crm.Retrier to a fake
// portal whose bucket is full when each run starts (the steady state of a
// busy portal), so every request waits its turn at the drain rate. It
// reports:
//
//	calls/op        REST requests made per 1000 records
//	lookups/op      crm.item.list requests among them
//	floor-calls/op  ceil(1000/50) batch calls + ceil(1000/50) lookups (a list
//	                page holds 50 items, so 50 new keys need one lookup)
//	wall/rate-floor wall time ÷ (floor calls ÷ drain rate): 1.0 is the best
//	                the bucket allows
//	real-s/op       the wall time per 1000 records at the real 2 requests/s
//	violations      requests the portal refused for a full bucket
func BenchmarkPush1000(b *testing.B) { push1000(b, false) }

// BenchmarkPush1000New is BenchmarkPush1000 with records the outbox knows
// were never sent (crm.Push.New, the first pass's records): created without
// a lookup, so the floor is ceil(1000/50) batch calls.
func BenchmarkPush1000New(b *testing.B) { push1000(b, true) }

func push1000(b *testing.B, isNew bool) {
	const n = 1000
	ctx := context.Background()
	fake := bitrix24fake.New(b, bitrix24fake.Options{Scale: benchScale})
	cfg := config.Bitrix24CRM{WebhookURL: config.Secret(fake.WebhookURL()), RequestsPerSecond: DefaultRequestsPerSecond}
	keys := []string{"new_calls", "primary_calls", "repeat_calls", "proposals_sent", "invoices_issued", "contracts_signed", "payments", "feedback_calls"}
	metrics := make([]Metric, len(keys))
	for i, k := range keys {
		metrics[i] = Metric{Key: k}
	}
	m, err := Setup(ctx, cfg, SetupOptions{Options: Options{TimeScale: benchScale}, Metrics: metrics})
	if err != nil {
		b.Fatal(err)
	}
	cfg.EntityTypeID, cfg.SPAID, cfg.Fields = m.EntityTypeID, m.SPAID, m.Fields
	a, err := New(cfg, Options{TimeScale: benchScale})
	if err != nil {
		b.Fatal(err)
	}
	r := &crm.Retrier{Adapter: a, MaxElapsed: -1}
	date := day.New(2026, time.November, 26)

	fake.Fill() // someone used the bucket up …
	a.c.drain() // … and the adapter knows: no burst, only the drain rate
	before := len(fake.Requests())
	var elapsed time.Duration
	round := 0
	for b.Loop() {
		pushes := make([]crm.Push, n)
		for i := range pushes {
			rec := crm.Record{
				Key: crm.Key(fmt.Sprintf("e%d-%04d", round, i), date), Employee: fmt.Sprintf("e%d-%04d", round, i),
				Date: date, Status: report.Submitted, CRMUserID: "17",
				Metrics: map[string]float64{"new_calls": float64(i % 40), "repeat_calls": 7, "proposals_sent": 3, "payments": 1},
				Notes:   "Решённые задачи: звонки по базе, встреча с клиентом",
			}
			pushes[i] = crm.Push{Record: rec, New: isNew}
		}
		round++
		start := time.Now()
		for i, res := range r.Upsert(ctx, pushes) {
			if res.Err != nil {
				b.Fatalf("push %d: %v", i, res.Err)
			}
		}
		elapsed += time.Since(start)
	}
	reqs := fake.Requests()[before:]
	lookups := 0
	for _, q := range reqs {
		if q.Method == "crm.item.list" {
			lookups++
		}
	}
	rounds := float64(round)
	// The floor: one batch per 50 records, and one lookup per 50 new keys
	// (a list page holds 50 items).
	chunks := float64((n + MaxBatch - 1) / MaxBatch)
	floorCalls := 2 * chunks
	if isNew {
		floorCalls = chunks
	}
	rateFloor := floorCalls / (DefaultRequestsPerSecond * benchScale) // seconds per op
	perOp := elapsed.Seconds() / rounds
	b.ReportMetric(float64(len(reqs))/rounds, "calls/op")
	b.ReportMetric(float64(lookups)/rounds, "lookups/op")
	b.ReportMetric(floorCalls, "floor-calls/op")
	b.ReportMetric(perOp/rateFloor, "wall/rate-floor")
	b.ReportMetric(perOp*benchScale, "real-s/op")
	b.ReportMetric(float64(fake.Violations()), "violations")
}
