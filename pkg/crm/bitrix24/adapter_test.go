package bitrix24_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24/bitrix24fake"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
	"github.com/dayreport/dayreport/pkg/report"
)

func TestNameAndBatch(t *testing.T) {
	t.Parallel()
	p := newPortal(t, bitrix24fake.Options{}, true)
	a := p.adapter(t, bitrix24.Options{})
	require.Equal(t, "bitrix24", a.Name())
	require.Equal(t, 50, a.MaxBatch())
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	t.Parallel()
	const code = "s3cr3tc0de77"
	base := config.Bitrix24CRM{WebhookURL: "https://portal.example/rest/1/" + code + "/", EntityTypeID: 1036, SPAID: 3}
	for name, mutate := range map[string]func(*config.Bitrix24CRM){
		"no entity type":   func(c *config.Bitrix24CRM) { c.EntityTypeID = 0 },
		"no spa id":        func(c *config.Bitrix24CRM) { c.SPAID = 0 },
		"no webhook":       func(c *config.Bitrix24CRM) { c.WebhookURL = "" },
		"not a webhook":    func(c *config.Bitrix24CRM) { c.WebhookURL = "https://portal.example/" + code + "/" },
		"no code":          func(c *config.Bitrix24CRM) { c.WebhookURL = "https://portal.example/rest/1/" },
		"not http":         func(c *config.Bitrix24CRM) { c.WebhookURL = "ftp://portal.example/rest/1/" + code + "/" },
		"with query":       func(c *config.Bitrix24CRM) { c.WebhookURL = "https://portal.example/rest/1/" + code + "/?auth=" + code },
		"unparseable host": func(c *config.Bitrix24CRM) { c.WebhookURL = "https://por tal/rest/1/" + code + "/" },
	} {
		cfg := base
		mutate(&cfg)
		_, err := bitrix24.New(cfg, bitrix24.Options{})
		require.Error(t, err, name)
		require.NotContains(t, err.Error(), code, name)
	}
	_, err := bitrix24.New(base, bitrix24.Options{})
	require.NoError(t, err)
	withMethod := base
	withMethod.WebhookURL = "https://portal.example/rest/1/" + code + "/profile.json"
	_, err = bitrix24.New(withMethod, bitrix24.Options{})
	require.NoError(t, err, "a webhook URL copied with a method after the code is accepted")
}

// TestBatchPartialFailure: one batch, one command rejected for good and one
// failing on the server's side; the others land, each record gets its own
// classification, and the Retrier re-sends only the retryable record (never
// the whole batch).
func TestBatchPartialFailure(t *testing.T) {
	t.Parallel()
	a, b, c, d := record("a", 1), record("b", 2), record("c", 3), record("d", 4)
	var cFailed atomic.Bool
	p := newPortal(t, bitrix24fake.Options{CommandError: func(cmd bitrix24fake.Command) *bitrix24fake.APIError {
		switch cmd.XMLID {
		case b.Key:
			return &bitrix24fake.APIError{Code: "CRM_FIELD_ERROR_VALUE_NOT_VALID", Description: `Invalid value for field "Оплаты"`}
		case c.Key:
			if !cFailed.Swap(true) {
				return &bitrix24fake.APIError{Code: "INTERNAL_SERVER_ERROR", Description: "Internal server error"}
			}
		}
		return nil
	}}, true)
	ad := p.adapter(t, bitrix24.Options{})
	before := len(p.fake.Requests())

	res := instantRetrier(ad, 3).Upsert(t.Context(), pushes(a, b, c, d))
	require.Len(t, res, 4)
	for _, i := range []int{0, 2, 3} {
		require.NoError(t, res[i].Err, "push %d", i)
		require.NotEmpty(t, res[i].ObjectID, "push %d", i)
	}
	require.Error(t, res[1].Err)
	require.False(t, crm.IsRetryable(res[1].Err), "a rejected value is permanent: %v", res[1].Err)
	require.Contains(t, res[1].Err.Error(), "CRM_FIELD_ERROR_VALUE_NOT_VALID")
	var apiErr *bitrix24.APIError
	require.ErrorAs(t, res[1].Err, &apiErr)
	require.Equal(t, "crm.item.add", apiErr.Method)

	require.Equal(t, []string{
		"crm.item.list", "batch:add,add,add,add", // the first attempt: one lookup, one batch
		"crm.item.list", "batch:add", // the retry: only the record whose command failed retryably
	}, shape(requestsSince(p.fake, before)))

	objs := p.fake.Objects(t)
	require.Len(t, objs, 3)
	keys := map[string]string{}
	for _, o := range objs {
		keys[o.Key] = o.ID
	}
	require.Equal(t, map[string]string{a.Key: res[0].ObjectID, c.Key: res[2].ObjectID, d.Key: res[3].ObjectID}, keys)
}

