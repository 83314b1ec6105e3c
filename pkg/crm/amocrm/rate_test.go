package amocrm_test

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/amocrm/amocrmfake"
)

func newPushes(n int) []crm.Push {
	pushes := make([]crm.Push, n)
	for i := range pushes {
		pushes[i] = crm.Push{Record: rec(fmt.Sprintf("emp%04d", i), map[string]float64{"new_calls": float64(i)})}
	}
	return pushes
}

// TestConcurrentLookupsStayUnderTheLimit: 120 lookups at once keep to 7
// requests per window, and the pacer wastes little of the rate. It runs in
// a testing/synctest bubble with the fake served in-process: the
// pacer and the fake's window read one fake clock, so a busy machine (CI
// under load) can no longer make a request look early or the pacer slow.
func TestConcurrentLookupsStayUnderTheLimit(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, inProcess)
		const n = 120
		start := time.Now()
		res := e.retrier(5).Upsert(t.Context(), newPushes(n))
		took := time.Since(start)
		for i, r := range res {
			require.NoError(t, r.Err, "push %d", i)
		}
		require.Zero(t, e.fake.Violations(), "no request over 7 per window")
		require.Len(t, e.fake.Objects(), n)
		calls := len(e.fake.Requests())
		require.Equal(t, n+3, calls, "a lookup per key and a create per 50")
		floor := time.Duration(calls-1) * testPer / 7
		require.GreaterOrEqual(t, took, floor, "faster than the rate allows")
		require.Less(t, took, floor*13/10, "the pacer wastes little of the rate")
	})
}

// TestRateLimitAnswerPausesEveryRequest runs in a testing/synctest bubble
// with the fake in-process: on a real clock a busy machine could hold
// several requests in flight past a 429, or spread them over windows.
func TestRateLimitAnswerPausesEveryRequest(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// The account takes 2 requests per window, the adapter sends 7.
		e := newEnv(t, inProcess, func(s setup) { s.fake.Limit = 2; s.fake.BlockAfter = 1000 })
		res := e.upsert(t, newPushes(6)...)
		limited := 0
		for _, r := range res {
			if r.Err != nil {
				require.True(t, crm.IsRetryable(r.Err), "%v", r.Err)
				require.Equal(t, time.Second, crm.RetryAfter(r.Err), "the fake's Retry-After: 1")
				limited++
			}
		}
		require.Positive(t, limited, "some lookups were refused")
		reqs := e.fake.Requests()
		for i, r := range reqs {
			if r.Status != 429 {
				continue
			}
			soon := 0
			for _, later := range reqs[i+1:] {
				if later.At.Sub(r.At) < 900*time.Millisecond {
					soon++
				}
			}
			require.LessOrEqual(t, soon, 1,
				"after a 429 nothing starts before its Retry-After, but for a request already under way (request %d)", i)
		}
	})
}

// TestRepeatedViolationsBlockTheAccount runs in a testing/synctest bubble
// with the fake in-process: on a real clock a busy machine could spread the
// adapter's requests so thin that no window saw a violation.
func TestRepeatedViolationsBlockTheAccount(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// An account that takes 1 request per window and blocks at the second
		// violation: the adapter's 7 per window trips it, and the block must
		// come back as a permanent error saying so.
		e := newEnv(t, inProcess, func(s setup) { s.fake.Limit = 1; s.fake.BlockAfter = 2 })
		var blocked error
		for range 4 {
			for _, r := range e.upsert(t, newPushes(3)...) {
				if r.Err != nil && !crm.IsRetryable(r.Err) {
					blocked = r.Err
				}
			}
			if blocked != nil {
				break
			}
		}
		require.True(t, e.fake.Blocked())
		require.Error(t, blocked)
		require.Contains(t, blocked.Error(), "403 Forbidden")
		require.Contains(t, blocked.Error(), "the account may be blocked")
	})
}

func TestFakeCountsViolationsOfAnUnpacedClient(t *testing.T) {
	t.Parallel()
	// The check behind the "zero violations" assertions: a client that
	// ignores the limit is caught.
	f := amocrmfake.New(t, amocrmfake.Options{Token: token, Per: time.Second})
	for range 9 {
		_, err := httpGet(f.URL+"/api/v4/catalogs/5001/elements", token)
		require.NoError(t, err)
	}
	require.Equal(t, 2, f.Violations())
}
