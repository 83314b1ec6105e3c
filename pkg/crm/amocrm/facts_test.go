package amocrm_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"testing/synctest"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/amocrm/amocrmfake"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
	"github.com/dayreport/dayreport/pkg/day"
)

// The fact tests run one after another, before the package's parallel
// tests, whose timing they would otherwise disturb (and be disturbed by).

// factsEnv is newEnv with a timeout that a loaded machine does not hit.
func factsEnv(tb testing.TB, mods ...func(s setup)) *env {
	tb.Helper()
	return newEnv(tb, append([]func(s setup){func(s setup) { s.opts.Timeout = 5 * time.Second }}, mods...)...)
}

// at is a time of day on d in loc; hour may run past 24 or below 0.
func at(d day.Date, loc *time.Location, hour, minute int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, loc)
}

func both(calls, won float64) crm.Facts { return crm.Facts{crm.FactCalls: calls, crm.FactWon: won} }

// count is one fact as a whole number.
func count(f crm.Facts, kind string) int { return int(f[kind]) }

// factRequests returns the fact requests the fake saw, as "path status".
func (e *env) factRequests() []string {
	var out []string
	for _, r := range e.fake.Requests() {
		out = append(out, r.Path+" "+strconv.Itoa(r.Status))
	}
	return out
}

// TestFactsDayInZone: three users over a day in Novosibirsk (UTC+7): calls
// from 00:00 to 23:59:59 there count, 23:30 included and 00:10 the next day
// not, whichever way they went; other events, lost leads and leads closed
// the next day do not; a user with nothing has zeros, an id that cannot be
// an amoCRM user is left out. One request per kind.
func TestFactsDayInZone(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Novosibirsk")
	require.NoError(t, err)
	d := day.New(2026, time.November, 26)
	e := factsEnv(t)
	f := e.fake
	f.AddCall(11, at(d, loc, 9, 0))
	f.AddIncomingCall(11, at(d, loc, 23, 30))
	f.AddCall(11, at(d, loc, 24, 10))
	f.AddCall(11, at(d, loc, -1, 59))
	f.AddIncomingCall(11, at(d, loc, 0, 0))
	f.AddEvent("lead_status_changed", 11, at(d, loc, 10, 0))
	f.AddIncomingCall(12, at(d, loc, 3, 30)) // 20:30 UTC the day before
	f.AddCall(99, at(d, loc, 12, 0))
	f.AddWonLead(11, at(d, loc, 15, 0))
	f.AddWonLead(11, at(d, loc, 24, 10))
	f.AddLostLead(11, at(d, loc, 16, 0))
	f.AddWonLead(12, at(d, loc, 24, 0).Add(-time.Second))
	f.AddWonLead(99, at(d, loc, 12, 0))
	f.AddLead(amocrmfake.Lead{StatusID: 5555, ResponsibleUserID: 13, CreatedAt: at(d, loc, 9, 0)}) // still open

	got, err := e.a.Facts(t.Context(), []string{"11", "12", "13", "14", "ivanov"}, d, loc)
	require.NoError(t, err)
	require.Equal(t, map[string]crm.Facts{"11": both(3, 1), "12": both(1, 1), "13": both(0, 0), "14": both(0, 0)}, got)
	require.Equal(t, []string{"/api/v4/events 200", "/api/v4/leads 200"}, e.factRequests())

	reqs := e.fake.Requests()
	q, err := url.ParseQuery(reqs[0].Query)
	require.NoError(t, err)
	from, to := strconv.FormatInt(at(d, loc, 0, 0).Unix(), 10), strconv.FormatInt(at(d, loc, 24, 0).Unix()-1, 10)
	require.Equal(t, url.Values{
		"filter[type][]": {"incoming_call", "outgoing_call"}, "filter[created_by][]": {"11", "12", "13", "14"},
		"filter[created_at][from]": {from}, "filter[created_at][to]": {to}, "limit": {"100"}, "page": {"1"},
	}, q)
	q, err = url.ParseQuery(reqs[1].Query)
	require.NoError(t, err)
	require.Equal(t, url.Values{
		"filter[responsible_user_id][]": {"11", "12", "13", "14"},
		"filter[closed_at][from]":       {from}, "filter[closed_at][to]": {to}, "limit": {"250"}, "page": {"1"},
	}, q)
	require.Zero(t, e.fake.Violations())
}

// TestFactsEmptyDay: nothing recorded: both lists answer 204, every user
// has zeros.
func TestFactsEmptyDay(t *testing.T) {
	e := factsEnv(t)
	got, err := e.a.Facts(t.Context(), []string{"1", "2"}, day.New(2026, time.November, 26), time.UTC)
	require.NoError(t, err)
	require.Equal(t, map[string]crm.Facts{"1": both(0, 0), "2": both(0, 0)}, got)
	require.Equal(t, []string{"/api/v4/events 204", "/api/v4/leads 204"}, e.factRequests())
}