// TestBatchCommandErrorsClassified: per-command error codes map to
// retryable or permanent without failing the batch's other records.
func TestBatchCommandErrorsClassified(t *testing.T) {
	t.Parallel()
	codes := map[string]bool{ // code → retryable
		"INTERNAL_SERVER_ERROR": true, "ERROR_UNEXPECTED_ANSWER": true, "QUERY_LIMIT_EXCEEDED": true, "OPERATION_TIME_LIMIT": true,
		"ACCESS_DENIED": false, "CRM_FIELD_ERROR_VALUE_NOT_VALID": false, "ERROR_CORE": false, "": false, "SOMETHING_NEW": false,
	}
	var recs []crm.Record
	byKey := map[string]string{}
	for code := range codes {
		r := record("emp-"+strings.ToLower(code), 1)
		recs = append(recs, r)
		byKey[r.Key] = code
	}
	ok := record("fine", 1)
	recs = append(recs, ok)
	p := newPortal(t, bitrix24fake.Options{CommandError: func(cmd bitrix24fake.Command) *bitrix24fake.APIError {
		if code, bad := byKey[cmd.XMLID]; bad {
			return &bitrix24fake.APIError{Code: code, Description: "injected " + code}
		}
		return nil
	}}, true)
	res := p.adapter(t, bitrix24.Options{}).Upsert(t.Context(), pushes(recs...))
	for i, r := range recs {
		if r.Key == ok.Key {
			require.NoError(t, res[i].Err)
			continue
		}
		code := byKey[r.Key]
		require.Error(t, res[i].Err, code)
		require.Equal(t, codes[code], crm.IsRetryable(res[i].Err), "%q: %v", code, res[i].Err)
	}
}

// TestBatchOperationTimeLimitWaitsForReset: a command of a batch answered
// OPERATION_TIME_LIMIT is retryable no sooner than its result_time's
// operating_reset_at (the limits page: the method is blocked until part of
// its budget is released); without one, after the documented 10 minutes.
// The batch's other commands are written.
func TestBatchOperationTimeLimitWaitsForReset(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		name    string
		resetAt time.Time
		want    time.Duration
	}{
		{"reset given", now.Add(95 * time.Second), 95 * time.Second},
		{"reset passed", now.Add(-time.Minute), time.Second},
		{"no reset", time.Time{}, 10 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			blocked, fine := record("blocked", 3), record("fine", 4)
			p := newPortal(t, bitrix24fake.Options{CommandError: func(cmd bitrix24fake.Command) *bitrix24fake.APIError {
				if cmd.XMLID == blocked.Key && cmd.InBatch {
					return &bitrix24fake.APIError{Status: http.StatusTooManyRequests, Code: "OPERATION_TIME_LIMIT",
						Description: "Method is blocked due to operation time limit", ResetAt: tc.resetAt}
				}
				return nil
			}}, true)
			res := p.adapter(t, bitrix24.Options{Now: func() time.Time { return now }}).Upsert(t.Context(), pushes(blocked, fine))
			require.NoError(t, res[1].Err, "the other command of the batch is written")
			require.Error(t, res[0].Err)
			require.True(t, crm.IsRetryable(res[0].Err), "%v", res[0].Err)
			require.Equal(t, tc.want, crm.RetryAfter(res[0].Err), "%v", res[0].Err)
		})
	}
}

