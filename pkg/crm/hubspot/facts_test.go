package hubspot_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
	"github.com/dayreport/dayreport/pkg/crm/hubspot"
	"github.com/dayreport/dayreport/pkg/crm/hubspot/hubspotfake"
	"github.com/dayreport/dayreport/pkg/day"
)

// The fact tests run one after another, before the package's parallel
// tests, whose timing they would otherwise disturb (and be disturbed by).

// factsScale runs the fakes' clocks twice as fast: a search window of
// 500 ms, searches 156 ms apart, so a search may reach the fake up to 125 ms
// late without a window holding five. At five times (50 ms of slack) the
// scheduling jitter of a loaded 2-core machine under -race broke it once.
const factsScale = 2

// factsSetup starts a fake whose clock runs factsScale× faster and an adapter
// paced to both of its limits; fo's token is the test token unless set.
func factsSetup(t *testing.T, fo hubspotfake.Options, opts hubspot.Options) (*hubspotfake.Server, *hubspot.Adapter) {
	t.Helper()
	if fo.Token == "" {
		fo.Token = token
	}
	fo.ObjectType, fo.Scale = objectType, factsScale
	fake := hubspotfake.New(t, fo)
	if fo.InProcess {
		opts.HTTPClient = fake.Client()
	}
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.RateWindow == 0 {
		opts.RateWindow, opts.RateLimit = fake.Window(), fake.Limit()
	}
	if opts.SearchWindow == 0 {
		opts.SearchWindow = fake.SearchWindow()
	}
	if opts.SearchLimit == 0 {
		opts.SearchLimit = fake.SearchLimit()
	}
	a, err := hubspot.New(config.HubSpot{BaseURL: fake.URL, Token: token, ObjectType: objectType}, opts)
	require.NoError(t, err)
	return fake, a
}

func at(d day.Date, loc *time.Location, hour, minute int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, loc)
}

func both(calls, won float64) crm.Facts { return crm.Facts{crm.FactCalls: calls, crm.FactWon: won} }

// count is one fact as a whole number.
func count(f crm.Facts, kind string) int { return int(f[kind]) }

// TestFactsDayInZone: three owners over a day in Novosibirsk (UTC+7): calls
// and won deals from 00:00 to 24:00 there count, 23:30 included, 00:10 the
// next day not; lost deals and other owners' records do not; an owner with
// nothing has zeros, an id that is not a number is left out. One search per
// kind, with IN on the owners and GTE/LT on the day in milliseconds.
func TestFactsDayInZone(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Novosibirsk")
	require.NoError(t, err)
	d := day.New(2026, time.November, 26)
	fake, a := factsSetup(t, hubspotfake.Options{}, hubspot.Options{})
	fake.AddCall("101", at(d, loc, 9, 0))
	fake.AddCall("101", at(d, loc, 23, 30))
	fake.AddCall("101", at(d, loc, 24, 10))
	fake.AddCall("101", at(d, loc, -1, 59))
	fake.AddCall("101", at(d, loc, 0, 0))
	fake.AddCall("102", at(d, loc, 3, 0)) // 20:00 UTC the day before
	fake.AddCall("999", at(d, loc, 12, 0))
	fake.AddWonDeal("101", at(d, loc, 15, 0))
	fake.AddWonDeal("101", at(d, loc, 24, 10))
	fake.AddDeal("101", at(d, loc, 16, 0), false)
	fake.AddWonDeal("102", at(d, loc, 23, 30))
	fake.AddWonDeal("999", at(d, loc, 12, 0))

	got, err := a.Facts(t.Context(), []string{"101", "102", "103", "104", "ivanov"}, d, loc)
	require.NoError(t, err)
	require.Equal(t, map[string]crm.Facts{"101": both(3, 1), "102": both(1, 1), "103": both(0, 0), "104": both(0, 0)}, got)
	require.Equal(t, 2, fake.Searches())
	require.Equal(t, 2, fake.Requests())

	from, to := strconv.FormatInt(at(d, loc, 0, 0).UnixMilli(), 10), strconv.FormatInt(at(d, loc, 24, 0).UnixMilli(), 10)
	bodies := fake.SearchBodies()
	require.JSONEq(t, `{"filterGroups":[{"filters":[
		{"propertyName":"hubspot_owner_id","operator":"IN","values":["101","102","103","104"]},
		{"propertyName":"hs_timestamp","operator":"GTE","value":"`+from+`"},
		{"propertyName":"hs_timestamp","operator":"LT","value":"`+to+`"}]}],
		"properties":["hubspot_owner_id"],"limit":200}`, string(bodies[0]))
	require.JSONEq(t, `{"filterGroups":[{"filters":[
		{"propertyName":"hubspot_owner_id","operator":"IN","values":["101","102","103","104"]},
		{"propertyName":"closedate","operator":"GTE","value":"`+from+`"},
		{"propertyName":"closedate","operator":"LT","value":"`+to+`"},
		{"propertyName":"hs_is_closed_won","operator":"EQ","value":"true"}]}],
		"properties":["hubspot_owner_id"],"limit":200}`, string(bodies[1]))
}

