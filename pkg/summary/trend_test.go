package summary_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/summary"
)

// TestTrendLayout: the Динамика tab's rows — a title, the note, the table of
// weeks (a week without data an empty cell of its kind, the week of a change
// marked and the change named) — and the table the chart draws.
func TestTrendLayout(t *testing.T) {
	t.Parallel()
	half := 0.5
	m := &summary.Model{Lang: "ru", Trend: &summary.Trend{Transitions: []string{"→ Подписано договоров"}, Weeks: []summary.TrendWeek{
		{Monday: day.MustParse("2026-11-02"), Last: day.MustParse("2026-11-08"), Conversions: []*float64{nil}},
		{Monday: day.MustParse("2026-11-09"), Last: day.MustParse("2026-11-11"), Conversions: []*float64{&half},
			Changes: []string{"Подписано договоров (10.11): новый шаблон", "Оплаты (11.11): звонок"}},
	}}}
	tab := m.Layout().Trend
	require.Equal(t, "Динамика", tab.Name)
	require.Equal(t, &summary.TrendTable{Head: 3, First: 4, Last: 5, Series: 1, Title: "Конверсия по неделям"}, tab.Lines)
	require.Equal(t, []summary.Cell{summary.Str("Неделя"), summary.Str("→ Подписано договоров"), summary.Str("Изменения")}, tab.Rows[3].Cells)
	require.Equal(t, []summary.Cell{summary.Str("02.11–08.11"), summary.Blank(summary.Percent), summary.Long("")}, tab.Rows[4].Cells)
	require.Equal(t, []summary.Cell{summary.Str("09.11–11.11 ◆"), summary.Num(0.5, summary.Percent),
		summary.Long("Подписано договоров (10.11): новый шаблон; Оплаты (11.11): звонок")}, tab.Rows[5].Cells)

	// No data yet: the title, the note and a sentence; no chart.
	empty := (&summary.Model{Lang: "en"}).Layout().Trend
	require.Equal(t, "Trend", empty.Name)
	require.Nil(t, empty.Lines)
	require.Equal(t, summary.Str("No data yet."), empty.Rows[len(empty.Rows)-1].Cells[0])
	require.Equal(t, []string{"Summary", "Funnel", "Absences", "Checks", "Trend", "Plan vs actual", "Month review"}, summary.TabNames("en").All())
}