// TestLookupBeforeCreateAfterAmbiguousFailure: the portal stores the items
// but the answer is lost (a 502, then a dropped connection); the next push
// without ids looks the keys up and updates, creating nothing.
func TestLookupBeforeCreateAfterAmbiguousFailure(t *testing.T) {
	t.Parallel()
	p := newPortal(t, bitrix24fake.Options{}, true)
	ad := p.adapter(t, bitrix24.Options{Timeout: 10 * time.Second}) // nothing here hangs: room for a loaded machine
	for round, emps := range [][]string{{"a1", "a2", "a3"}, {"b1", "b2"}} {
		var recs []crm.Record
		for _, e := range emps {
			recs = append(recs, record(e, 5))
		}
		p.fake.Inject(crmtest.AmbiguousCreate, 1)
		before := len(p.fake.Requests())
		for i, r := range ad.Upsert(t.Context(), pushes(recs...)) {
			require.Error(t, r.Err, "round %d push %d", round, i)
			require.True(t, crm.IsRetryable(r.Err), "an ambiguous failure is retryable: %v", r.Err)
			require.Empty(t, r.ObjectID)
		}
		stored := map[string]string{}
		for _, o := range p.fake.Objects(t) {
			stored[o.Key] = o.ID
		}
		for _, r := range recs {
			require.NotEmpty(t, stored[r.Key], "the portal stored %s although the answer was lost", r.Key)
		}

		res := ad.Upsert(t.Context(), pushes(recs...))
		for i, r := range res {
			require.NoError(t, r.Err)
			require.Equal(t, stored[recs[i].Key], r.ObjectID, "the lookup found the stored item")
		}
		adds := strings.Repeat("add,", len(recs))
		updates := strings.Repeat("update,", len(recs))
		require.Equal(t, []string{
			"crm.item.list", "batch:" + adds[:len(adds)-1],
			"crm.item.list", "batch:" + updates[:len(updates)-1],
		}, shape(requestsSince(p.fake, before)))
	}
	seen := map[string]bool{}
	for _, o := range p.fake.Objects(t) {
		require.False(t, seen[o.Key], "duplicate item for %s", o.Key)
		seen[o.Key] = true
	}
	require.Len(t, seen, 5)
}

func TestDuplicateKeyInOneCall(t *testing.T) {
	t.Parallel()
	p := newPortal(t, bitrix24fake.Options{}, true)
	ad := p.adapter(t, bitrix24.Options{})
	first, second := record("ivanov", 1), record("ivanov", 2)
	res := ad.Upsert(t.Context(), pushes(first, second))
	require.NoError(t, res[0].Err)
	require.Error(t, res[1].Err)
	require.True(t, crm.IsRetryable(res[1].Err))
	require.Len(t, p.fake.Objects(t), 1)

	res = instantRetrier(ad, 3).Upsert(t.Context(), pushes(first, second))
	require.NoError(t, res[0].Err)
	require.NoError(t, res[1].Err)
	require.Equal(t, res[0].ObjectID, res[1].ObjectID)
	objs := p.fake.Objects(t)
	require.Len(t, objs, 1)
	require.InDelta(t, 2.0, objs[0].Metrics["new_calls"], 0, "the later push wins")
}

// TestFieldsOnWire checks what an item holds: title, xmlId, the responsible
// user, the day, the record's own fields and every metric; a metric that
// leaves the report is cleared.
func TestFieldsOnWire(t *testing.T) {
	t.Parallel()
	p := newPortal(t, bitrix24fake.Options{}, true)
	ad := p.adapter(t, bitrix24.Options{})
	spa := fmt.Sprint(p.mapping.SPAID)

	r := crmtest.Record("ivanov", date, report.Late, map[string]float64{"new_calls": 20, "payments": 150000.5})
	r.EmployeeName, r.CRMUserID = "Иванов Иван", "17"
	r.Notes = "Звонки по базе «Ромашки» & \"КП\"\nзавтра = встреча?"
	r.SourceURL = "https://docs.example.com/document/d/abc?tab=t.0#heading=h.1"
	reported, recorded := 20.0, 12.0
	r.Flags = []crm.Flag{{Code: "overstated", Metric: "new_calls", Reported: &reported, Recorded: &recorded, Message: "reported 20 new calls, the CRM logged 12"}}
	r.Errors = []string{"payments: not a number"}
	res := ad.Upsert(t.Context(), pushes(r))
	require.NoError(t, res[0].Err)
	it, ok := p.fake.Item(res[0].ObjectID)
	require.True(t, ok)
	require.Equal(t, "Иванов Иван — 2026-11-26", it["title"])
	require.Equal(t, r.Key, it["xmlId"])
	require.Equal(t, 17, it["assignedById"])
	require.Equal(t, "2026-11-26T00:00:00+03:00", it["begindate"])
	require.Equal(t, "2026-11-26T00:00:00+03:00", it["closedate"])
	require.Equal(t, "late", it["UF_CRM_"+spa+"_STATUS"])
	require.Equal(t, r.Notes, it["UF_CRM_"+spa+"_NOTES"])
	require.Equal(t, r.SourceURL, it["UF_CRM_"+spa+"_SOURCE_URL"])
	require.Equal(t, "[overstated] reported 20 new calls, the CRM logged 12\n[error] payments: not a number", it["UF_CRM_"+spa+"_FLAGS"])
	require.InDelta(t, 20.0, it["UF_CRM_"+spa+"_NEW_CALLS"], 0)
	require.InDelta(t, 150000.5, it["UF_CRM_"+spa+"_PAYMENTS"], 0)
	require.Nil(t, it["UF_CRM_"+spa+"_REPEAT_CALLS"], "a metric not reported stays empty")

	// An absent day: the metrics the config maps are cleared.
	absent := crmtest.Record("ivanov", date, report.Absent, nil)
	absent.CRMUserID = "ivanov" // not a Bitrix24 user id: the responsible user is left alone
	res = ad.Upsert(t.Context(), []crm.Push{{Record: absent, ObjectID: res[0].ObjectID}})
	require.NoError(t, res[0].Err)
	it, _ = p.fake.Item(res[0].ObjectID)
	require.Equal(t, "absent", it["UF_CRM_"+spa+"_STATUS"])
	require.Nil(t, it["UF_CRM_"+spa+"_NEW_CALLS"])
	require.Nil(t, it["UF_CRM_"+spa+"_PAYMENTS"])
	require.Equal(t, 17, it["assignedById"])
	require.Equal(t, "ivanov — 2026-11-26", it["title"])
}

