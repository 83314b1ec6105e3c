package amocrm_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/amocrm"
	"github.com/dayreport/dayreport/pkg/crm/amocrm/amocrmfake"
)

// setupLimit lifts the fake's rate limit: each Setup call and adapter here
// has a pacer of its own, as separate runs of the command would, and
// pacing is tested elsewhere.
const setupLimit = 1000

var setupMetrics = []amocrm.Metric{{Key: "new_calls", Label: "Новые звонки"}, {Key: "payments", Label: "Оплаты"}}

// posts counts the requests that create something.
func posts(f *amocrmfake.Server) int {
	n := 0
	for _, r := range f.Requests() {
		if r.Method == http.MethodPost && r.Status == http.StatusOK {
			n++
		}
	}
	return n
}

// TestSetup: from base_url and the token alone, setup creates the list and
// its fields (two requests besides the look-ups), the mapping it prints
// writes records, and a second run, with or without the ids, creates
// nothing.
//
// Not parallel, like the other tests added with it: this package's rate
// tests run on the real clock, and more load beside them makes them flaky
// on a busy machine.
func TestSetup(t *testing.T) {
	fake := amocrmfake.New(t, amocrmfake.Options{Token: token, Per: testPer, Limit: setupLimit})
	cfg := config.AmoCRM{BaseURL: fake.URL, Token: token}
	opts := amocrm.SetupOptions{Options: amocrm.Options{Per: testPer}, SetupPlan: crm.SetupPlan{Metrics: setupMetrics}}
	m, err := amocrm.Setup(t.Context(), cfg, opts)
	require.NoError(t, err)
	require.Equal(t, 2, posts(fake), "one list, one request for every field")
	require.Positive(t, m.CatalogID)
	require.Len(t, m.Fields, 7+len(setupMetrics))
	for _, st := range m.Steps {
		require.True(t, st.Create, st.What)
	}
	var list amocrmfake.Catalog
	for _, c := range fake.Catalogs() {
		if c.ID == m.CatalogID {
			list = c
		}
	}
	require.Equal(t, amocrm.DefaultCatalogName, list.Name)
	byCode := map[string]amocrmfake.CustomField{}
	for _, f := range list.Fields {
		byCode[f.Code] = f
	}
	require.Equal(t, "numeric", byCode["DAYREPORT_M_NEW_CALLS"].Type)
	require.Equal(t, "Новые звонки", byCode["DAYREPORT_M_NEW_CALLS"].Name)
	require.Equal(t, "url", byCode["DAYREPORT_SOURCE_URL"].Type)
	require.Equal(t, m.Fields["new_calls"], byCode["DAYREPORT_M_NEW_CALLS"].ID)

	y := m.YAML()
	require.Contains(t, y, "adapter: amocrm")
	require.Contains(t, y, "catalog_id: ")
	require.NotContains(t, y, token)

	for _, withIDs := range []bool{false, true} {
		c := cfg
		if withIDs {
			c.CatalogID = m.CatalogID
		}
		again, err := amocrm.Setup(t.Context(), c, opts)
		require.NoError(t, err)
		require.Equal(t, m.CatalogID, again.CatalogID)
		require.Equal(t, m.Fields, again.Fields)
		for _, st := range again.Steps {
			require.False(t, st.Create, "found, not created: %s", st.What)
		}
		require.Equal(t, 2, posts(fake), "a second run creates nothing")
	}

	// The printed mapping is what the adapter writes through.
	cfg.CatalogID, cfg.Fields = m.CatalogID, m.Fields
	a, err := amocrm.New(cfg, amocrm.Options{Per: testPer})
	require.NoError(t, err)
	res := a.Upsert(t.Context(), []crm.Push{{Record: rec("ivanov", map[string]float64{"new_calls": 7})}})
	require.NoError(t, res[0].Err)
	require.Zero(t, fake.Violations())
}

// TestSetupDryRun: a dry run reads and creates nothing, on a fresh account
// and on one missing a field.
func TestSetupDryRun(t *testing.T) {
	fake := amocrmfake.New(t, amocrmfake.Options{Token: token, Per: testPer, Limit: setupLimit})
	cfg := config.AmoCRM{BaseURL: fake.URL, Token: token}
	opts := amocrm.SetupOptions{Options: amocrm.Options{Per: testPer}, SetupPlan: crm.SetupPlan{Metrics: setupMetrics, DryRun: true}}
	plan, err := amocrm.Setup(t.Context(), cfg, opts)
	require.NoError(t, err)
	require.Zero(t, posts(fake))
	require.Zero(t, plan.CatalogID)
	require.Len(t, plan.Steps, 1+7+len(setupMetrics))
	require.Equal(t, "would create list \"Ежедневные отчёты\"", plan.Steps[0].Text(true))

	opts.DryRun, opts.Metrics = false, setupMetrics[:1]
	_, err = amocrm.Setup(t.Context(), cfg, opts)
	require.NoError(t, err)
	opts.DryRun, opts.Metrics = true, setupMetrics
	plan, err = amocrm.Setup(t.Context(), cfg, opts)
	require.NoError(t, err)
	var create []string
	for _, st := range plan.Steps {
		if st.Create {
			create = append(create, st.What)
		}
	}
	require.Equal(t, []string{`numeric field "Оплаты" (payments, code DAYREPORT_M_PAYMENTS)`}, create)
	require.Equal(t, 2, posts(fake), "only the real run created")
}
