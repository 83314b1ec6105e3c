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

// TestGuessedMeasures: a rewrite takes the tables' measures (rows, widths)
// from the workbook it replaces and writes them without laying them out
// first; the workbook is, byte for byte, its model's written from nothing
// — when the measures hold (a number changed), and when one does not (a
// name wider than any, a new day's rows, an absence more, fewer checks),
// where the workbook is built again measured first. A workbook without
// measures (a spreadsheet application's, another writer's) is measured.
func TestGuessedMeasures(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "summary.xlsx")
	m := largeModel(60, 5)
	guessed, remeasured, err := xlsx.WriteGuessing(path, m)
	require.NoError(t, err)
	require.Zero(t, guessed, "nothing to guess from")
	require.False(t, remeasured)
	requireFresh(t, path, m)

	// Сводка, Отсутствия, Проверки, and the tabs of what this model lacks
	// (Динамика, План-факт, Итоги месяца): all but the funnel's blocks.
	tables := 6
	step := func(name string, change func(*summary.Model), wantRemeasured bool) {
		t.Helper()
		next := largeModel(60, 5)
		change(next)
		guessed, remeasured, err := xlsx.WriteGuessing(path, next)
		require.NoError(t, err, name)
		require.Equal(t, wantRemeasured, remeasured, name)
		if !wantRemeasured {
			require.Equal(t, tables, guessed, name)
		}
		requireFresh(t, path, next)
	}
	step("the same model", func(*summary.Model) {}, false)
	step("a number changed", func(m *summary.Model) { m.Days[100].Metrics["calls"]++ }, false)
	step("a name wider than any", func(m *summary.Model) {
		m.Days[37].Name = strings.Repeat("Очень Длинное Имя ", 3)
	}, true)
	step("back to the same widths", func(*summary.Model) {}, true)
	step("a day's rows more", func(m *summary.Model) {
		extra := largeModel(60, 6)
		m.Days = extra.Days
		m.To = extra.To
	}, true)
	step("an absence more", func(m *summary.Model) {
		r := m.Days[3]
		r.Status, r.StatusLabel = report.Absent, report.Absent.Label("ru")
		m.Absences = append(m.Absences, r)
	}, true)
	step("fewer checks", func(m *summary.Model) { m.Checks = m.Checks[1:] }, true)
	step("as before", func(*summary.Model) {}, true)
	step("as before, again", func(*summary.Model) {}, false)
}
