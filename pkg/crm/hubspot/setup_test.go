package hubspot_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
	"github.com/dayreport/dayreport/pkg/crm/hubspot"
	"github.com/dayreport/dayreport/pkg/crm/hubspot/hubspotfake"
	"github.com/dayreport/dayreport/pkg/report"
)

var setupMetrics = []hubspot.Metric{{Key: "new_calls", Label: "Новые звонки"}, {Key: "payments", Label: "Оплаты"}}

// TestSetup: from the token alone, setup creates the custom object with its
// properties in one request; the object type it prints takes pushes; a
// second run creates nothing; a metric added later gets its property.
func TestSetup(t *testing.T) {
	// Not parallel: the package's rate tests run on the real clock.
	fake := hubspotfake.New(t, hubspotfake.Options{Token: token})
	cfg := config.HubSpot{BaseURL: fake.URL, Token: token}
	m, err := hubspot.Setup(t.Context(), cfg, hubspot.SetupOptions{SetupPlan: crm.SetupPlan{Metrics: setupMetrics}})
	require.NoError(t, err)
	schemas := fake.Schemas()
	require.Len(t, schemas, 1)
	sc := schemas[0]
	require.Equal(t, "daily_reports", sc.Name)
	require.Equal(t, sc.ObjectTypeID, m.ObjectType)
	require.Equal(t, map[string]string{"new_calls": "new_calls", "payments": "payments"}, m.Fields)
	byName := map[string]hubspotfake.Property{}
	for _, p := range sc.Properties {
		byName[p.Name] = p
	}
	require.True(t, byName["report_key"].HasUniqueValue, "batch upsert finds objects by it")
	require.Equal(t, "number", byName["new_calls"].Type)
	require.Equal(t, "Новые звонки", byName["new_calls"].Label)
	require.Equal(t, "date", byName["date"].Type)
	require.Len(t, m.Steps, 1)
	require.True(t, m.Steps[0].Create)
	y := m.YAML()
	require.Contains(t, y, "object_type: "+m.ObjectType)
	require.NotContains(t, y, token)

	cfg.ObjectType, cfg.Fields = m.ObjectType, m.Fields
	a, err := hubspot.New(cfg, hubspot.Options{})
	require.NoError(t, err)
	rec := crmtest.Record("ivanov", date, report.Submitted, map[string]float64{"new_calls": 4, "payments": 100})
	res := a.Upsert(t.Context(), []crm.Push{{Record: rec}})
	require.NoError(t, res[0].Err, "the schema holds every property a push sets")
	res = a.Upsert(t.Context(), []crm.Push{{Record: crmtest.Record("petrov", date, report.Submitted, map[string]float64{"unmapped": 1})}})
	require.ErrorContains(t, res[0].Err, "PROPERTY_DOESNT_EXIST", "the fake refuses a property the schema lacks")

	for _, c := range []config.HubSpot{{BaseURL: fake.URL, Token: token}, cfg} {
		again, err := hubspot.Setup(t.Context(), c, hubspot.SetupOptions{SetupPlan: crm.SetupPlan{Metrics: setupMetrics}})
		require.NoError(t, err)
		require.Equal(t, m.ObjectType, again.ObjectType)
		for _, st := range again.Steps {
			require.False(t, st.Create, "found, not created: %s", st.What)
		}
		require.Len(t, fake.Schemas(), 1)
		require.Len(t, fake.Schemas()[0].Properties, len(sc.Properties), "a second run creates nothing")
	}

	more := append(slices.Clone(setupMetrics), hubspot.Metric{Key: "contracts", Label: "Договоры"})
	plan, err := hubspot.Setup(t.Context(), config.HubSpot{BaseURL: fake.URL, Token: token}, hubspot.SetupOptions{SetupPlan: crm.SetupPlan{Metrics: more, DryRun: true}})
	require.NoError(t, err)
	require.Equal(t, "would create number property contracts", plan.Steps[len(plan.Steps)-1].Text(true))
	require.Len(t, fake.Schemas()[0].Properties, len(sc.Properties), "a dry run creates nothing")
	_, err = hubspot.Setup(t.Context(), config.HubSpot{BaseURL: fake.URL, Token: token}, hubspot.SetupOptions{SetupPlan: crm.SetupPlan{Metrics: more}})
	require.NoError(t, err)
	require.Len(t, fake.Schemas()[0].Properties, len(sc.Properties)+1, "the new metric's property, alone")
	require.Zero(t, fake.Violations())
}

// TestSetupDryRunFresh: on an account without the object, a dry run plans
// it and creates nothing.
func TestSetupDryRunFresh(t *testing.T) {
	// Not parallel: the package's rate tests run on the real clock.
	fake := hubspotfake.New(t, hubspotfake.Options{Token: token})
	plan, err := hubspot.Setup(t.Context(), config.HubSpot{BaseURL: fake.URL, Token: token}, hubspot.SetupOptions{SetupPlan: crm.SetupPlan{Metrics: setupMetrics, DryRun: true}})
	require.NoError(t, err)
	require.Empty(t, fake.Schemas())
	require.Empty(t, plan.ObjectType)
	require.Equal(t, `would create custom object "daily_reports" with 9 properties`, plan.Steps[0].Text(true))

	_, err = hubspot.Setup(t.Context(), config.HubSpot{BaseURL: fake.URL, Token: "pat-wrong-token"}, hubspot.SetupOptions{SetupPlan: crm.SetupPlan{Metrics: setupMetrics}})
	require.ErrorContains(t, err, "401")
	require.False(t, crm.IsRetryable(err))
	require.NotContains(t, err.Error(), "pat-wrong-token")
}