// TestFactsCallsForNUsers: one search per kind for up to 100 owners (a
// search body holds 3,000 characters), one more per kind for every 100 after.
func TestFactsCallsForNUsers(t *testing.T) {
	d := day.New(2026, time.November, 26)
	for n, want := range map[int]int{1: 2, 3: 2, 100: 2, 101: 4, 250: 6} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			fake, a := factsSetup(t, hubspotfake.Options{}, hubspot.Options{})
			owners := make([]string, n)
			for i := range owners {
				owners[i] = strconv.Itoa(90000000 + i)
			}
			fake.AddCall(owners[n-1], at(d, time.UTC, 10, 0))
			fake.AddWonDeal(owners[0], at(d, time.UTC, 11, 0))
			got, err := a.Facts(t.Context(), owners, d, time.UTC)
			require.NoError(t, err)
			require.Len(t, got, n)
			require.Equal(t, 1, count(got[owners[n-1]], crm.FactCalls))
			require.Equal(t, 1, count(got[owners[0]], crm.FactWon))
			require.Equal(t, want, fake.Searches())
			for _, b := range fake.SearchBodies() {
				require.LessOrEqual(t, len(b), 3000)
			}
			require.Zero(t, fake.SearchViolations())
		})
	}
}

// TestFactsPaging: past one page of 200 the adapter takes the cheaper way:
// the remaining pages when there are fewer of them than owners, else a
// total per owner; and totals per owner past the 10,000 results a search
// can page through.
func TestFactsPaging(t *testing.T) {
	d := day.New(2026, time.November, 26)
	t.Run("pages", func(t *testing.T) {
		fake, a := factsSetup(t, hubspotfake.Options{}, hubspot.Options{})
		owners := []string{"1", "2", "3", "4", "5"}
		for i := range 450 {
			fake.AddCall(owners[i%5], at(d, time.UTC, 8, 0).Add(time.Duration(i)*time.Second))
		}
		got, err := a.Facts(t.Context(), owners, d, time.UTC)
		require.NoError(t, err)
		for _, o := range owners {
			require.Equal(t, both(90, 0), got[o])
		}
		require.Equal(t, 3+1, fake.Searches(), "three pages of calls, one of deals")
	})
	t.Run("totals", func(t *testing.T) {
		fake, a := factsSetup(t, hubspotfake.Options{}, hubspot.Options{})
		for i := range 450 {
			fake.AddCall("7", at(d, time.UTC, 8, 0).Add(time.Duration(i)*time.Second))
		}
		got, err := a.Facts(t.Context(), []string{"7"}, d, time.UTC)
		require.NoError(t, err)
		require.Equal(t, both(450, 0), got["7"])
		require.Equal(t, 2+1, fake.Searches(), "one page, then the owner's total rather than two more pages")
	})
	// 22 searches under the search limit: on a synctest bubble's clock with
	// the fake in-process (the real clock under load made it flaky).
	t.Run("beyond 10000", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			fake, a := factsSetup(t, hubspotfake.Options{InProcess: true}, hubspot.Options{})
			owners := make([]string, 20)
			for i := range owners {
				owners[i] = strconv.Itoa(500 + i)
			}
			for i := range 10_050 {
				fake.AddCall(owners[i%3], at(d, time.UTC, 8, 0).Add(time.Duration(i)*time.Second))
			}
			got, err := a.Facts(t.Context(), owners, d, time.UTC)
			require.NoError(t, err)
			require.Equal(t, 3350, count(got["500"], crm.FactCalls))
			require.Equal(t, 0, count(got["519"], crm.FactCalls))
			require.Equal(t, 1+20+1, fake.Searches(), "the first page, a total for each owner, the deals")
			require.Zero(t, fake.SearchViolations())
		})
	})
}