// TestCustomFieldNames: a mapping overridden in the config is what Setup
// creates and what the adapter writes.
func TestCustomFieldNames(t *testing.T) {
	t.Parallel()
	fake := bitrix24fake.New(t, bitrix24fake.Options{})
	cfg := config.Bitrix24CRM{WebhookURL: config.Secret(fake.WebhookURL()), EntityTypeID: 0}
	m, err := bitrix24.Setup(t.Context(), cfg, bitrix24.SetupOptions{Metrics: suiteMetrics[:1]})
	require.NoError(t, err)
	// Re-run with a custom name for a second metric on the same smart process.
	cfg.EntityTypeID, cfg.SPAID = m.EntityTypeID, m.SPAID
	spa := fmt.Sprint(m.SPAID)
	cfg.Fields = map[string]string{"new_calls": m.Fields["new_calls"], "contracts": "UF_CRM_" + spa + "_SIGNED"}
	m2, err := bitrix24.Setup(t.Context(), cfg, bitrix24.SetupOptions{})
	require.NoError(t, err)
	require.Equal(t, "UF_CRM_"+spa+"_SIGNED", m2.Fields["contracts"])
	require.Len(t, fake.Types(), 1, "an existing smart process is reused")

	cfg.Fields = m2.Fields
	a, err := bitrix24.New(cfg, bitrix24.Options{})
	require.NoError(t, err)
	rec := crmtest.Record("petrov", date, report.Submitted, map[string]float64{"new_calls": 3, "contracts": 2})
	res := a.Upsert(t.Context(), pushes(rec))
	require.NoError(t, res[0].Err)
	it, _ := fake.Item(res[0].ObjectID)
	require.InDelta(t, 2.0, it["UF_CRM_"+spa+"_SIGNED"], 0)
	objs := fake.Objects(t)
	require.Len(t, objs, 1)
	require.Equal(t, map[string]float64{"new_calls": 3, "contracts": 2}, objs[0].Metrics)
}

