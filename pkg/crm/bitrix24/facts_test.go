package bitrix24_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24/bitrix24fake"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
	"github.com/dayreport/dayreport/pkg/day"
)

// The fact tests run one after another, before the package's parallel
// tests, whose timing they would otherwise disturb (and be disturbed by).

// factsPortal is a fake portal and an adapter over it, without Setup: the
// facts need no smart process.
func factsPortal(t *testing.T, fo bitrix24fake.Options, opts bitrix24.Options) (*bitrix24fake.Fake, *bitrix24.Adapter) {
	t.Helper()
	fake := bitrix24fake.New(t, fo)
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	if fo.InProcess {
		opts.HTTPClient = fake.Client()
	}
	a, err := bitrix24.New(config.Bitrix24CRM{WebhookURL: config.Secret(fake.WebhookURL()), EntityTypeID: 1036, SPAID: 3}, opts)
	require.NoError(t, err)
	return fake, a
}

// at is a time of day on d in loc; hour may be 24 or more for the next days.
func at(d day.Date, loc *time.Location, hour, minute int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, loc)
}

// requireClean fails when an error holds the webhook's secret.
func requireClean(t *testing.T, fake *bitrix24fake.Fake, err error) {
	t.Helper()
	require.NotContains(t, err.Error(), fake.Code())
	require.NotContains(t, err.Error(), fake.WebhookURL())
	require.NotContains(t, fmt.Sprintf("%+v", err), fake.Code())
}

// count is one fact as a whole number.
func count(f crm.Facts, kind string) int { return int(f[kind]) }

func allKinds(calls, proposals, invoices, won, payments float64) crm.Facts {
	return crm.Facts{crm.FactCalls: calls, crm.FactProposals: proposals, crm.FactInvoices: invoices, crm.FactWon: won, crm.FactPayments: payments}
}

// TestFactsDayInZone: three users over a day in Novosibirsk (UTC+7, four
// hours ahead of the portal's Moscow): what happened from 00:00 to 24:00
// there counts, 23:30 included and 00:10 the next day not; other activity
// types, lost deals and other users' objects do not; a user with nothing
// has zeros and an id that cannot be a portal user is left out. It takes one
// batch for the lists and one for the owners of the won deal and the paid
// invoice.
func TestFactsDayInZone(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Novosibirsk")
	require.NoError(t, err)
	d := day.New(2026, time.November, 26)
	fake, a := factsPortal(t, bitrix24fake.Options{}, bitrix24.Options{})

	fake.AddCall(11, at(d, loc, 9, 0))
	fake.AddCall(11, at(d, loc, 23, 30)) // still d
	fake.AddCall(11, at(d, loc, 24, 10)) // 00:10 the next day
	fake.AddCall(11, at(d, loc, -1, 59)) // 23:59 the day before
	fake.AddCall(11, at(d, loc, 0, 0))   // midnight opens the day
	fake.AddCall(12, at(d, loc, 3, 30))  // 23:30 the day before in Moscow
	fake.AddCall(12, at(d, loc, 12, 0))  //
	fake.AddCall(99, at(d, loc, 12, 0))  // not asked for
	fake.AddActivity(13, bitrix24fake.ActivityMeeting, at(d, loc, 12, 0))
	fake.AddActivity(13, bitrix24fake.ActivityEmail, at(d, loc, 13, 0))
	fake.AddEstimate(11, at(d, loc, 12, 0))
	fake.AddEstimate(11, at(d, loc, 24, 10))
	fake.AddInvoice(11, at(d, loc, 23, 30))
	fake.AddWonDeal(11, at(d, loc, 15, 0))
	fake.AddWonDeal(11, at(d, loc, 24, 10))
	lost := fake.AddDeal(11, at(d, loc, 8, 0))
	fake.MoveStage(bitrix24fake.EntityDeal, lost, bitrix24fake.SemanticFailure, at(d, loc, 16, 0))
	fake.AddWonDeal(99, at(d, loc, 15, 0))
	fake.AddPaidInvoice(12, at(d, loc, -72, 0), at(d, loc, 10, 0)) // issued three days before, paid on d
	moved := fake.AddWonDeal(13, at(d, loc, 11, 0))
	fake.Reassign(bitrix24fake.EntityDeal, moved, 12) // counted for whoever is responsible now

	got, err := a.Facts(t.Context(), []string{"11", "12", "13", "14", "not-a-user", ""}, d, loc)
	require.NoError(t, err)
	require.Equal(t, map[string]crm.Facts{
		"11": allKinds(3, 1, 1, 1, 0),
		"12": allKinds(2, 0, 0, 1, 1),
		"13": allKinds(0, 0, 0, 0, 0),
		"14": allKinds(0, 0, 0, 0, 0),
	}, got)
	require.Equal(t, []string{
		"batch:crm.activity.list,crm.item.list,crm.item.list,crm.stagehistory.list,crm.stagehistory.list",
		"batch:crm.item.list,crm.item.list",
	}, shape(fake.Requests()))
	require.Zero(t, fake.Violations())
}