// TestFactsFaults: a refused search leaves its kind out and says why,
// classified as Upsert's errors are; the other kind is still read unless
// the failure would refuse it too (a rate limit, no answer).
func TestFactsFaults(t *testing.T) {
	d := day.New(2026, time.November, 26)
	for _, tc := range []struct {
		name      string
		fault     crmtest.Fault
		retryable bool
		after     bool
		text      string
		stops     bool // the next search is not sent
	}{
		{"RateLimited", crmtest.RateLimited, true, true, "429", true},
		{"ServerError", crmtest.ServerError, true, false, "500", false},
		{"Unavailable", crmtest.Unavailable, true, false, "EOF", true},
		{"Timeout", crmtest.Timeout, true, false, "no answer within", true},
		{"BadRequest", crmtest.BadRequest, false, false, "400", false},
	} {
		run := func(t *testing.T) {
			opts := hubspot.Options{}
			fo := hubspotfake.Options{Hang: 5 * time.Second}
			if tc.fault == crmtest.Timeout {
				// In a testing/synctest bubble, in-process: the 300 ms
				// are the bubble's, and a busy machine cannot make an
				// ordinary answer outlast them.
				opts.Timeout = 300 * time.Millisecond
				fo.InProcess = true
			}
			fake, a := factsSetup(t, fo, opts)
			fake.AddCall("1", at(d, time.UTC, 10, 0))
			fake.AddWonDeal("1", at(d, time.UTC, 11, 0))
			fake.Inject(tc.fault, 1)
			got, err := a.Facts(t.Context(), []string{"1"}, d, time.UTC)
			require.Error(t, err)
			require.Equal(t, tc.retryable, crm.IsRetryable(err), "%v", err)
			require.Equal(t, tc.after, crm.RetryAfter(err) > 0, "%v", err)
			require.ErrorContains(t, err, "calls: hubspot: POST /crm/v3/objects/calls/search")
			require.ErrorContains(t, err, tc.text)
			require.NotContains(t, err.Error(), token)
			if tc.stops {
				require.Nil(t, got)
				require.ErrorContains(t, err, "won: hubspot: not read after the failure above")
				require.Equal(t, 1, fake.Searches(), "nothing sent after a failure the next search would share")
				return
			}
			require.Equal(t, map[string]crm.Facts{"1": {crm.FactWon: 1}}, got, "the won deals are still read")

			fake.Inject(tc.fault, 2)
			got, err = a.Facts(t.Context(), []string{"1"}, d, time.UTC)
			fake.Reset()
			require.Error(t, err)
			require.Nil(t, got)
			require.ErrorContains(t, err, "won: ")
			require.Equal(t, tc.retryable, crm.IsRetryable(err))
		}
		t.Run(tc.name, func(t *testing.T) {
			if tc.fault == crmtest.Timeout {
				synctest.Test(t, run)
				return
			}
			run(t) // Unavailable hangs up a socket: not in-process
		})
	}
}

// TestFactsAuth: a refused token is permanent and never shown; a token
// without write scopes may still search.
func TestFactsAuth(t *testing.T) {
	d := day.New(2026, time.November, 26)
	_, a := factsSetup(t, hubspotfake.Options{Token: "pat-na1-other-token-0000"}, hubspot.Options{})
	got, err := a.Facts(t.Context(), []string{"1"}, d, time.UTC)
	require.Error(t, err)
	require.Nil(t, got)
	require.False(t, crm.IsRetryable(err))
	require.ErrorContains(t, err, "401")
	require.NotContains(t, err.Error(), token)

	fake, a := factsSetup(t, hubspotfake.Options{Token: "pat-na1-writer-0000", ReadOnlyToken: token}, hubspot.Options{})
	fake.AddCall("1", at(d, time.UTC, 10, 0))
	got, err = a.Facts(t.Context(), []string{"1"}, d, time.UTC)
	require.NoError(t, err)
	require.Equal(t, both(1, 0), got["1"])
}

// TestFactsSearchLimit: searches keep to the search limit on top of the
// general one; an adapter told a search limit far too high is caught by the
// fake, and its 429 asks to wait a search window.
func TestFactsSearchLimit(t *testing.T) {
	// On a synctest bubble's clock with the fakes in-process: the pacer and
	// the fake's window read one clock (the real one under load was flaky).
	synctest.Test(t, testFactsSearchLimit)
}

