package app

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24/bitrix24fake"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
	"github.com/dayreport/dayreport/pkg/google"
	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
)

// faultEnv is what a fault case can act on.
type faultEnv struct {
	g   *googlefake.Server
	c   *bitrix24fake.Fake
	crm *refusing // nil unless the case asked for a CRM behind a closed port
	// attempts, when set, is the Google clients' attempts per request (3
	// otherwise).
	attempts int
	// timeout, set by the cases that inject a request that never answers,
	// bounds one Google attempt and one CRM request. The other cases allow
	// 10 s: on a busy machine (CI under load) an answer slower than the
	// 300 ms every case used to allow was retried, and the count of retried
	// requests came out one too many (TestFaultMatrix/google_503).
	timeout time.Duration
}

// refusing is the Bitrix24 fake behind an address that refuses connections
// (nothing listens there) until up is called.
type refusing struct {
	addr string
	c    *bitrix24fake.Fake
	once sync.Once
	srv  *http.Server
}

func newRefusing(t *testing.T, c *bitrix24fake.Fake) *refusing {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	r := &refusing{addr: l.Addr().String(), c: c}
	require.NoError(t, l.Close()) // connection refused from now on
	t.Cleanup(func() {
		if r.srv != nil {
			_ = r.srv.Close()
		}
	})
	return r
}

// url is the fake's webhook URL on the refusing address.
func (r *refusing) url(t *testing.T) string {
	u, err := url.Parse(r.c.WebhookURL())
	require.NoError(t, err)
	u.Host = r.addr
	return u.String()
}

// up starts serving the fake on the address.
func (r *refusing) up(t *testing.T) {
	r.once.Do(func() {
		l, err := net.Listen("tcp", r.addr)
		require.NoError(t, err, "listening again on %s", r.addr)
		r.srv = &http.Server{Handler: r.c, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = r.srv.Serve(l) }()
	})
}