func TestSetup(t *testing.T) {
	t.Parallel()
	fake := bitrix24fake.New(t, bitrix24fake.Options{})
	cfg := config.Bitrix24CRM{WebhookURL: config.Secret(fake.WebhookURL())}
	m, err := bitrix24.Setup(t.Context(), cfg, bitrix24.SetupOptions{Metrics: suiteMetrics})
	require.NoError(t, err)
	require.Positive(t, m.EntityTypeID)
	require.Positive(t, m.SPAID)
	spa := fmt.Sprint(m.SPAID)
	want := map[string]string{
		"status": "UF_CRM_" + spa + "_STATUS", "notes": "UF_CRM_" + spa + "_NOTES",
		"long_term": "UF_CRM_" + spa + "_LONG_TERM",
		"flags":     "UF_CRM_" + spa + "_FLAGS", "source_url": "UF_CRM_" + spa + "_SOURCE_URL",
	}
	for _, mt := range suiteMetrics {
		want[mt.Key] = "UF_CRM_" + spa + "_" + strings.ToUpper(mt.Key)
	}
	require.Equal(t, want, m.Fields)

	types := fake.Types()
	require.Len(t, types, 1)
	ty := types[0]
	require.Equal(t, "Ежедневные отчёты", ty.Title)
	require.Equal(t, m.EntityTypeID, ty.EntityTypeID)
	require.Equal(t, m.SPAID, ty.ID)
	require.True(t, ty.BeginClose, "start and end dates are enabled")
	byName := map[string]bitrix24fake.UserField{}
	for _, f := range ty.Fields {
		byName[f.FieldName] = f
	}
	require.Len(t, byName, len(want))
	require.Equal(t, "double", byName[want["new_calls"]].UserTypeID)
	require.Equal(t, "Новые звонки", byName[want["new_calls"]].Label)
	require.Equal(t, "dayreport.metric.new_calls", byName[want["new_calls"]].XMLID)
	require.Equal(t, "string", byName[want["notes"]].UserTypeID)
	require.Equal(t, "url", byName[want["source_url"]].UserTypeID)
	require.Equal(t, "dayreport.status", byName[want["status"]].XMLID)
	require.Equal(t, "CRM_"+spa, byName[want["status"]].EntityID)

	y := m.YAML()
	require.Contains(t, y, "adapter: bitrix24")
	require.Contains(t, y, fmt.Sprintf("entity_type_id: %d", m.EntityTypeID))
	require.Contains(t, y, fmt.Sprintf("spa_id: %d", m.SPAID))
	require.Contains(t, y, "new_calls: UF_CRM_"+spa+"_NEW_CALLS")
	require.NotContains(t, y, fake.Code())

	for _, st := range m.Steps {
		require.True(t, st.Create, "a fresh portal: everything created (%s)", st.What)
	}
	require.Len(t, m.Steps, 1+len(want), "the smart process and every field")

	// Again with the webhook alone, and then with the ids in the config:
	// everything is found, nothing is created, the same mapping.
	creates := func() int {
		n := 0
		for _, r := range fake.Requests() {
			if r.Method == "crm.type.add" || r.Method == "userfieldconfig.add" {
				n++
			}
		}
		return n
	}
	before := creates()
	for _, ids := range []bool{false, true} {
		if ids {
			cfg.EntityTypeID, cfg.SPAID = m.EntityTypeID, m.SPAID
		}
		again, err := bitrix24.Setup(t.Context(), cfg, bitrix24.SetupOptions{Metrics: suiteMetrics})
		require.NoError(t, err)
		require.Equal(t, m.Fields, again.Fields)
		require.Equal(t, [2]int{m.EntityTypeID, m.SPAID}, [2]int{again.EntityTypeID, again.SPAID})
		for _, st := range again.Steps {
			require.False(t, st.Create, "found, not created: %s", st.What)
		}
		require.Equal(t, before, creates(), "a second run creates nothing")
	}
	require.Len(t, fake.Types(), 1)
	require.Len(t, fake.Types()[0].Fields, len(want))
}

// TestSetupDryRun: a dry run reads and plans, and creates nothing; on a
// portal where a field is missing it plans that field alone.
func TestSetupDryRun(t *testing.T) {
	t.Parallel()
	fake := bitrix24fake.New(t, bitrix24fake.Options{})
	cfg := config.Bitrix24CRM{WebhookURL: config.Secret(fake.WebhookURL())}
	plan, err := bitrix24.Setup(t.Context(), cfg, bitrix24.SetupOptions{Metrics: suiteMetrics, DryRun: true})
	require.NoError(t, err)
	require.Empty(t, fake.Types(), "a dry run creates nothing")
	require.Len(t, plan.Steps, 1+5+len(suiteMetrics))
	require.Equal(t, "would create smart process \"Ежедневные отчёты\"", plan.Steps[0].Text(true))
	require.Zero(t, plan.SPAID)

	_, err = bitrix24.Setup(t.Context(), cfg, bitrix24.SetupOptions{Metrics: suiteMetrics[:1]})
	require.NoError(t, err)
	plan, err = bitrix24.Setup(t.Context(), cfg, bitrix24.SetupOptions{Metrics: suiteMetrics, DryRun: true})
	require.NoError(t, err)
	var create []string
	for _, st := range plan.Steps {
		if st.Create {
			create = append(create, st.What)
		}
	}
	require.Len(t, create, len(suiteMetrics)-1, "only the fields still missing: %v", create)
	require.Len(t, fake.Types()[0].Fields, 5+1, "still only what the real run made")
}