// TestFactsCallsForNUsers: the event list takes 10 users a request (the
// reference's limit, which the fake enforces), the lead list 100.
func TestFactsCallsForNUsers(t *testing.T) {
	d := day.New(2026, time.November, 26)
	for n, want := range map[int]int{1: 2, 3: 2, 10: 2, 11: 3, 100: 11, 101: 13} {
		// In a testing/synctest bubble with the fake in-process: eleven
		// requests and more pass the 7-a-window pace, which on a real clock
		// a loaded machine bunched up at the fake (a 429).
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := factsEnv(t, inProcess)
				users := make([]string, n)
				for i := range users {
					users[i] = strconv.Itoa(1000 + i)
				}
				e.fake.AddCall(1000+n-1, at(d, time.UTC, 10, 0))
				e.fake.AddWonLead(1000, at(d, time.UTC, 11, 0))
				got, err := e.a.Facts(t.Context(), users, d, time.UTC)
				require.NoError(t, err)
				require.Len(t, got, n)
				require.Equal(t, 1, count(got[users[n-1]], crm.FactCalls))
				require.Equal(t, 1, count(got["1000"], crm.FactWon))
				require.Len(t, e.fake.Requests(), want)
				require.Zero(t, e.fake.Violations())
			})
		})
	}
}

// TestFactsPaging: 120 calls of one user take two pages of 100, 260 closed
// leads two of 250; 200 calls exactly fill two pages, and the second, with no
// next link, is the last one asked for.
func TestFactsPaging(t *testing.T) {
	d := day.New(2026, time.November, 26)
	e := factsEnv(t)
	for i := range 120 {
		e.fake.AddCall(7, at(d, time.UTC, 8, 0).Add(time.Duration(i)*time.Minute))
	}
	for i := range 260 {
		if i%2 == 0 {
			e.fake.AddWonLead(8, at(d, time.UTC, 9, 0).Add(time.Duration(i)*time.Second))
		} else {
			e.fake.AddLostLead(8, at(d, time.UTC, 9, 0).Add(time.Duration(i)*time.Second))
		}
	}
	got, err := e.a.Facts(t.Context(), []string{"7", "8"}, d, time.UTC)
	require.NoError(t, err)
	require.Equal(t, both(120, 0), got["7"])
	require.Equal(t, both(0, 130), got["8"])
	require.Equal(t, []string{"/api/v4/events 200", "/api/v4/events 200", "/api/v4/leads 200", "/api/v4/leads 200"}, e.factRequests())

	e2 := factsEnv(t)
	for i := range 200 {
		e2.fake.AddIncomingCall(7, at(d, time.UTC, 8, 0).Add(time.Duration(i)*time.Minute))
	}
	got, err = e2.a.Facts(t.Context(), []string{"7"}, d, time.UTC)
	require.NoError(t, err)
	require.Equal(t, 200, count(got["7"], crm.FactCalls))
	require.Equal(t, []string{"/api/v4/events 200", "/api/v4/events 200", "/api/v4/leads 204"}, e2.factRequests())
}

