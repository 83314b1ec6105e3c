package app

import (
	"archive/zip"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
)

// TestDemoLongTerm follows the methodology's second question ("what will it
// give in the long term") through the embedded default: Petrova's Markdown
// report answers it with the combined prompt on 29 October (all of it is
// notes) and with both parts labelled on 3 November (split), and the answer
// reaches the pass JSON, the state database, the builtin CRM and the
// workbook.
func TestDemoLongTerm(t *testing.T) {
	t.Parallel()
	cfg, a, res := replayedDemo(t) // runDemo on a new database, run once for the package

	nov3 := day.MustParse("2026-11-03")
	var js []byte
	for _, d := range res.Days {
		if d.Date == nov3.String() {
			var err error
			js, err = json.Marshal(d)
			require.NoError(t, err)
		}
	}
	require.Contains(t, string(js), `"notes":"подписала договор с «Ромашкой» после пилота","long_term":"выход на их сеть из 40 магазинов"`)

	stored, ok, err := a.Store().Day(t.Context(), "petrova", nov3)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "выход на их сеть из 40 магазинов", stored.LongTerm)

	records := builtinRecords(t, a)
	combined := records[crm.Key("petrova", day.MustParse("2026-10-29"))]
	require.Equal(t, "договорилась о пилоте с «Ромашкой» на три месяца", combined.Notes, "the combined prompt's text is notes")
	require.Empty(t, combined.LongTerm)
	split := records[crm.Key("petrova", nov3)]
	require.Equal(t, "подписала договор с «Ромашкой» после пилота", split.Notes)
	require.Equal(t, "выход на их сеть из 40 магазинов", split.LongTerm)

	f, err := excelize.OpenFile(cfg.Summary.XLSX)
	require.NoError(t, err)
	defer func() { require.NoError(t, f.Close()) }()
	rows, err := f.GetRows("Сводка")
	require.NoError(t, err)
	notesCol := -1
	for i, h := range rows[0] {
		if h == "Заметки" {
			notesCol = i
		}
	}
	require.GreaterOrEqual(t, notesCol, 0, "a notes column in %v", rows[0])
	var cell string
	for _, r := range rows[1:] {
		if len(r) > notesCol && r[0] == "03.11.2026" && strings.Contains(strings.Join(r, "|"), "petrova") {
			cell = r[notesCol]
		}
	}
	require.Equal(t, "подписала договор с «Ромашкой» после пилота\nЧто это даст в долгосрочной перспективе: выход на их сеть из 40 магазинов", cell)
}

// TestDemoPlanTabs reads the demo's workbook back: the План-факт tab (the
// plans of config/demo.yaml against November to the 6th, a metric behind
// the pace red, the forecast chart) and the Итоги месяца tab (November and
// October, the free text by date), with the metric labels of every tab.
func TestDemoPlanTabs(t *testing.T) {
	t.Parallel()
	cfg, _, _ := replayedDemo(t) // runDemo's workbook, the backfill run once for the package

	f, err := excelize.OpenFile(cfg.Summary.XLSX)
	require.NoError(t, err)
	defer func() { require.NoError(t, f.Close()) }()
	rows, err := f.GetRows("План-факт")
	require.NoError(t, err)
	require.Equal(t, "План-факт: ноябрь 2026, на 06.11.2026 (рабочих дней: 20)", rows[0][0])
	require.Equal(t, []string{"Сотрудник", "ID", "Показатель", "План", "Факт", "%", "Прогноз", "% прогноза"}, rows[2])
	find := func(who, metric string) (int, []string) {
		for i, r := range rows {
			if len(r) > 2 && r[0] == who && r[2] == metric {
				return i, r
			}
		}
		t.Fatalf("no row %s / %s in %v", who, metric, rows)
		return 0, nil
	}
	// Petrova: 1 contract of 12 in 4 of 20 working days: 5 by the month's end.
	i, petrova := find("Анна Петрова", "Подписано договоров")
	require.Equal(t, []string{"Анна Петрова", "petrova", "Подписано договоров", "12", "1", "8.3%", "5.0", "41.7%"}, petrova)
	fill := func(row int) string {
		cell, err := excelize.CoordinatesToCellName(3, row+1)
		require.NoError(t, err)
		id, err := f.GetCellStyle("План-факт", cell)
		require.NoError(t, err)
		st, err := f.GetStyle(id)
		require.NoError(t, err)
		if len(st.Fill.Color) == 0 {
			return ""
		}
		return st.Fill.Color[0]
	}
	require.Equal(t, "F4B6B6", fill(i), "behind the pace: red")
	j, _ := find("Иван Иванов", "Подписано договоров")
	require.Empty(t, fill(j), "on the pace (forecast 100 %): not red")
	_, team := find("Команда", "Новые звонки")
	require.Equal(t, "3200", team[3], "eight plans of 400: Petrova's new calls are not planned")
	// The forecast % per employee as bars, a series per planned metric,
	// drawn from the table under the rows.
	zr, err := zip.OpenReader(cfg.Summary.XLSX)
	require.NoError(t, err)
	defer func() { require.NoError(t, zr.Close()) }()
	var chart string
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/charts/chart") {
			continue
		}
		rc, err := zf.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		if strings.Contains(string(b), "Прогноз выполнения плана") {
			chart = string(b)
		}
	}
	require.Contains(t, chart, `<barDir val="bar">`)
	require.Equal(t, 6, strings.Count(chart, "<c:ser>")+strings.Count(chart, "<ser>"), "a series per planned metric")
	require.Contains(t, chart, "&#39;План-факт&#39;!$A$")

	rows, err = f.GetRows("Итоги месяца")
	require.NoError(t, err)
	require.Equal(t, "Итоги месяца: ноябрь 2026", rows[0][0])
	text := ""
	for _, r := range rows {
		text += strings.Join(r, "|") + "\n"
	}
	require.Contains(t, text, "Итоги месяца: октябрь 2026", "and the month before")
	require.Contains(t, text, "Анна Петрова|petrova|4|0|0|0|0|")
	require.Contains(t, text, "Дата|Сотрудник|Решённые задачи|Что это даст в долгосрочной перспективе")
	require.Contains(t, text, "Анна Петрова|подписала договор с «Ромашкой» после пилота|выход на их сеть из 40 магазинов")
	require.Contains(t, text, "Дмитрий Волков|volkov|4|0|0|0|0|")
	require.Contains(t, text, "|overstated 2|", "Volkov's flags of November by code")
	// One label per metric: the Сводка column, the План-факт row, the Итоги месяца column.
	require.Contains(t, text, "|Подписано договоров|")
	require.Contains(t, text, "|Подписано договоров, % плана|")
}