// TestFaultMatrix runs a pass of four employees (Google Docs → Bitrix24)
// with one fault injected per case and asserts the pass's outcome and exit
// status, what was retried (requests beyond a pass without faults), what
// stayed queued, and that the next pass converges: every report in the CRM
// once, with its numbers. The table of outcomes is logged (go test -v).
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	type outcome struct {
		partial        bool
		failedReads    int    // employees whose report could not be read
		googleRetried  int    // Google requests beyond a faultless pass
		crmFailedReqs  int    // CRM requests that failed in the first pass (each retried or queued)
		crmFailed      int    // records left in the outbox
		convergedAfter int    // passes until every record is in the CRM
		readError      string // what each unread employee's error says
	}
	type row struct {
		name string
		got  outcome
	}
	var (
		mu    sync.Mutex
		table []row
	)
	cases := []struct {
		name   string
		inject func(t *testing.T, e *faultEnv)
		want   outcome
	}{
		{"no fault", func(*testing.T, *faultEnv) {}, outcome{convergedAfter: 1}},
		{"google 429 quota", func(_ *testing.T, e *faultEnv) {
			// Three quota answers in a row may all fall on one document's
			// attempts (the fetches run concurrently): four attempts make
			// the outcome independent of how they interleave.
			e.g.Inject(googlefake.APIDocs, googlefake.RateLimited, 3)
			e.attempts = 4
		}, outcome{googleRetried: 3, convergedAfter: 1}},
		{"google 500", func(_ *testing.T, e *faultEnv) {
			e.g.Inject(googlefake.APIDocs, googlefake.ServerError, 2)
		}, outcome{googleRetried: 2, convergedAfter: 1}},
		{"google 503", func(_ *testing.T, e *faultEnv) {
			e.g.Inject(googlefake.APIDocs, googlefake.Unavailable, 2)
		}, outcome{googleRetried: 2, convergedAfter: 1}},
		{"google timeout", func(_ *testing.T, e *faultEnv) {
			e.g.Inject(googlefake.APIDocs, googlefake.Timeout, 1)
			e.timeout = time.Second
		}, outcome{googleRetried: 1, convergedAfter: 1}},
		{"google 200 with truncated JSON", func(_ *testing.T, e *faultEnv) {
			e.g.Inject(googlefake.APIDocs, googlefake.TruncatedJSON, 2)
		}, outcome{googleRetried: 2, convergedAfter: 1}},
		{"google 200 dropped mid-body", func(_ *testing.T, e *faultEnv) {
			e.g.Inject(googlefake.APIDocs, googlefake.DroppedBody, 2)
		}, outcome{googleRetried: 2, convergedAfter: 1}},
		{"drive 403 rate limit", func(_ *testing.T, e *faultEnv) {
			e.g.Inject(googlefake.APIDrive, googlefake.DriveUserRateLimit, 2)
		}, outcome{googleRetried: 2, convergedAfter: 1}},
		{"google down for a whole pass", func(_ *testing.T, e *faultEnv) {
			e.g.Inject(googlefake.APIDocs, googlefake.ServerError, 12) // 4 documents × 3 attempts: every read fails this pass
		}, outcome{partial: true, failedReads: 4, googleRetried: 8, convergedAfter: 2, readError: "googleapi: Error 500: Internal error encountered"}},
		{"google truncated JSON for a whole pass", func(_ *testing.T, e *faultEnv) {
			e.g.Inject(googlefake.APIDocs, googlefake.TruncatedJSON, 12)
		}, outcome{partial: true, failedReads: 4, googleRetried: 8, convergedAfter: 2, readError: "google: docs: 3 attempts: answer is not valid JSON (cut short?): status 200, "}},
		{"bitrix24 503 QUERY_LIMIT_EXCEEDED", func(_ *testing.T, e *faultEnv) { e.c.Inject(crmtest.RateLimited, 2) },
			outcome{crmFailedReqs: 2, convergedAfter: 1}},
		{"bitrix24 429 OPERATION_TIME_LIMIT", func(_ *testing.T, e *faultEnv) { e.c.Inject(crmtest.RateLimited, 2) },
			outcome{crmFailedReqs: 2, convergedAfter: 1}},
		{"bitrix24 500", func(_ *testing.T, e *faultEnv) { e.c.Inject(crmtest.ServerError, 2) },
			outcome{crmFailedReqs: 2, convergedAfter: 1}},
		{"bitrix24 timeout", func(_ *testing.T, e *faultEnv) {
			e.c.Inject(crmtest.Timeout, 1)
			e.timeout = time.Second
		}, outcome{crmFailedReqs: 1, convergedAfter: 1}},
		{"bitrix24 ambiguous create", func(_ *testing.T, e *faultEnv) { e.c.Inject(crmtest.AmbiguousCreate, 1) },
			outcome{crmFailedReqs: 1, convergedAfter: 1}},
		{"bitrix24 down for a whole pass", func(_ *testing.T, e *faultEnv) { e.c.Inject(crmtest.Unavailable, 1000) },
			outcome{partial: true, crmFailed: 4, crmFailedReqs: -1, convergedAfter: 2}},
		{"bitrix24 connection refused for a whole pass", func(t *testing.T, e *faultEnv) { e.crm = newRefusing(t, e.c) },
			outcome{partial: true, crmFailed: 4, convergedAfter: 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			g := googlefake.New(t, googlefake.Options{})
			opts := bitrix24fake.Options{Scale: 100}
			if strings.Contains(c.name, "429") && strings.HasPrefix(c.name, "bitrix24") {
				opts.RateLimit = bitrix24fake.OperationLimit
			}
			crmFake := bitrix24fake.New(t, opts)
			var roster strings.Builder
			for i := range 4 {
				id := fmt.Sprintf("1f%d", i)
				g.PutDoc(id, textDoc(id, reportText("Четверг, 26 ноября", 10+i)))
				fmt.Fprintf(&roster, "  - {id: f%d, name: f%d, report: %s}\n", i, i, gdoc.URL(id))
			}
			tm := newTeam(t, "source: {kind: gdoc}\ngoogle: {endpoint: \""+g.URL+"\"}\nemployees:\n"+roster.String())
			tm.Cfg.CRM.Adapter = config.AdapterBitrix24
			tm.Cfg.CRM.Bitrix24.WebhookURL = config.Secret(crmFake.WebhookURL())
			_, err := CRMSetup(t.Context(), tm.Cfg)
			require.NoError(t, err)
			types := crmFake.Types()
			tm.Cfg.CRM.Bitrix24.EntityTypeID, tm.Cfg.CRM.Bitrix24.SPAID = types[0].EntityTypeID, types[0].ID
			env := &faultEnv{g: g, c: crmFake}
			c.inject(t, env)
			if env.crm != nil {
				tm.Cfg.CRM.Bitrix24.WebhookURL = config.Secret(env.crm.url(t))
			}
			crmBefore := len(crmFake.Requests())
			timeout := env.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			a := openApp(t, tm.Cfg, Options{Now: newClock(msk("2026-11-26", 12, 0)).Now, CRMTimeout: timeout,
				Google: func(o *google.Options) {
					fastGoogle(g)(o)
					o.AttemptTimeout, o.MaxAttempts = timeout, 3
					if env.attempts > 0 {
						o.MaxAttempts = env.attempts
					}
				}})

			res, err := a.sync(t.Context(), day26)
			require.NoError(t, err)
			got := outcome{partial: res.Partial(), failedReads: res.Failed, crmFailed: res.CRM.Queued}
			got.googleRetried = len(g.Requests()) - 9 // a faultless pass: a change-log start token, 4 Drive lookups, 4 Docs reads
			for _, r := range crmFake.Requests()[crmBefore:] {
				if r.Status != http.StatusOK {
					got.crmFailedReqs++
				}
			}
			if c.want.crmFailedReqs < 0 { // a whole outage: as many as the retrier tries
				require.Positive(t, got.crmFailedReqs)
				c.want.crmFailedReqs = got.crmFailedReqs
			}
			require.Equal(t, c.want.partial, got.partial, "partial")
			require.Equal(t, c.want.failedReads, got.failedReads, "failed reads")
			require.Equal(t, c.want.crmFailed, got.crmFailed, "queued in the outbox")
			require.Equal(t, c.want.googleRetried, got.googleRetried, "Google requests retried")
			require.Equal(t, c.want.crmFailedReqs, got.crmFailedReqs, "CRM requests failed")
			for _, e := range res.Employees {
				if c.want.readError == "" {
					require.Empty(t, e.Error, e.ID)
					continue
				}
				require.Contains(t, e.Error, c.want.readError, e.ID)
				require.Contains(t, e.Error, "1"+e.ID, "the document is named")
				got.readError = e.Error
			}
			passes := 1
			for len(crmFake.Objects(t)) < 4 && passes < 3 {
				crmFake.Reset()
				if env.crm != nil {
					env.crm.up(t)
				}
				res, err = a.sync(t.Context(), day26)
				require.NoError(t, err)
				passes++
			}
			got.convergedAfter = passes
			require.Equal(t, c.want.convergedAfter, passes, "passes to converge")
			require.False(t, res.Partial())
			require.Zero(t, res.CRM.Queued, "nothing left queued")
			objs := crmFake.Objects(t)
			require.Len(t, objs, 4, "each report once")
			for _, o := range objs {
				var i int
				_, err := fmt.Sscanf(o.Key, "dayreport:f%d:", &i)
				require.NoError(t, err)
				require.InDelta(t, 10+i, o.Metrics["new_calls"], 0, o.Key)
			}
			mu.Lock()
			table = append(table, row{c.name, got})
			mu.Unlock()
		})
	}
	t.Cleanup(func() {
		var b strings.Builder
		fmt.Fprintf(&b, "\n%-45s %-8s %-5s %-12s %-13s %-12s %-7s %s\n", "fault", "pass 1", "exit", "failed reads", "google retried", "crm failed req", "queued", "converged after")
		for _, c := range cases {
			for _, r := range table {
				if r.name != c.name {
					continue
				}
				result, exit := "ok", 0
				if r.got.partial {
					result, exit = "partial", 1
				}
				fmt.Fprintf(&b, "%-45s %-8s %-5d %-12d %-13d %-12d %-7d %d pass(es)\n", r.name, result, exit,
					r.got.failedReads, r.got.googleRetried, r.got.crmFailedReqs, r.got.crmFailed, r.got.convergedAfter)
			}
		}
		for _, r := range table {
			if r.got.readError != "" {
				fmt.Fprintf(&b, "%s: %s\n", r.name, r.got.readError)
			}
		}
		t.Log(b.String())
	})
}
