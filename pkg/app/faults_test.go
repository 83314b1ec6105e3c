package app

import (
	"fmt"
	"strings"
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

// TestFaultMatrix runs a pass of four employees (Google Docs → Bitrix24)
// with one fault injected per case, asserts the pass's outcome, what stayed
// queued, and that the next pass converges: every report in the CRM once,
// with its numbers.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	type outcome struct {
		partial        bool
		failedReads    int // employees whose report could not be read
		crmFailed      int // records left in the outbox
		convergedAfter int // passes until every record is in the CRM
	}
	cases := []struct {
		name   string
		inject func(g *googlefake.Server, c *bitrix24fake.Fake)
		want   outcome
	}{
		{"google 429 quota", func(g *googlefake.Server, _ *bitrix24fake.Fake) {
			g.Inject(googlefake.APIDocs, googlefake.RateLimited, 3)
		}, outcome{convergedAfter: 1}},
		{"google 500", func(g *googlefake.Server, _ *bitrix24fake.Fake) {
			g.Inject(googlefake.APIDocs, googlefake.ServerError, 2)
		}, outcome{convergedAfter: 1}},
		{"google 503", func(g *googlefake.Server, _ *bitrix24fake.Fake) {
			g.Inject(googlefake.APIDocs, googlefake.Unavailable, 2)
		}, outcome{convergedAfter: 1}},
		{"google timeout", func(g *googlefake.Server, _ *bitrix24fake.Fake) { g.Inject(googlefake.APIDocs, googlefake.Timeout, 1) }, outcome{convergedAfter: 1}},
		{"drive 403 rate limit", func(g *googlefake.Server, _ *bitrix24fake.Fake) {
			g.Inject(googlefake.APIDrive, googlefake.DriveUserRateLimit, 2)
		}, outcome{convergedAfter: 1}},
		{"google down for a whole pass", func(g *googlefake.Server, _ *bitrix24fake.Fake) {
			g.Inject(googlefake.APIDocs, googlefake.ServerError, 12) // 4 documents × 3 attempts: every read fails this pass
		}, outcome{partial: true, failedReads: 4, convergedAfter: 2}},
		{"bitrix24 503 QUERY_LIMIT_EXCEEDED", func(_ *googlefake.Server, c *bitrix24fake.Fake) { c.Inject(crmtest.RateLimited, 2) }, outcome{convergedAfter: 1}},
		{"bitrix24 500", func(_ *googlefake.Server, c *bitrix24fake.Fake) { c.Inject(crmtest.ServerError, 2) }, outcome{convergedAfter: 1}},
		{"bitrix24 timeout", func(_ *googlefake.Server, c *bitrix24fake.Fake) { c.Inject(crmtest.Timeout, 1) }, outcome{convergedAfter: 1}},
		{"bitrix24 ambiguous create", func(_ *googlefake.Server, c *bitrix24fake.Fake) { c.Inject(crmtest.AmbiguousCreate, 1) }, outcome{convergedAfter: 1}},
		{"bitrix24 down for a whole pass", func(_ *googlefake.Server, c *bitrix24fake.Fake) { c.Inject(crmtest.Unavailable, 1000) },
			outcome{partial: true, crmFailed: 4, convergedAfter: 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			g := googlefake.New(t, googlefake.Options{})
			crmFake := bitrix24fake.New(t, bitrix24fake.Options{Scale: 100})
			var roster strings.Builder
			for i := range 4 {
				id := fmt.Sprintf("1f%d", i)
				g.PutDoc(id, textDoc(id, reportText("Четверг, 26 ноября", 10+i)))
				fmt.Fprintf(&roster, "  - {id: f%d, name: f%d, report: %s}\n", i, i, gdoc.URL(id))
			}
			tm := newTeam(t, "source: {kind: gdoc}\ngoogle: {endpoint: \""+g.URL+"\"}\nemployees:\n"+roster.String())
			tm.cfg.CRM.Adapter = config.AdapterBitrix24
			tm.cfg.CRM.Bitrix24.WebhookURL = config.Secret(crmFake.WebhookURL())
			_, err := CRMSetup(t.Context(), tm.cfg)
			require.NoError(t, err)
			types := crmFake.Types()
			tm.cfg.CRM.Bitrix24.EntityTypeID, tm.cfg.CRM.Bitrix24.SPAID = types[0].EntityTypeID, types[0].ID
			a := openApp(t, tm.cfg, Options{Now: newClock(msk("2026-11-26", 12, 0)).Now, CRMTimeout: 300 * time.Millisecond,
				Google: func(o *google.Options) {
					fastGoogle(g)(o)
					o.AttemptTimeout, o.MaxAttempts = 300*time.Millisecond, 3
				}})
			c.inject(g, crmFake)

			res, err := a.Sync(t.Context(), day26, PassOptions{})
			require.NoError(t, err)
			require.Equal(t, c.want.partial, res.Partial(), "partial")
			require.Equal(t, c.want.failedReads, res.Failed, "failed reads")
			require.Equal(t, c.want.crmFailed, res.CRM.Queued, "queued in the outbox")
			passes := 1
			for len(crmFake.Objects(t)) < 4 && passes < 3 {
				crmFake.Reset()
				res, err = a.Sync(t.Context(), day26, PassOptions{})
				require.NoError(t, err)
				passes++
			}
			require.Equal(t, c.want.convergedAfter, passes, "passes to converge")
			require.False(t, res.Partial())
			objs := crmFake.Objects(t)
			require.Len(t, objs, 4, "each report once")
			for _, o := range objs {
				var i int
				_, err := fmt.Sscanf(o.Key, "dayreport:f%d:", &i)
				require.NoError(t, err)
				require.InDelta(t, 10+i, o.Metrics["new_calls"], 0, o.Key)
			}
		})
	}
}