// TestFactsAcrossDaylightSaving: on the night the clocks go back in Berlin
// the day has 25 hours, and its last half hour still counts.
func TestFactsAcrossDaylightSaving(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	d := day.New(2026, time.October, 25)
	fake, a := factsPortal(t, bitrix24fake.Options{}, bitrix24.Options{})
	fake.AddCall(5, at(d, loc, 0, 30))
	fake.AddCall(5, at(d, loc, 23, 30))
	fake.AddCall(5, at(d, loc, 24, 0))
	got, err := a.Facts(t.Context(), []string{"5"}, d, loc)
	require.NoError(t, err)
	require.Equal(t, 2, count(got["5"], crm.FactCalls))
}

// TestFactsCallsForNUsers: however many users, a day with fewer than 50
// records of each kind is one REST call, and one more when deals were won.
func TestFactsCallsForNUsers(t *testing.T) {
	d := day.New(2026, time.November, 26)
	loc := time.FixedZone("UTC+5", 5*3600)
	for _, n := range []int{1, 3, 40, 300} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			fake, a := factsPortal(t, bitrix24fake.Options{}, bitrix24.Options{})
			users := make([]string, n)
			for i := range users {
				users[i] = strconv.Itoa(100 + i)
			}
			fake.AddCall(100, at(d, loc, 10, 0))
			fake.AddCall(100+n-1, at(d, loc, 11, 0))
			got, err := a.Facts(t.Context(), users, d, loc)
			require.NoError(t, err)
			require.Len(t, got, n)
			require.Len(t, fake.Requests(), 1, "one batch for every list")
			if n == 1 {
				require.Equal(t, 2, count(got["100"], crm.FactCalls))
			} else {
				require.Equal(t, 1, count(got[users[n-1]], crm.FactCalls))
			}

			fake.AddWonDeal(100, at(d, loc, 12, 0))
			before := len(fake.Requests())
			got, err = a.Facts(t.Context(), users, d, loc)
			require.NoError(t, err)
			require.Equal(t, 1, count(got["100"], crm.FactWon))
			require.Len(t, fake.Requests()[before:], 2, "and one batch to find who won the deals")
		})
	}
}

// TestFactsPaging: 120 calls of one user (pages of 50) and 60 estimates
// take the first batch and one more with the three missing pages and the
// won deals' look-up; 2600 calls need 52 pages, more than one batch holds.
// In a testing/synctest bubble with the fake in-process: a loaded CI run
// (race detector, load 12–19) failed it on a real clock, which both the 10 s
// call timeout and the fake's leaky bucket read; here neither moves while
// the work is done.
func TestFactsPaging(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := day.New(2026, time.November, 26)
		loc := time.FixedZone("UTC+3", 3*3600)
		fake, a := factsPortal(t, bitrix24fake.Options{InProcess: true}, bitrix24.Options{})
		for i := range 120 {
			fake.AddCall(7, at(d, loc, 8, i))
		}
		for i := range 60 {
			fake.AddEstimate(8, at(d, loc, 9, i))
		}
		fake.AddWonDeal(7, at(d, loc, 18, 0))
		got, err := a.Facts(t.Context(), []string{"7", "8"}, d, loc)
		require.NoError(t, err)
		require.Equal(t, allKinds(120, 0, 0, 1, 0), got["7"])
		require.Equal(t, allKinds(0, 60, 0, 0, 0), got["8"])
		require.Equal(t, []string{
			"batch:crm.activity.list,crm.item.list,crm.item.list,crm.stagehistory.list,crm.stagehistory.list",
			"batch:crm.activity.list,crm.activity.list,crm.item.list,crm.item.list",
		}, shape(fake.Requests()))

		fake2, a2 := factsPortal(t, bitrix24fake.Options{InProcess: true}, bitrix24.Options{})
		for i := range 2600 {
			fake2.AddCall(7, at(d, loc, 8, 0).Add(time.Duration(i)*time.Second))
		}
		got, err = a2.Facts(t.Context(), []string{"7"}, d, loc)
		require.NoError(t, err)
		require.Equal(t, 2600, count(got["7"], crm.FactCalls))
		reqs := fake2.Requests()
		require.Len(t, reqs, 3, "the first pages, then 51 pages in batches of 50 and 1")
		require.Len(t, reqs[1].Commands, 50)
		require.Len(t, reqs[2].Commands, 1)
	})
}

