package webhook_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
	"github.com/dayreport/dayreport/pkg/crm/webhook/webhookfake"
	"github.com/dayreport/dayreport/pkg/report"
)

// BenchmarkPush1000 pushes 1000 records through a crm.Retrier (real clock)
// to the fake receiver. A webhook has no rate floor: one POST per record, so
// it reports the POSTs made per push of 1000 and the POSTs per second.
func BenchmarkPush1000(b *testing.B) {
	fake := webhookfake.New(b, webhookfake.Options{Secret: secret, Token: token})
	r := &crm.Retrier{Adapter: newAdapter(b, fake.URL, secret)}
	pushes := make([]crm.Push, 1000)
	for i := range pushes {
		pushes[i] = crm.Push{Record: crmtest.Record(fmt.Sprintf("emp%04d", i), date, report.Submitted,
			map[string]float64{"new_calls": float64(i), "payments": 1000.5})}
	}
	ctx := b.Context()
	for b.Loop() {
		for i, res := range r.Upsert(ctx, pushes) {
			if res.Err != nil {
				b.Fatalf("push %d: %v", i, res.Err)
			}
		}
	}
	calls := float64(fake.Requests())
	b.ReportMetric(calls/float64(b.N), "calls/op")
	b.ReportMetric(calls/b.Elapsed().Seconds(), "calls/s")
	require.Len(b, fake.Objects(b), 1000)
	require.Zero(b, fake.Rejected())
}
