package gsheet_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/summary"
)

// TestTrendTab: the Динамика tab in the manager's Google Sheet: the weeks,
// a conversion a column (a week without data left empty), the change on
// its week, and a line chart over the table beside it; a rewrite leaves
// one chart, not two.
func TestTrendTab(t *testing.T) {
	t.Parallel()
	fake, w, _ := setup(t)
	m := model("ru", 2, 1)
	p := func(x float64) *float64 { return &x }
	m.Trend = &summary.Trend{Transitions: []string{"→ Подписано договоров", "→ Оплаты"}, Weeks: []summary.TrendWeek{
		{Monday: day.MustParse("2026-11-02"), Last: day.MustParse("2026-11-08"), Conversions: []*float64{p(0.25), nil}},
		{Monday: day.MustParse("2026-11-09"), Last: day.MustParse("2026-11-11"), Conversions: []*float64{p(0.5), p(0.8)},
			Changes: []string{"Подписано договоров (10.11): новый шаблон договора"}},
	}}
	for range 2 {
		require.NoError(t, w.Write(t.Context(), sheetID, m))
	}
	cells := fake.Cells(sheetID, "Динамика")
	require.Equal(t, "Конверсия по неделям", cells[0][0])
	require.Equal(t, []any{"Неделя", "→ Подписано договоров", "→ Оплаты", "Изменения"}, cells[3])
	require.Equal(t, []any{"02.11–08.11", 0.25}, cells[4], "no payments that week: an empty cell, not a zero")
	require.Equal(t, []any{"09.11–11.11 ◆", 0.5, 0.8, "Подписано договоров (10.11): новый шаблон договора"}, cells[5])
	tab := tabByTitle(t, fake, "Динамика")
	var lines int
	for _, c := range fake.Charts(sheetID) {
		if c.Spec.BasicChart.ChartType != "LINE" {
			continue
		}
		lines++
		require.Equal(t, "Конверсия по неделям", c.Spec.Title)
		require.Len(t, c.Spec.BasicChart.Series, 2)
		src := c.Spec.BasicChart.Series[1].Series.SourceRange.Sources[0]
		require.Equal(t, tab.SheetId, src.SheetId)
		require.Equal(t, []int64{4, 6, 2, 3}, []int64{src.StartRowIndex, src.EndRowIndex, src.StartColumnIndex, src.EndColumnIndex})
	}
	require.Equal(t, 1, lines)
}