func TestSetupRejects(t *testing.T) {
	t.Parallel()
	fake := bitrix24fake.New(t, bitrix24fake.Options{})
	cfg := config.Bitrix24CRM{WebhookURL: config.Secret(fake.WebhookURL())}
	for name, metrics := range map[string][]bitrix24.Metric{
		"none":     nil,
		"reserved": {{Key: "notes"}},
		"twice":    {{Key: "a"}, {Key: "a"}},
		"empty":    {{Key: " "}},
	} {
		_, err := bitrix24.Setup(t.Context(), cfg, bitrix24.SetupOptions{Metrics: metrics})
		require.Error(t, err, name)
	}
	require.Empty(t, fake.Requests(), "nothing is created for a bad metric list")

	cfg.EntityTypeID, cfg.SPAID = 1036, 3
	cfg.Fields = map[string]string{"calls": "UF_CRM_99_CALLS"}
	_, err := bitrix24.Setup(t.Context(), cfg, bitrix24.SetupOptions{})
	require.ErrorContains(t, err, "UF_CRM_3_")

	bad := config.Bitrix24CRM{WebhookURL: config.Secret(strings.Replace(fake.WebhookURL(), fake.Code(), "wrongcode123", 1))}
	_, err = bitrix24.Setup(t.Context(), bad, bitrix24.SetupOptions{Metrics: suiteMetrics})
	require.ErrorContains(t, err, "INVALID_CREDENTIALS")
	require.False(t, crm.IsRetryable(err))
	require.NotContains(t, err.Error(), "wrongcode123")
}

// TestRedaction: the webhook code appears in no error and no log line,
// whatever goes wrong, and no *url.Error (whose URL holds it) is reachable.
func TestRedaction(t *testing.T) {
	t.Parallel()
	p := newPortal(t, bitrix24fake.Options{}, true)
	ad := p.adapter(t, bitrix24.Options{Timeout: harnessTimeout})
	check := func(what string, err error) {
		t.Helper()
		require.Error(t, err, what)
		p.requireNoSecret(t, what, err.Error())
		p.requireNoSecret(t, what+" (%+v)", fmt.Sprintf("%+v", err))
		var ue *url.Error
		require.NotErrorAs(t, err, &ue, "%s: a *url.Error holding the webhook is reachable", what)
	}
	for _, f := range []crmtest.Fault{crmtest.Unavailable, crmtest.Timeout, crmtest.ServerError, crmtest.BadRequest, crmtest.RateLimited} {
		p.fake.Inject(f, 1)
		check(f.String(), ad.Upsert(t.Context(), pushes(record("x", 1)))[0].Err)
		p.fake.Reset()
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := ad.Upsert(ctx, pushes(record("x", 1)))[0].Err
	check("cancelled", err)
	require.ErrorIs(t, err, context.Canceled)

	// A wrong code: the portal says so, the error does not repeat it.
	wrong := p.cfg
	wrong.WebhookURL = config.Secret(strings.Replace(p.fake.WebhookURL(), p.fake.Code(), "0therc0de99", 1))
	bad, err := bitrix24.New(wrong, bitrix24.Options{})
	require.NoError(t, err)
	err = bad.Upsert(t.Context(), pushes(record("x", 1)))[0].Err
	require.ErrorContains(t, err, "INVALID_CREDENTIALS")
	require.NotContains(t, err.Error(), "0therc0de99")
	require.False(t, crm.IsRetryable(err), "a wrong webhook is permanent")

	// The portal gone: connection refused.
	p.fake.Close()
	check("closed", ad.Upsert(t.Context(), pushes(record("x", 1)))[0].Err)

	logs := p.logs.String()
	require.NotEmpty(t, logs)
	p.requireNoSecret(t, "logs", logs)
}

// canned is a server answering every request with one status and body.
func canned(t *testing.T, status int, header http.Header, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/rest/1/cannedcode123/"
}

// TestErrorClassification drives the adapter against canned answers.
func TestErrorClassification(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
	reset := now.Add(90 * time.Second).Unix()
	cases := []struct {
		name      string
		status    int
		header    http.Header
		body      string
		retryable bool
		after     time.Duration // 0: none expected; -1: any positive
	}{
		{"query limit", 503, nil, `{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}`, true, 500 * time.Millisecond},
		{"query limit with Retry-After", 503, http.Header{"Retry-After": {"3"}}, `{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}`, true, 3 * time.Second},
		{"operation time limit", 429, nil, fmt.Sprintf(`{"error":"OPERATION_TIME_LIMIT","error_description":"Method is blocked due to operation time limit","time":{"operating_reset_at":%d}}`, reset), true, 90 * time.Second},
		{"operation time limit, reset as string", 429, nil, fmt.Sprintf(`{"error":"OPERATION_TIME_LIMIT","error_description":"x","time":{"operating_reset_at":"%d"}}`, reset), true, 90 * time.Second},
		{"operation time limit, no reset", 429, nil, `{"error":"OPERATION_TIME_LIMIT","error_description":"x"}`, true, 10 * time.Minute},
		{"internal error", 500, nil, `{"error":"INTERNAL_SERVER_ERROR","error_description":"Internal server error"}`, true, 0},
		{"bad gateway html", 502, nil, `<html>502 Bad Gateway</html>`, true, 0},
		{"unavailable with Retry-After", 503, http.Header{"Retry-After": {"7"}}, ``, true, 7 * time.Second},
		{"garbled 200", 200, nil, `{"result":{"items":[{"id":`, true, 0},
		{"wrong code", 401, nil, `{"error":"INVALID_CREDENTIALS","error_description":"Invalid request credentials"}`, false, 0},
		{"no auth", 401, nil, `{"error":"NO_AUTH_FOUND","error_description":"Wrong authorization data"}`, false, 0},
		{"expired token", 401, nil, `{"error":"expired_token","error_description":"The access token provided has expired"}`, false, 0},
		{"access denied", 403, nil, `{"error":"ACCESS_DENIED","error_description":"REST is available only by subscription"}`, false, 0},
		{"error core", 400, nil, `{"error":"ERROR_CORE","error_description":"Unknown TYPE"}`, false, 0},
		{"bad filter", 400, nil, `{"error":"INVALID_ARG_VALUE","error_description":"Invalid filter: field 'x' is not allowed in filter"}`, false, 0},
		{"smart process gone", 400, nil, `{"error":"NOT_FOUND","error_description":"Smart process not found"}`, false, 0},
		{"numeric error code", 400, nil, `{"error":0,"error_description":"You are not allowed to create custom fields"}`, false, 0},
		{"error in a 200", 200, nil, `{"error":"ACCESS_DENIED","error_description":"Access denied"}`, false, 0},
		{"redirect", 302, http.Header{"Location": {"https://elsewhere.example/"}}, ``, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := config.Bitrix24CRM{WebhookURL: config.Secret(canned(t, tc.status, tc.header, tc.body)), EntityTypeID: 1036, SPAID: 3}
			a, err := bitrix24.New(cfg, bitrix24.Options{Now: func() time.Time { return now }})
			require.NoError(t, err)
			err = a.Upsert(t.Context(), pushes(record("x", 1)))[0].Err
			require.Error(t, err)
			require.NotContains(t, err.Error(), "cannedcode123")
			require.Equal(t, tc.retryable, crm.IsRetryable(err), "%v", err)
			switch got := crm.RetryAfter(err); {
			case tc.after > 0:
				require.Equal(t, tc.after, got, "%v", err)
			case tc.after == 0:
				require.Zero(t, got, "%v", err)
			}
		})
	}
}