// TestFactsFaults: a refused query leaves its kind out and says why,
// classified as Upsert's errors are; the other kind is still read.
func TestFactsFaults(t *testing.T) {
	d := day.New(2026, time.November, 26)
	for _, tc := range []struct {
		name      string
		fault     crmtest.Fault
		retryable bool
		after     time.Duration
		text      string
	}{
		{"RateLimited", crmtest.RateLimited, true, time.Second, "429"},
		{"ServerError", crmtest.ServerError, true, 0, "500"},
		{"Unavailable", crmtest.Unavailable, true, 0, "EOF"},
		{"Timeout", crmtest.Timeout, true, 0, "no answer within"},
		{"BadRequest", crmtest.BadRequest, false, 0, "400"},
	} {
		run := func(t *testing.T) {
			e := factsEnv(t, func(s setup) {
				if tc.fault == crmtest.Timeout {
					// In a testing/synctest bubble, in-process: the
					// 300 ms are the bubble's, and a busy machine cannot
					// make an ordinary answer outlast them.
					s.fake.InProcess = true
					s.opts.Timeout = 300 * time.Millisecond
				}
			})
			e.fake.AddCall(1, at(d, time.UTC, 10, 0))
			e.fake.AddWonLead(1, at(d, time.UTC, 11, 0))
			e.fake.Inject(tc.fault, 1)
			got, err := e.a.Facts(t.Context(), []string{"1"}, d, time.UTC)
			require.Error(t, err)
			require.Equal(t, tc.retryable, crm.IsRetryable(err), "%v", err)
			require.Equal(t, tc.after, crm.RetryAfter(err), "%v", err)
			require.ErrorContains(t, err, "calls: amocrm: GET /api/v4/events")
			require.ErrorContains(t, err, tc.text)
			require.NotContains(t, err.Error(), token)
			require.Equal(t, map[string]crm.Facts{"1": {crm.FactWon: 1}}, got, "the won leads are still read")

			e.fake.Inject(tc.fault, 4) // enough for both kinds, should the transport retry a GET on a dropped connection
			got, err = e.a.Facts(t.Context(), []string{"1"}, d, time.UTC)
			e.fake.Reset()
			require.Error(t, err)
			require.Nil(t, got, "nothing read")
			require.ErrorContains(t, err, "calls: ")
			require.ErrorContains(t, err, "won: ")
			require.Equal(t, tc.retryable, crm.IsRetryable(err))
			require.Zero(t, e.fake.Violations())
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

// TestFactsRefusedToken: a 401 is permanent, stops the adapter like an
// upsert's would, and never shows the token.
func TestFactsRefusedToken(t *testing.T) {
	const wrong = "amo-wr0ng-t0ken-1b2c3d"
	e := factsEnv(t, func(s setup) { s.cfg.Token = config.Secret(wrong) })
	got, err := e.a.Facts(t.Context(), []string{"1"}, day.New(2026, time.November, 26), time.UTC)
	require.Error(t, err)
	require.Nil(t, got)
	require.False(t, crm.IsRetryable(err))
	require.ErrorContains(t, err, "401")
	require.NotContains(t, err.Error(), wrong)
	require.NotContains(t, e.logs.String(), wrong)
	require.Len(t, e.fake.Requests(), 1, "after the 401 nothing more is sent")
	res := e.a.Upsert(t.Context(), []crm.Push{{Record: rec("a", nil)}})
	require.ErrorContains(t, res[0].Err, "401", "the stop holds for the upserts too")
	require.Len(t, e.fake.Requests(), 1)
}

// TestFactsStayUnderTheLimit: reads for many users back to back, through the
// pacer the upserts use: no request over amoCRM's 7 a second. In a
// testing/synctest bubble with the fake in-process (a real clock under load
// made the fake's window and the pacer's drift apart).
func TestFactsStayUnderTheLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := day.New(2026, time.November, 26)
		e := factsEnv(t, inProcess)
		users := make([]string, 300)
		for i := range users {
			users[i] = strconv.Itoa(1 + i)
			e.fake.AddCall(1+i, at(d, time.UTC, 10, 0))
		}
		for range 3 {
			got, err := e.a.Facts(t.Context(), users, d, time.UTC)
			require.NoError(t, err)
			require.Equal(t, 1, count(got["300"], crm.FactCalls))
		}
		require.Len(t, e.fake.Requests(), 3*(300/10+3), "30 event requests and 3 lead requests a read")
		require.Zero(t, e.fake.Violations(), "never more than 7 requests in a window")
	})
}

// TestFactsEdges: no usable user asks nothing; a cancelled context is not
// retried.
func TestFactsEdges(t *testing.T) {
	e := factsEnv(t)
	got, err := e.a.Facts(t.Context(), []string{"ivanov", "0", ""}, day.New(2026, time.November, 26), time.UTC)
	require.NoError(t, err)
	require.Empty(t, got)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = e.a.Facts(ctx, []string{"1"}, day.New(2026, time.November, 26), time.UTC)
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, crm.IsRetryable(err))
	require.Empty(t, e.fake.Requests())
}

// usersQuery is filter[created_by][]= for n users.
func usersQuery(n int) string {
	q := url.Values{}
	for i := range n {
		q.Add("filter[created_by][]", strconv.Itoa(i+1))
	}
	return q.Encode()
}

// TestFakeFactFilters: the fake refuses what the real API would not take.
func TestFakeFactFilters(t *testing.T) {
	e := factsEnv(t)
	for q, want := range map[string]int{
		"/api/v4/events?limit=101":                   http.StatusBadRequest,
		"/api/v4/events?filter[responsible]=1":       http.StatusBadRequest,
		"/api/v4/events?filter[created_at][since]=1": http.StatusBadRequest,
		// The comma-joined form of the API v2 page and the PHP library is
		// not what the v4 reference documents.
		"/api/v4/events?filter[created_by]=1,2":                           http.StatusBadRequest,
		"/api/v4/events?filter[created_by][]=1,2":                         http.StatusBadRequest,
		"/api/v4/events?filter[type]=incoming_call,outgoing_call":         http.StatusBadRequest,
		"/api/v4/events?filter[created_at]=1573102261,1573142261":         http.StatusBadRequest,
		"/api/v4/events?filter[created_by][]=1&filter[created_by][]=2":    http.StatusNoContent,
		"/api/v4/events?filter[created_by]=1&filter[type]=incoming_call":  http.StatusNoContent,
		"/api/v4/events?filter[created_at]=1573102261":                    http.StatusNoContent,
		"/api/v4/events?" + usersQuery(11):                                http.StatusBadRequest,
		"/api/v4/events?" + usersQuery(10):                                http.StatusNoContent,
		"/api/v4/leads?limit=251":                                         http.StatusBadRequest,
		"/api/v4/leads?filter[statuses][0][status_id]=142":                http.StatusBadRequest,
		"/api/v4/leads?filter[closed_at][from]=1&filter[closed_at][to]=2": http.StatusNoContent,
	} {
		status, err := httpGet(e.fake.URL+q, token)
		require.NoError(t, err)
		require.Equal(t, want, status, q)
		time.Sleep(testPer / 5)
	}
}
