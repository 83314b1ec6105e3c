package amocrm_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/amocrm/amocrmfake"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
)

// TestConformance runs the shared CRM suite against a fresh fake account per
// subtest, with the rate limit enforced at 7 requests per testPer, and then
// requires that no request of the whole suite went over it.
func TestConformance(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		fakes []*amocrmfake.Server
	)
	crmtest.Run(t, func(t *testing.T) *crmtest.Harness {
		// The adapter paces 7 requests a 300 ms window, the fake counts 7
		// in 200 ms: the suite runs on a real clock and a socket (its
		// Unavailable fault hangs up), where a loaded machine delays one
		// request more than the next and two windows' worth arrive within
		// one (a loaded CI run: 6 runs in 10 saw a violation). The exact
		// pace is TestConcurrentLookupsStayUnderTheLimit's, in a bubble.
		e := newEnv(t, func(s setup) { s.opts.Per = testPer * 3 / 2 })
		mu.Lock()
		fakes = append(fakes, e.fake)
		mu.Unlock()
		t.Cleanup(func() {
			require.Zero(t, e.fake.Violations(), "requests over amoCRM's rate limit")
			require.False(t, e.fake.Blocked(), "the account got blocked")
		})
		return &crmtest.Harness{
			Adapter: e.a,
			Objects: func(testing.TB) []crmtest.Object { return e.fake.Objects() },
			Faults:  e.fake,
			Delete:  func(tb testing.TB, id string) { require.NoError(tb, e.fake.Delete(id)) },
			Secrets: []string{token},
			Logs:    e.logs.String,
		}
	})
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, fakes)
	violations := 0
	for _, f := range fakes {
		violations += f.Violations()
	}
	require.Zero(t, violations, "rate violations over the whole suite")
}

// TestFactsConformance runs the shared FactReader contract: calls from the
// event list and won leads, against a fresh fake account per subtest. It
// does not run in parallel with the package's real-clock rate tests, which
// more load beside them makes flaky on a busy machine.
func TestFactsConformance(t *testing.T) {
	crmtest.RunFacts(t, func(t *testing.T) *crmtest.FactsHarness {
		// 2 s, not 300 ms: every ordinary answer must come within it (the
		// fake hangs 5 s), and a loaded machine running -race can outlast
		// 300 ms. The Timeout subtest pays it once.
		e := factsEnv(t, func(s setup) { s.opts.Timeout = 2 * time.Second })
		t.Cleanup(func() { require.Zero(t, e.fake.Violations(), "requests over amoCRM's rate limit") })
		return &crmtest.FactsHarness{
			Reader: e.a,
			Kinds:  []string{crm.FactCalls, crm.FactWon},
			Record: func(tb testing.TB, kind, user string, at time.Time) {
				id, err := strconv.Atoi(user)
				require.NoError(tb, err)
				switch kind {
				case crm.FactCalls:
					e.fake.AddCall(id, at)
				case crm.FactWon:
					e.fake.AddWonLead(id, at)
				}
			},
			Faults:   e.fake,
			PageSize: 100, // events a page
			Secrets:  []string{token},
		}
	})
}
