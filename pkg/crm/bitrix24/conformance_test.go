package bitrix24_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24/bitrix24fake"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
)

// harnessTimeout is the adapter's per-request timeout in the suite: what
// turns the Timeout fault (the fake hangs 30 s) into an error, so every
// ordinary answer must come well within it. It was 500 ms, which a loaded
// machine running -race can outlast; the Timeout subtests pay 2 s once.
const harnessTimeout = 2 * time.Second

// TestConformance runs the shared suite against a fresh fake portal per
// subtest, twice: with the field mapping Setup printed in the config and a
// 503 QUERY_LIMIT_EXCEEDED rate limit, and with the default field names and
// a 429 OPERATION_TIME_LIMIT one. No subtest may overflow the portal's leaky
// bucket.
func TestConformance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		limit      bitrix24fake.RateLimit
		configured bool
	}{
		{"QueryLimit/ConfiguredFields", bitrix24fake.QueryLimit, true},
		{"OperationLimit/DefaultFieldNames", bitrix24fake.OperationLimit, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var fakes []*bitrix24fake.Fake
			crmtest.Run(t, func(t *testing.T) *crmtest.Harness {
				p := newPortal(t, bitrix24fake.Options{RateLimit: tc.limit}, tc.configured)
				mu.Lock()
				fakes = append(fakes, p.fake)
				mu.Unlock()
				t.Cleanup(func() {
					if v := p.fake.Violations(); v != 0 {
						t.Errorf("%d requests overflowed the portal's leaky bucket", v)
					}
				})
				return &crmtest.Harness{
					// Short enough for Fault/Timeout, long enough that a loaded
					// CI machine running -race does not time out a 50-command
					// batch (100ms did, now and then).
					Adapter: p.adapter(t, bitrix24.Options{Timeout: harnessTimeout}),
					Objects: p.fake.Objects, Faults: p.fake, Delete: p.fake.Delete,
					Secrets: p.secrets(), Logs: p.logs.String,
				}
			})
			violations := 0
			for _, f := range fakes {
				violations += f.Violations()
			}
			require.NotEmpty(t, fakes)
			require.Zero(t, violations, "leaky-bucket violations over the whole suite")
		})
	}
}

// TestFactsConformance runs the shared FactReader contract: the five kinds
// a portal records, read in batches, against a fresh fake portal per
// subtest.
func TestFactsConformance(t *testing.T) {
	// Not parallel: the package's rate tests run on the real clock.
	crmtest.RunFacts(t, func(t *testing.T) *crmtest.FactsHarness {
		fake, a := factsPortal(t, bitrix24fake.Options{}, bitrix24.Options{Timeout: harnessTimeout})
		return &crmtest.FactsHarness{
			Reader: &crm.Retrier{Adapter: a}, // read through a wrapper, as the app does
			Kinds:  []string{crm.FactCalls, crm.FactProposals, crm.FactInvoices, crm.FactWon, crm.FactPayments},
			Record: func(tb testing.TB, kind, user string, at time.Time) {
				id, err := strconv.Atoi(user)
				require.NoError(tb, err)
				switch kind {
				case crm.FactCalls:
					fake.AddCall(id, at)
				case crm.FactProposals:
					fake.AddEstimate(id, at)
				case crm.FactInvoices:
					fake.AddInvoice(id, at)
				case crm.FactWon:
					fake.AddWonDeal(id, at)
				case crm.FactPayments:
					fake.AddPaidInvoice(id, at, at)
				}
			},
			Faults:   fake,
			PageSize: bitrix24.MaxBatch, // list pages of 50
			Secrets:  []string{fake.Code(), fake.WebhookURL()},
		}
	})
}