// TestTolerantDecoding: ids as strings or numbers, [] for empty objects,
// total and next as strings: a canned portal speaking only in quirks.
func TestTolerantDecoding(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/crm.item.list.json"):
			_, _ = w.Write([]byte(`{"result":{"items":[{"id":"17","xmlId":"dayreport:known:2026-11-26"},{"id":"9.0","xmlId":"dayreport:known:2026-11-26"}]},"total":"2","time":[]}`))
		case strings.HasSuffix(r.URL.Path, "/batch.json"):
			_, _ = w.Write([]byte(`{"result":{"result":{"p0":{"item":{"id":"9"}},"p1":{"item":{"id":31.0,"xmlId":"dayreport:new:2026-11-26"}}},` +
				`"result_error":[],"result_total":[],"result_next":[],"result_time":[]},"time":{"start":"1724916859.4"}}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	cfg := config.Bitrix24CRM{WebhookURL: config.Secret(srv.URL + "/rest/1/abcdefgh/"), EntityTypeID: 1036, SPAID: 3}
	a, err := bitrix24.New(cfg, bitrix24.Options{})
	require.NoError(t, err)
	res := a.Upsert(t.Context(), pushes(record("known", 1), record("new", 1)))
	require.NoError(t, res[0].Err)
	require.Equal(t, "9", res[0].ObjectID, "the oldest of duplicate items, id given as \"9.0\"")
	require.NoError(t, res[1].Err)
	require.Equal(t, "31", res[1].ObjectID, "an id given as 31.0")
	require.Equal(t, int32(2), calls.Load())
}

// TestNeverExceedsBucket: far more requests than the bucket holds, as fast
// as the adapter will send them, against a portal with the real bucket
// (time-scaled): no request is ever refused.
// In a testing/synctest bubble with the fake in-process: the adapter's pacer
// and the portal's bucket read one clock, so a busy machine cannot make a
// request arrive early or the bucket drain late.
func TestNeverExceedsBucket(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const scale = 100.0
		p := newPortal(t, bitrix24fake.Options{Scale: scale, InProcess: true}, true)
		require.Eventually(t, func() bool { return p.fake.Level() == 0 }, 5*time.Second, 5*time.Millisecond, "Setup's requests drain")
		ad := p.adapter(t, bitrix24.Options{TimeScale: scale})
		const n = 2000 // 40 lookups + 40 batches: 80 requests > the bucket's 50
		recs := make([]crm.Record, n)
		for i := range recs {
			recs[i] = record(fmt.Sprintf("e%04d", i), float64(i))
		}
		before := len(p.fake.Requests())
		start := time.Now()
		res := instantRetrier(ad, 1).Upsert(t.Context(), pushes(recs...))
		elapsed := time.Since(start)
		for i, r := range res {
			require.NoError(t, r.Err, "push %d", i)
		}
		reqs := requestsSince(p.fake, before)
		require.Len(t, reqs, 80)
		for _, r := range reqs {
			require.Equal(t, http.StatusOK, r.Status)
		}
		require.Zero(t, p.fake.Violations())
		floor := time.Duration(float64(80-bitrix24.DefaultBurst) / (bitrix24.DefaultRequestsPerSecond * scale) * float64(time.Second))
		require.GreaterOrEqual(t, elapsed, floor-10*time.Millisecond, "requests past the burst wait for the bucket")
	})
}

// TestFullServerBucket: another integration filled the portal's bucket; the
// adapter's first request is refused with 503 QUERY_LIMIT_EXCEEDED, which is
// retryable after one drain interval, and the retry goes through.
// In a testing/synctest bubble with the fake in-process: on a real clock a
// busy machine could let the filled bucket drain (50 ms a slot) before the
// first request arrived.
func TestFullServerBucket(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const scale = 10.0
		p := newPortal(t, bitrix24fake.Options{Scale: scale, InProcess: true}, true)
		ad := p.adapter(t, bitrix24.Options{TimeScale: scale})
		p.fake.Fill()
		res := ad.Upsert(t.Context(), pushes(record("a", 1)))
		require.Error(t, res[0].Err)
		require.True(t, crm.IsRetryable(res[0].Err))
		require.Equal(t, 50*time.Millisecond, crm.RetryAfter(res[0].Err), "1/(2 req/s × 10)")
		require.ErrorContains(t, res[0].Err, "QUERY_LIMIT_EXCEEDED")
		require.Equal(t, 1, p.fake.Violations(), "the fake counts the overflow")

		r := &crm.Retrier{Adapter: ad, MaxElapsed: -1, Base: time.Millisecond, Max: 10 * time.Millisecond}
		res = r.Upsert(t.Context(), pushes(record("a", 1)))
		require.NoError(t, res[0].Err)
		require.Equal(t, 1, p.fake.Violations(), "after a 503 the adapter paces itself at the drain rate")
		require.Len(t, p.fake.Objects(t), 1)
	})
}

// TestNewRecordsCreatedWithoutLookup: 120 records the outbox knows were
// never sent go out in ceil(120/50) = 3 batch calls and no lookup. When the
// answer to such a create is lost, the retry looks the keys up first and
// updates what the portal stored: no item twice.
func TestNewRecordsCreatedWithoutLookup(t *testing.T) {
	t.Parallel()
	p := newPortal(t, bitrix24fake.Options{}, true)
	ad := p.adapter(t, bitrix24.Options{Timeout: 10 * time.Second}) // nothing here hangs: room for a loaded machine
	fresh := func(prefix string, n int) []crm.Push {
		out := make([]crm.Push, n)
		for i := range out {
			out[i] = crm.Push{Record: record(fmt.Sprintf("%s%03d", prefix, i), float64(i)), New: true}
		}
		return out
	}
	before := len(p.fake.Requests())
	for i, r := range instantRetrier(ad, 3).Upsert(t.Context(), fresh("n", 120)) {
		require.NoError(t, r.Err, "push %d", i)
		require.NotEmpty(t, r.ObjectID)
	}
	got := shape(requestsSince(p.fake, before))
	require.Len(t, got, 3, "%v", got)
	for _, call := range got {
		require.True(t, strings.HasPrefix(call, "batch:add"), "%v", got)
	}

	p.fake.Inject(crmtest.AmbiguousCreate, 1)
	before = len(p.fake.Requests())
	for i, r := range instantRetrier(ad, 3).Upsert(t.Context(), fresh("m", 3)) {
		require.NoError(t, r.Err, "push %d", i)
	}
	require.Equal(t, []string{"batch:add,add,add", "crm.item.list", "batch:update,update,update"},
		shape(requestsSince(p.fake, before)))
	seen := map[string]bool{}
	for _, o := range p.fake.Objects(t) {
		require.False(t, seen[o.Key], "duplicate item for %s", o.Key)
		seen[o.Key] = true
	}
	require.Len(t, seen, 123)
}