func testFactsSearchLimit(t *testing.T) {
	d := day.New(2026, time.November, 26)
	fake, a := factsSetup(t, hubspotfake.Options{InProcess: true}, hubspot.Options{})
	owners := make([]string, 250)
	for i := range owners {
		owners[i] = strconv.Itoa(1 + i)
	}
	start := time.Now()
	for range 3 {
		_, err := a.Facts(t.Context(), owners, d, time.UTC)
		require.NoError(t, err)
	}
	elapsed := time.Since(start)
	require.Equal(t, 18, fake.Searches())
	require.Zero(t, fake.SearchViolations())
	require.Zero(t, fake.Violations())
	// 18 searches, one at once then 0.8 × 4 per window.
	require.GreaterOrEqual(t, elapsed, time.Duration(float64(17)/3.2*float64(fake.SearchWindow())))

	greedy, fast := factsSetup(t, hubspotfake.Options{InProcess: true}, hubspot.Options{SearchLimit: 1000})
	var err error
	for range 3 {
		if _, err = fast.Facts(t.Context(), owners, d, time.UTC); err != nil {
			break
		}
	}
	require.Error(t, err)
	require.Positive(t, greedy.SearchViolations())
	require.True(t, crm.IsRetryable(err))
	require.Equal(t, greedy.SearchWindow(), crm.RetryAfter(err))
	require.ErrorContains(t, err, "SECONDLY")
}

// TestFactsEdges: no usable owner asks nothing; a cancelled context is not
// retried; the fake refuses what HubSpot would (a page over 200, past the
// 10,000th result, an unknown property or operator, a body over 3,000
// characters).
func TestFactsEdges(t *testing.T) {
	d := day.New(2026, time.November, 26)
	fake, a := factsSetup(t, hubspotfake.Options{}, hubspot.Options{})
	got, err := a.Facts(t.Context(), []string{"ivanov", "0", ""}, d, time.UTC)
	require.NoError(t, err)
	require.Empty(t, got)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = a.Facts(ctx, []string{"1"}, d, time.UTC)
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, crm.IsRetryable(err))
	require.Zero(t, fake.Requests())

	for body, want := range map[string]int{
		`{"limit":201}`:                http.StatusBadRequest,
		`{"limit":200,"after":"9900"}`: http.StatusBadRequest,
		`{"filterGroups":[{"filters":[{"propertyName":"hs_no_such","operator":"EQ","value":"1"}]}]}`:                                  http.StatusBadRequest,
		`{"filterGroups":[{"filters":[{"propertyName":"hs_timestamp","operator":"SOON","value":"1"}]}]}`:                              http.StatusBadRequest,
		`{"query":"` + strings.Repeat("x", 3000) + `"}`:                                                                               http.StatusBadRequest,
		`{"limit":1,"filterGroups":[{"filters":[{"propertyName":"hs_timestamp","operator":"BETWEEN","value":"0","highValue":"1"}]}]}`: http.StatusOK,
	} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, fake.URL+"/crm/v3/objects/calls/search", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, want, resp.StatusCode, body)
		time.Sleep(fake.SearchWindow() / 3)
	}
}

// TestFactsConformance runs the shared FactReader contract: calls and won
// deals from the search endpoints, against a fresh fake per subtest.
func TestFactsConformance(t *testing.T) {
	// Not parallel: the package's rate tests run on the real clock.
	crmtest.RunFacts(t, func(t *testing.T) *crmtest.FactsHarness {
		// 2 s, not 300 ms: every ordinary answer must come within it, and
		// a loaded machine running -race can outlast 300 ms. The
		// Timeout subtest pays it once.
		fake, a := factsSetup(t, hubspotfake.Options{Hang: 5 * time.Second}, hubspot.Options{Timeout: 2 * time.Second})
		t.Cleanup(func() { require.Zero(t, fake.Violations(), "requests over the rate limit") })
		return &crmtest.FactsHarness{
			Reader: a,
			Kinds:  []string{crm.FactCalls, crm.FactWon},
			Record: func(_ testing.TB, kind, user string, at time.Time) {
				switch kind {
				case crm.FactCalls:
					fake.AddCall(user, at)
				case crm.FactWon:
					fake.AddWonDeal(user, at)
				}
			},
			Faults:   fake,
			PageSize: 200, // the largest search page
			Secrets:  []string{token},
		}
	})
}
