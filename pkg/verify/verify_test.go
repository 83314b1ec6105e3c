package verify_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/verify"
)

var (
	tmpl  = report.MustBuiltin("sales-ru")
	today = day.MustParse("2026-11-26")
)

func m(calls, repeat, proposals, invoices, signed, paid float64) map[string]float64 {
	return map[string]float64{"new_calls": calls, "repeat_calls": repeat, "proposals_sent": proposals,
		"invoices_issued": invoices, "contracts_signed": signed, "payments": paid, "feedback_calls": 2, "company_rating": 4.5}
}

func codes(flags []crm.Flag) []string {
	out := []string{}
	for _, f := range flags {
		out = append(out, f.Code)
	}
	return out
}

func TestOverstated(t *testing.T) {
	t.Parallel()
	in := verify.Input{Today: verify.Day{Date: today, Metrics: m(40, 5, 3, 2, 1, 1)},
		Facts: map[string]float64{"new_calls": 12, "invoices_issued": 2, "payments": 0}}
	flags := verify.Check(tmpl, in, verify.Options{})
	require.Equal(t, []string{verify.Overstated}, codes(flags), "1 payment against 0 is within max(2, 20 %%)")
	f := flags[0]
	require.Equal(t, "new_calls", f.Metric)
	require.InDelta(t, 40, *f.Reported, 0)
	require.InDelta(t, 12, *f.Recorded, 0)
	require.Equal(t, "«Новые звонки»: в отчёте 40, в CRM 12", f.Message)

	// The tolerance: more than max(2, 20 %).
	for _, c := range []struct {
		rep, rec float64
		flag     bool
	}{{14, 12, false}, {15, 12, true}, {120, 100, false}, {121, 100, true}, {2, 0, false}, {3, 0, true}} {
		in := verify.Input{Today: verify.Day{Metrics: map[string]float64{"new_calls": c.rep}}, Facts: map[string]float64{"new_calls": c.rec}}
		require.Equal(t, c.flag, len(verify.Check(tmpl, in, verify.Options{})) == 1, "%v vs %v", c.rep, c.rec)
	}
	en := verify.Check(tmpl, in, verify.Options{Lang: "en"})
	require.Equal(t, `"New calls": reported 40, the CRM recorded 12`, en[0].Message)
	require.Empty(t, verify.Check(tmpl, verify.Input{Today: in.Today}, verify.Options{}), "no facts, no overstatement")
}

func TestInconsistent(t *testing.T) {
	t.Parallel()
	hist := []verify.Day{{Metrics: m(20, 5, 3, 1, 1, 0)}, {Metrics: m(20, 5, 3, 1, 0, 0)}, {Metrics: nil}, {Metrics: m(20, 5, 3, 0, 1, 1)}}
	flags := verify.Check(tmpl, verify.Input{Today: verify.Day{Metrics: m(20, 5, 3, 0, 1, 1)}, History: hist}, verify.Options{})
	require.Equal(t, []string{verify.Inconsistent}, codes(flags))
	require.Equal(t, "contracts_signed", flags[0].Metric)
	require.Equal(t, "за 5 раб. дн.: «Подписано договоров» 3 больше, чем «Выставлено счетов и договоров» 2", flags[0].Message)
	ok := verify.Check(tmpl, verify.Input{Today: verify.Day{Metrics: m(20, 5, 3, 3, 1, 1)}, History: hist}, verify.Options{})
	require.Empty(t, ok)
}

func history(n int, calls float64) []verify.Day {
	out := make([]verify.Day, n)
	for i := range out {
		c := calls + float64(i%5) - 2 // 23..27
		out[i] = verify.Day{Date: today.AddDays(-n + i), Metrics: m(c, 6, 3, 2, 1, 1)}
	}
	return out
}

func TestOutlier(t *testing.T) {
	t.Parallel()
	flags := verify.Check(tmpl, verify.Input{Today: verify.Day{Metrics: m(60, 6, 3, 2, 1, 1)}, History: history(20, 25)}, verify.Options{})
	require.Equal(t, []string{verify.Outlier}, codes(flags))
	require.Equal(t, "«Новые звонки»: 60 при обычных 25 (медиана за 20 дн.)", flags[0].Message)
	// 23..27: median 25, MAD 1 (σ 1.48), the limit 25 + 5 × 1.48 = 32.4.
	require.Empty(t, verify.Check(tmpl, verify.Input{Today: verify.Day{Metrics: m(32, 6, 3, 2, 1, 1)}, History: history(20, 25)}, verify.Options{}))
	require.Len(t, verify.Check(tmpl, verify.Input{Today: verify.Day{Metrics: m(33, 6, 3, 2, 1, 1)}, History: history(20, 25)}, verify.Options{}), 1)
	require.Empty(t, verify.Check(tmpl, verify.Input{Today: verify.Day{Metrics: m(60, 6, 3, 2, 1, 1)}, History: history(9, 25)}, verify.Options{}),
		"fewer than 10 days of history: no judgement")
}

func TestCopyPaste(t *testing.T) {
	t.Parallel()
	same := m(25, 7, 4, 2, 1, 1)
	two := []verify.Day{{Metrics: m(20, 5, 3, 2, 1, 1)}, {Metrics: same}}
	require.Empty(t, verify.Check(tmpl, verify.Input{Today: verify.Day{Metrics: same}, History: two}, verify.Options{}), "two days alike is chance")
	three := append(two, verify.Day{Metrics: same})
	flags := verify.Check(tmpl, verify.Input{Today: verify.Day{Metrics: same}, History: three[1:]}, verify.Options{})
	require.Equal(t, []string{verify.CopyPaste}, codes(flags))
	require.Equal(t, "те же цифры, что и в предыдущие дни, 3 рабочих дня подряд", flags[0].Message)
	gap := []verify.Day{{Metrics: same}, {Metrics: nil}, {Metrics: same}}
	require.Empty(t, verify.Check(tmpl, verify.Input{Today: verify.Day{Metrics: same}, History: gap}, verify.Options{}), "an absent day breaks the run")
	zeros := map[string]float64{"new_calls": 0, "repeat_calls": 0, "payments": 0}
	require.Empty(t, verify.Check(tmpl, verify.Input{Today: verify.Day{Metrics: zeros}, History: []verify.Day{{Metrics: zeros}, {Metrics: zeros}}}, verify.Options{}),
		"nothing done three days running is not a copy")
}

func TestEditedLate(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 27, 9, 15, 0, 0, time.UTC)
	in := verify.Input{Today: verify.Day{Metrics: m(30, 5, 3, 2, 1, 1)},
		LateEdit: &verify.Edit{At: at, Before: m(20, 5, 3, 2, 1, 1), After: m(30, 5, 3, 2, 1, 1)}}
	flags := verify.Check(tmpl, in, verify.Options{})
	require.Equal(t, []string{verify.EditedLate}, codes(flags))
	require.Equal(t, "отчёт изменён после срока (27.11.2026 09:15): «Новые звонки» 20 → 30", flags[0].Message)
	in.LateEdit.After = in.LateEdit.Before
	require.Empty(t, verify.Check(tmpl, in, verify.Options{}), "a re-save with the same numbers changes nothing")
}

func TestNoDataNoFlags(t *testing.T) {
	t.Parallel()
	require.Empty(t, verify.Check(tmpl, verify.Input{Today: verify.Day{}, History: history(20, 25), Facts: map[string]float64{"new_calls": 1}}, verify.Options{}))
}