// TestFactsFaults: a batch refused as a whole ends the read with its
// classified error; nothing in it names the webhook.
func TestFactsFaults(t *testing.T) {
	d := day.New(2026, time.November, 26)
	for _, tc := range []struct {
		name      string
		fault     crmtest.Fault
		limit     bitrix24fake.RateLimit
		retryable bool
		after     bool
		text      string
	}{
		{"QueryLimit", crmtest.RateLimited, bitrix24fake.QueryLimit, true, true, "QUERY_LIMIT_EXCEEDED"},
		{"OperationLimit", crmtest.RateLimited, bitrix24fake.OperationLimit, true, true, "OPERATION_TIME_LIMIT"},
		{"ServerError", crmtest.ServerError, 0, true, false, "HTTP 500"},
		{"Unavailable", crmtest.Unavailable, 0, true, false, "no answer"},
		{"Timeout", crmtest.Timeout, 0, true, false, "no answer within"},
		{"BadRequest", crmtest.BadRequest, 0, false, false, "INVALID_ARG_VALUE"},
	} {
		run := func(t *testing.T) {
			opts := bitrix24.Options{}
			fo := bitrix24fake.Options{RateLimit: tc.limit}
			if tc.fault == crmtest.Timeout {
				// In a testing/synctest bubble, in-process: the 300 ms
				// are the bubble's, and a busy machine cannot make an
				// ordinary answer outlast them.
				opts.Timeout = 300 * time.Millisecond
				fo.InProcess = true
			}
			fake, a := factsPortal(t, fo, opts)
			fake.AddCall(1, at(d, time.UTC, 10, 0))
			fake.Inject(tc.fault, 1)
			got, err := a.Facts(t.Context(), []string{"1"}, d, time.UTC)
			require.Error(t, err)
			require.Nil(t, got)
			require.Equal(t, tc.retryable, crm.IsRetryable(err), "%v", err)
			require.Equal(t, tc.after, crm.RetryAfter(err) > 0, "%v", err)
			require.ErrorContains(t, err, tc.text)
			requireClean(t, fake, err)
			fake.Reset()

			got, err = a.Facts(t.Context(), []string{"1"}, d, time.UTC)
			require.NoError(t, err, "the next read goes through")
			require.Equal(t, 1, count(got["1"], crm.FactCalls))
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

// TestFactsCommandFailure: a portal without smart invoices fails those
// commands alone; the other kinds come back with a permanent error naming
// what is missing.
func TestFactsCommandFailure(t *testing.T) {
	d := day.New(2026, time.November, 26)
	fake, a := factsPortal(t, bitrix24fake.Options{ListError: func(method string, entity int) *bitrix24fake.APIError {
		if entity == bitrix24fake.EntitySmartInvoice {
			return &bitrix24fake.APIError{Code: "NOT_FOUND", Description: "Smart invoices are not enabled"}
		}
		return nil
	}}, bitrix24.Options{})
	fake.AddCall(1, at(d, time.UTC, 10, 0))
	fake.AddWonDeal(1, at(d, time.UTC, 11, 0))
	got, err := a.Facts(t.Context(), []string{"1"}, d, time.UTC)
	require.Error(t, err)
	require.False(t, crm.IsRetryable(err), "%v", err)
	require.ErrorContains(t, err, "invoices")
	require.ErrorContains(t, err, "payments")
	require.ErrorContains(t, err, "NOT_FOUND")
	requireClean(t, fake, err)
	require.Equal(t, map[string]crm.Facts{"1": {crm.FactCalls: 1, crm.FactProposals: 0, crm.FactWon: 1}}, got)

	_, aRetry := factsPortal(t, bitrix24fake.Options{ListError: func(method string, _ int) *bitrix24fake.APIError {
		if method == "crm.activity.list" {
			return &bitrix24fake.APIError{Status: http.StatusInternalServerError, Code: "INTERNAL_SERVER_ERROR", Description: "Internal server error"}
		}
		return nil
	}}, bitrix24.Options{})
	got, err = aRetry.Facts(t.Context(), []string{"1"}, d, time.UTC)
	require.True(t, crm.IsRetryable(err), "a failure on the portal's side may pass: %v", err)
	require.NotContains(t, got["1"], crm.FactCalls)
	require.Contains(t, got["1"], crm.FactWon)
}

// TestFactsUnderTheBucket: reads one after another, far more requests than
// a small bucket holds: the adapter's own bucket keeps every one of them
// within the portal's, and a bucket another integration filled gives a
// retryable 503 naming how long to wait.
func TestFactsUnderTheBucket(t *testing.T) {
	const scale = 50.0
	d := day.New(2026, time.November, 26)
	fake, a := factsPortal(t, bitrix24fake.Options{Bucket: 5, Scale: scale}, bitrix24.Options{Burst: 3, TimeScale: scale})
	fake.AddCall(1, at(d, time.UTC, 10, 0))
	fake.AddWonDeal(1, at(d, time.UTC, 11, 0))
	for range 10 {
		got, err := a.Facts(t.Context(), []string{"1"}, d, time.UTC)
		require.NoError(t, err)
		require.Equal(t, allKinds(1, 0, 0, 1, 0), got["1"])
	}
	require.Len(t, fake.Requests(), 20)
	require.Zero(t, fake.Violations())

	full, b := factsPortal(t, bitrix24fake.Options{}, bitrix24.Options{}) // real time: the bucket stays full long enough
	full.Fill()
	_, err := b.Facts(t.Context(), []string{"1"}, d, time.UTC)
	require.Error(t, err)
	require.True(t, crm.IsRetryable(err), "%v", err)
	require.Equal(t, 500*time.Millisecond, crm.RetryAfter(err), "one drain interval at 2 a second")
	requireClean(t, full, err)
}

// TestFactsEdges: no usable user asks nothing; a cancelled context is not
// retried.
func TestFactsEdges(t *testing.T) {
	d := day.New(2026, time.November, 26)
	fake, a := factsPortal(t, bitrix24fake.Options{}, bitrix24.Options{})
	got, err := a.Facts(t.Context(), []string{"ivanov", "0", "-3"}, d, time.UTC)
	require.NoError(t, err)
	require.Empty(t, got)
	require.Empty(t, fake.Requests())

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = a.Facts(ctx, []string{"1"}, d, time.UTC)
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, crm.IsRetryable(err))
	require.Empty(t, fake.Requests())
}

// TestFactsWireFormat: the commands carry the filters the documentation
// names, with the day's bounds as ISO 8601 in the employees' zone.
func TestFactsWireFormat(t *testing.T) {
	d := day.New(2026, time.November, 26)
	var lines []string
	srv := fakeBatchServer(t, &lines)
	a, err := bitrix24.New(config.Bitrix24CRM{WebhookURL: config.Secret(srv + "/rest/1/abcdefgh/"), EntityTypeID: 1036, SPAID: 3}, bitrix24.Options{})
	require.NoError(t, err)
	_, err = a.Facts(t.Context(), []string{"12", "7"}, d, time.FixedZone("X", 7*3600))
	require.NoError(t, err)
	require.Len(t, lines, 5)
	for _, want := range []string{
		"crm.activity.list?filter[TYPE_ID]=2&filter[@RESPONSIBLE_ID][]=7&filter[@RESPONSIBLE_ID][]=12&filter[>=CREATED]=2026-11-26T00:00:00+07:00&filter[<CREATED]=2026-11-27T00:00:00+07:00&select[]=ID&select[]=RESPONSIBLE_ID&order[ID]=ASC&start=0",
		"crm.item.list?entityTypeId=7&filter[@assignedById][]=7&filter[@assignedById][]=12&filter[>=createdTime]=2026-11-26T00:00:00+07:00&filter[<createdTime]=2026-11-27T00:00:00+07:00&select[]=id&select[]=assignedById&order[id]=ASC&start=0",
		"crm.item.list?entityTypeId=31&",
		"crm.stagehistory.list?entityTypeId=2&filter[STAGE_SEMANTIC_ID]=S&filter[>=CREATED_TIME]=2026-11-26T00:00:00+07:00&filter[<CREATED_TIME]=2026-11-27T00:00:00+07:00&select[]=ID&select[]=OWNER_ID&order[ID]=ASC&start=0",
		"crm.stagehistory.list?entityTypeId=31&",
	} {
		found := false
		for _, l := range lines {
			found = found || strings.HasPrefix(l, want)
		}
		require.True(t, found, "no command %s in %q", want, lines)
	}

	lines = lines[:0]
	_, err = a.Facts(t.Context(), []string{"12"}, d, time.UTC)
	require.NoError(t, err)
	require.Len(t, lines, 5)
	for _, l := range lines {
		require.Contains(t, l, "=2026-11-26T00:00:00+00:00&", "UTC as +00:00, as the documentation writes it")
	}
}

// fakeBatchServer answers every batch with empty results and keeps its
// command lines, decoded.
func fakeBatchServer(t *testing.T, lines *[]string) string {
	t.Helper()
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Cmd map[string]string `json:"cmd"`
		}
		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		results := map[string]any{}
		mu.Lock()
		for k, l := range body.Cmd {
			results[k] = []any{}
			u, err := url.QueryUnescape(l)
			if err != nil {
				u = "undecodable: " + l
			}
			*lines = append(*lines, u)
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"result": map[string]any{
			"result": results, "result_error": []any{}, "result_total": []any{}, "result_next": []any{},
		}})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
