package funnel_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/calendar"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
)

func ruCalendar(t *testing.T) *calendar.Calendar {
	t.Helper()
	c, err := calendar.New(calendar.Options{Country: "ru"})
	require.NoError(t, err)
	return c
}

func TestChangeWindows(t *testing.T) {
	t.Parallel()
	cal := ruCalendar(t)
	change := day.MustParse("2026-11-10") // a Tuesday

	// Ten working days after (10–23 November): ten before, back over the
	// 4 November holiday to 26 October.
	w := funnel.Windows(cal, change, day.Date{}, day.MustParse("2026-11-23"))
	require.Equal(t, funnel.Span{First: change, Last: day.MustParse("2026-11-23"), Days: 10}, w.After)
	require.Equal(t, funnel.Span{First: day.MustParse("2026-10-26"), Last: day.MustParse("2026-11-09"), Days: 10}, w.Before)
	require.Equal(t, 20, w.BeforeMax)

	// Thirty after: before stops at twenty.
	w = funnel.Windows(cal, change, day.Date{}, day.MustParse("2026-12-21"))
	require.Equal(t, 30, w.After.Days)
	require.Equal(t, 20, w.Before.Days)

	// A previous change of the stage on 5 November: before never reaches past it.
	w = funnel.Windows(cal, change, day.MustParse("2026-11-05"), day.MustParse("2026-11-23"))
	require.Equal(t, funnel.Span{First: day.MustParse("2026-11-05"), Last: day.MustParse("2026-11-09"), Days: 3}, w.Before)
	require.Equal(t, 3, w.BeforeMax)

	// No day after yet (the newest stored day is before the change, or the
	// change falls on a weekend that is the newest day): the baseline.
	w = funnel.Windows(cal, change, day.Date{}, day.MustParse("2026-11-09"))
	require.Zero(t, w.After.Days)
	require.Equal(t, 20, w.Before.Days)
	w = funnel.Windows(cal, day.MustParse("2026-11-14"), day.Date{}, day.MustParse("2026-11-14"))
	require.Zero(t, w.After.Days)
}

func signed(invoices, contracts float64) map[string]float64 {
	return map[string]float64{"invoices_issued": invoices, "contracts_signed": contracts}
}

func TestFollowAChange(t *testing.T) {
	t.Parallel()
	cal := ruCalendar(t)
	spec := funnel.ChangeSpec{Date: day.MustParse("2026-11-10"), Stage: "contracts_signed", Note: "новый шаблон договора"}
	w := funnel.Windows(cal, spec.Date, day.Date{}, day.MustParse("2026-11-23"))
	r, ok := funnel.Follow(tmpl, spec, w, signed(83, 25), signed(84, 37), "ru")
	require.True(t, ok)
	out, err := json.Marshal(r)
	require.NoError(t, err)
	// z = 1.8626 by hand (pkg/stats), p = 0.0625; at this pace two more
	// days of each window would tell.
	require.JSONEq(t, `{"date":"2026-11-10","stage":"contracts_signed","from":"invoices_issued","note":"новый шаблон договора",
		"before":{"days":10,"from_count":83,"to_count":25,"conversion":0.3012},
		"after":{"days":10,"from_count":84,"to_count":37,"conversion":0.4405},
		"delta":0.1393,"p_value":0.0625,"significant":false,"days_needed":2}`, string(out))
	require.Equal(t, "рост 30,1 % → 44,0 % (+13,9 п.п.; 25 из 83 за 10 рабочих дней до, 37 из 84 за 10 рабочих дней после; "+
		"p = 0,062), пока не значим: нужно ещё около 2 рабочих дней", r.Sentence("ru"))
	require.Equal(t, "up 30.1% → 44.0% (+13.9 pp; 25 of 83 over 10 working days before, 37 of 84 over 10 working days after; "+
		"p = 0.062), not significant yet: about 2 working days more needed", r.Sentence("en"))

	// Worse and significant.
	r, _ = funnel.Follow(tmpl, spec, w, signed(80, 30), signed(80, 12), "ru")
	require.True(t, r.Significant)
	require.Equal(t, -1, r.Direction())
	require.Nil(t, r.DaysNeeded)
	require.Contains(t, r.Sentence("ru"), "падение 37,5 % → 15,0 %")
	require.Contains(t, r.Sentence("ru"), ", значим")

	// Small counts: the exact test (3 of 4 against 1 of 4 is p = 0.4857).
	r, _ = funnel.Follow(tmpl, spec, w, signed(4, 3), signed(4, 1), "ru")
	require.NotNil(t, r.PValue)
	require.InDelta(t, 0.4857, *r.PValue, 1e-4)
	require.Equal(t, "fisher", string(r.Test))

	// Zero counts on both sides: nothing signed either way, p = 1, never.
	r, _ = funnel.Follow(tmpl, spec, w, signed(20, 0), signed(25, 0), "ru")
	require.NotNil(t, r.PValue)
	require.InDelta(t, 1.0, *r.PValue, 1e-12)
	require.False(t, r.Significant)
	require.Nil(t, r.DaysNeeded)
	require.Equal(t, 0, r.Direction())
	require.Contains(t, r.Sentence("ru"), "без изменений 0,0 % → 0,0 %")
	require.Contains(t, r.Sentence("ru"), "не значим: при таком темпе разницы не различить")

	// No invoices after: no base, no test.
	r, _ = funnel.Follow(tmpl, spec, w, signed(20, 5), signed(0, 0), "ru")
	require.Nil(t, r.After.Conversion)
	require.Nil(t, r.PValue)
	require.Contains(t, r.Sentence("ru"), "сравнить не с чем")

	// A change with no day after it yet: the baseline, nothing else.
	w = funnel.Windows(cal, spec.Date, day.Date{}, day.MustParse("2026-11-09"))
	r, ok = funnel.Follow(tmpl, spec, w, signed(160, 48), nil, "ru")
	require.True(t, ok)
	out, err = json.Marshal(r)
	require.NoError(t, err)
	require.JSONEq(t, `{"date":"2026-11-10","stage":"contracts_signed","from":"invoices_issued","note":"новый шаблон договора",
		"before":{"days":20,"from_count":160,"to_count":48,"conversion":0.3},
		"after":{"days":0,"from_count":0,"to_count":0,"conversion":null},
		"delta":null,"p_value":null,"significant":false,"days_needed":null}`, string(out))
	require.Equal(t, "данных после изменения ещё нет; до него 30,0 % (48 из 160 за 20 рабочих дней)", r.Sentence("ru"))

	// The first stage has no transition into it.
	_, ok = funnel.Follow(tmpl, funnel.ChangeSpec{Date: spec.Date, Stage: "calls"}, w, nil, nil, "ru")
	require.False(t, ok)
}

func TestPreviousOfStage(t *testing.T) {
	t.Parallel()
	d := day.MustParse
	got := funnel.PreviousOfStage([]funnel.ChangeSpec{
		{Date: d("2026-11-20"), Stage: "payments"},
		{Date: d("2026-11-10"), Stage: "contracts_signed"},
		{Date: d("2026-11-02"), Stage: "payments"},
		{Date: d("2026-11-16"), Stage: "payments"},
	})
	require.Equal(t, []day.Date{d("2026-11-16"), {}, {}, d("2026-11-02")}, got)
}
