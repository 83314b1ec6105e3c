package app

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24/bitrix24fake"
)

// TestBitrix24Pass: `crm setup` creates the smart process and its fields on
// a fresh portal, then passes push one item per employee-day through the
// batch API, update it in place when a report changes, and rerun as a no-op.
func TestBitrix24Pass(t *testing.T) {
	t.Parallel()
	fake := bitrix24fake.New(t, bitrix24fake.Options{Scale: 50})
	tm := newTeam(t, trio)
	tm.Cfg.CRM.Adapter = config.AdapterBitrix24
	tm.Cfg.CRM.Bitrix24.WebhookURL = config.Secret(fake.WebhookURL())
	out, err := CRMSetup(t.Context(), tm.Cfg)
	require.NoError(t, err)
	require.Contains(t, out, "entity_type_id:")
	require.NotContains(t, out, fake.Code(), "the webhook code is a secret")
	types := fake.Types()
	require.Len(t, types, 1)
	tm.Cfg.CRM.Bitrix24.EntityTypeID = types[0].EntityTypeID
	tm.Cfg.CRM.Bitrix24.SPAID = types[0].ID

	tm.Write(t, "anna.txt", reportText("25.11.2026", 10))
	tm.Write(t, "boris.txt", reportText("25.11.2026", 11))
	clk := newClock(msk("2026-11-26", 9, 0)) // after every deadline: vera is absent
	a := openApp(t, tm.Cfg, Options{Now: clk.Now})
	res, err := a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Equal(t, 3, res.CRM.Pushed)
	objs := fake.Objects(t)
	require.Len(t, objs, 3)
	byKey := map[string]float64{}
	status := map[string]string{}
	for _, o := range objs {
		byKey[o.Key], status[o.Key] = o.Metrics["new_calls"], o.Status
	}
	require.InDelta(t, 10, byKey["dayreport:anna:2026-11-25"], 0)
	require.Equal(t, "absent", status["dayreport:vera:2026-11-25"])

	tm.Write(t, "anna.txt", reportText("25.11.2026", 15))
	res, err = a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Equal(t, 1, res.CRM.Pushed)
	require.Equal(t, 2, res.CRM.Unchanged)
	objs = fake.Objects(t)
	require.Len(t, objs, 3, "the change updated the same item")
	for _, o := range objs {
		if o.Key == "dayreport:anna:2026-11-25" {
			require.InDelta(t, 15, o.Metrics["new_calls"], 0)
		}
	}
	require.Zero(t, fake.Violations(), "never over the portal's rate")
}
