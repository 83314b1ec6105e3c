package xlsx_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/dayreport/dayreport/pkg/summary/xlsx"
)

// TestRewriteLaysOutOnce: a workbook written over one that holds segments
// lays each tab out once (measured, converted and keyed together, the
// changed segments' rows held until the stream starts), and is byte for
// byte its model's written from nothing — a number changed, the widest
// cell of a column changed (the widths known only once every row is
// measured), a day's rows more, an absence more, fewer checks. A tab whose
// changed rows are more than a rewrite holds (every row moved) is laid out
// again to write them; a workbook with no segments to copy is measured
// first, as from nothing.
func TestRewriteLaysOutOnce(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "summary.xlsx")
	const employees, days = 300, 10
	m := largeModel(employees, days)
	gathered, relaid, err := xlsx.WriteGathering(path, m)
	require.NoError(t, err)
	require.Zero(t, gathered+relaid, "nothing to copy from: measured first")
	requireFresh(t, path, m)
	require.Greater(t, employees*days, xlsx.HeldRows, "the Сводка tab is more than a rewrite holds")

	tabs := len(summary.TabNames("ru").All())
	step := func(name string, change func(*summary.Model), wantRelaid int) {
		t.Helper()
		next := largeModel(employees, days)
		change(next)
		gathered, relaid, err := xlsx.WriteGathering(path, next)
		require.NoError(t, err, name)
		require.Equal(t, wantRelaid, relaid, name)
		require.Equal(t, tabs-wantRelaid, gathered, name)
		requireFresh(t, path, next)
	}
	step("the same model", func(*summary.Model) {}, 0)
	step("a number changed", func(m *summary.Model) { m.Days[100].Metrics["calls"]++ }, 0)
	step("a name wider than any", func(m *summary.Model) {
		m.Days[37].Name = strings.Repeat("Очень Длинное Имя ", 3)
	}, 0)
	step("back to the widths before", func(*summary.Model) {}, 0)
	step("an absence more", func(m *summary.Model) {
		r := m.Days[3]
		r.Status, r.StatusLabel = report.Absent, report.Absent.Label("ru")
		m.Absences = append([]summary.DayRow{r}, m.Absences...)
	}, 0)
	step("fewer checks", func(m *summary.Model) { m.Checks = m.Checks[1:] }, 0)
	step("every row of the days moved", func(m *summary.Model) { m.Days = m.Days[1:] }, 1)
	step("a day's rows more", func(m *summary.Model) {
		more := largeModel(employees, days+1)
		m.Days, m.To = more.Days, more.To
	}, 1)
	step("as before", func(*summary.Model) {}, 1)
	step("as before, again", func(*summary.Model) {}, 0)
}
