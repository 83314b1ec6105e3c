package gsheet_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/summary"
)

func TestWriteFillsEveryTab(t *testing.T) {
	t.Parallel()
	fake, w, _ := setup(t)
	notesBefore := fake.CellData(sheetID, "Мои заметки")
	m := model("ru", 4, 2)
	require.NoError(t, w.Write(t.Context(), "https://docs.google.com/spreadsheets/d/"+sheetID+"/edit#gid=0", m))

	require.Equal(t, []string{"Мои заметки", "Сводка", "Воронка", "Отсутствия", "Проверка", "Динамика", "План-факт", "Итоги месяца"}, fake.SheetTitles(sheetID))
	require.Equal(t, notesBefore, fake.CellData(sheetID, "Мои заметки"), "the manager's tab is untouched")
	require.Equal(t, [][]any{{"План на декабрь", 42.0}, {"=не формула"}, {"", "позвонить"}}, fake.Cells(sheetID, "Мои заметки"))

	t.Run("Сводка", func(t *testing.T) {
		cells := fake.CellData(sheetID, "Сводка")
		require.Len(t, cells, 1+4*2, "a header and a row per employee-day")
		head := []string{"Дата", "Сотрудник", "ID", "Статус", "Причина"}
		for _, c := range m.Columns {
			head = append(head, c.Label)
		}
		head = append(head, "Заметки", "Флаги")
		require.Len(t, head, 16)
		for c, want := range head {
			cd := at(cells, 0, c)
			require.Equal(t, want, stringOf(t, cd))
			require.True(t, cd.UserEnteredFormat.TextFormat.Bold, "the header is bold")
			require.NotNil(t, cd.UserEnteredFormat.BackgroundColorStyle, "the header has a fill")
		}
		// Row 1: e0000 on 16.11.2026.
		date := at(cells, 1, 0)
		require.InDelta(t, fromSerial, numberOf(t, date), 0, "a date is a serial day")
		require.Equal(t, &sheets.NumberFormat{Type: "DATE", Pattern: "dd.mm.yyyy"}, formatOf(date))
		require.InDelta(t, fromSerial+1, numberOf(t, at(cells, 5, 0)), 0, "the second day")
		require.Equal(t, "Сотрудник e0000", stringOf(t, at(cells, 1, 1)))
		require.Equal(t, "e0000", stringOf(t, at(cells, 1, 2)))
		require.Equal(t, "сдан", stringOf(t, at(cells, 1, 3)))
		calls := at(cells, 1, 5)
		require.InDelta(t, 15, numberOf(t, calls), 0, "new_calls is a number")
		require.Equal(t, &sheets.NumberFormat{Type: "NUMBER", Pattern: "0"}, formatOf(calls))
		rating := at(cells, 1, 13)
		require.InDelta(t, 4.5, numberOf(t, rating), 0)
		require.Equal(t, &sheets.NumberFormat{Type: "NUMBER", Pattern: "0.0"}, formatOf(rating))
		// Row 2: e0001 is absent, no metric is a zero.
		require.Equal(t, "отсутствовал", stringOf(t, at(cells, 2, 3)))
		for c := 4; c < 14; c++ {
			require.Nil(t, at(cells, 2, c).UserEnteredValue, "column %d of an absent day is empty", c)
		}
		// Row 4: e0003 did not give feedback_calls; its note looks like a formula.
		require.Nil(t, at(cells, 4, 12).UserEnteredValue, "a metric not given is an empty cell")
		require.Equal(t, injection, stringOf(t, at(cells, 4, 14)))
		require.Equal(t, "звонков больше, чем в CRM; +7 900 000-00-00", stringOf(t, at(cells, 4, 15)))
		// Notes and flags wrap within their columns; so does the header.
		require.Equal(t, "WRAP", at(cells, 4, 14).UserEnteredFormat.WrapStrategy)
		require.Equal(t, "WRAP", at(cells, 0, 9).UserEnteredFormat.WrapStrategy)
		values := fake.Cells(sheetID, "Сводка")
		require.Empty(t, values[4][12], "an empty metric reads back as an empty cell")
		require.Len(t, values[2], 4, "an absent day has nothing after its status")

		p := tabByTitle(t, fake, "Сводка")
		require.Equal(t, int64(1), p.GridProperties.FrozenRowCount)
		require.Equal(t, int64(2), p.GridProperties.FrozenColumnCount)

		rules := fake.Rules(sheetID, "Сводка")
		require.Len(t, rules, 3, "absent, late and invalid days")
		var formulas []string
		for _, r := range rules {
			require.Len(t, r.Ranges, 1)
			require.Equal(t, &sheets.GridRange{SheetId: p.SheetId, StartRowIndex: 1, EndRowIndex: 9, EndColumnIndex: 16}, r.Ranges[0])
			require.Equal(t, "CUSTOM_FORMULA", r.BooleanRule.Condition.Type)
			formulas = append(formulas, r.BooleanRule.Condition.Values[0].UserEnteredValue)
			require.NotNil(t, r.BooleanRule.Format.BackgroundColorStyle.RgbColor)
		}
		require.Equal(t, []string{`=$D2="отсутствовал"`, `=$D2="сдан с опозданием"`, `=$D2="с ошибками"`}, formulas)
	})

	t.Run("Воронка", func(t *testing.T) {
		p := tabByTitle(t, fake, "Воронка")
		require.Zero(t, p.GridProperties.FrozenRowCount)
		values := fake.Cells(sheetID, "Воронка")
		require.Equal(t, "Воронка продаж: 16.11.2026 – 17.11.2026", values[0][0])
		require.Equal(t, "Сформировано: 27.11.2026 18:30", values[1][0])
		require.Equal(t, []any{"Этап", "Количество", "Конверсия"}, values[3])
		cells := fake.CellData(sheetID, "Воронка")
		team := m.Funnel.Stages
		require.Len(t, team, 6)
		for i, st := range team {
			r := 4 + i
			require.Equal(t, st.Label, stringOf(t, at(cells, r, 0)))
			require.InDelta(t, st.Count, numberOf(t, at(cells, r, 1)), 0)
			require.Equal(t, &sheets.NumberFormat{Type: "NUMBER", Pattern: "0"}, formatOf(at(cells, r, 1)))
			if st.Conversion == nil {
				require.Nil(t, at(cells, r, 2).UserEnteredValue, "the first stage has no conversion")
				continue
			}
			require.InDelta(t, *st.Conversion, numberOf(t, at(cells, r, 2)), 0, "a conversion is a fraction")
			require.Equal(t, &sheets.NumberFormat{Type: "PERCENT", Pattern: "0.0%"}, formatOf(at(cells, r, 2)))
			weak := at(cells, r, 0).UserEnteredFormat
			if st.Key == m.Funnel.Weakest.To {
				require.True(t, weak.TextFormat.Bold, "the weakest stage is highlighted")
				require.NotNil(t, weak.BackgroundColorStyle)
			} else {
				require.Nil(t, weak, "stage %s is plain", st.Key)
			}
		}
		require.Equal(t, "repeat_calls", m.Funnel.Weakest.To)
		require.Equal(t, "Слабое место: Звонки → Повторные звонки: 40,0 %", values[10][0])
		joined := joinCells(values)
		require.Contains(t, joined, "Изменение конверсии", "the trend against the previous window")
		require.Contains(t, joined, "Предыдущий период: 14.11.2026 – 15.11.2026")
		require.Contains(t, joined, "Сотрудник e0003", "each employee's funnel")

		charts := fake.Charts(sheetID)
		require.Len(t, charts, 1)
		c := charts[0]
		require.Equal(t, p.SheetId, c.Position.OverlayPosition.AnchorCell.SheetId, "the chart is on the funnel tab")
		bc := c.Spec.BasicChart
		require.Equal(t, "COMBO", bc.ChartType)
		require.Equal(t, "Воронка команды: этапы и конверсия", c.Spec.Title)
		require.Equal(t, "Слабое место: Звонки → Повторные звонки: 40,0 %", c.Spec.Subtitle, "the weakest transition is named")
		stageRange := &sheets.GridRange{SheetId: p.SheetId, StartRowIndex: 4, EndRowIndex: 10, EndColumnIndex: 1}
		countRange := &sheets.GridRange{SheetId: p.SheetId, StartRowIndex: 4, EndRowIndex: 10, StartColumnIndex: 1, EndColumnIndex: 2}
		require.Equal(t, []*sheets.GridRange{stageRange}, bc.Domains[0].Domain.SourceRange.Sources, "stage labels, in order")
		require.Len(t, bc.Series, 2)
		require.Equal(t, []*sheets.GridRange{countRange}, bc.Series[0].Series.SourceRange.Sources, "stage counts")
		require.Equal(t, "COLUMN", bc.Series[0].Type)
		require.Equal(t, int64(1), bc.Series[0].StyleOverrides[0].Index, "the weakest stage's column stands out")
		conversionRange := &sheets.GridRange{SheetId: p.SheetId, StartRowIndex: 4, EndRowIndex: 10, StartColumnIndex: 2, EndColumnIndex: 3}
		require.Equal(t, []*sheets.GridRange{conversionRange}, bc.Series[1].Series.SourceRange.Sources, "conversions")
		require.Equal(t, "LINE", bc.Series[1].Type)
		require.Equal(t, "RIGHT_AXIS", bc.Series[1].TargetAxis)
		require.Equal(t, "DATA", bc.Series[1].DataLabel.Type, "each conversion is written on the chart")
	})

	t.Run("Отсутствия", func(t *testing.T) {
		values := fake.Cells(sheetID, "Отсутствия")
		require.Equal(t, [][]any{
			{"Дата", "Сотрудник", "ID", "Статус"},
			{float64(fromSerial), "Сотрудник e0001", "e0001", "отсутствовал"},
			{float64(fromSerial), "Сотрудник e0002", "e0002", "сдан с опозданием"},
			{float64(fromSerial + 1), "Сотрудник e0001", "e0001", "отсутствовал"},
		}, values)
		require.Equal(t, "DATE", formatOf(at(fake.CellData(sheetID, "Отсутствия"), 1, 0)).Type)
		p := tabByTitle(t, fake, "Отсутствия")
		require.Equal(t, int64(1), p.GridProperties.FrozenRowCount)
		rules := fake.Rules(sheetID, "Отсутствия")
		require.Len(t, rules, 2)
		require.Equal(t, `=$D2="отсутствовал"`, rules[0].BooleanRule.Condition.Values[0].UserEnteredValue)
		require.Equal(t, `=$D2="сдан с опозданием"`, rules[1].BooleanRule.Condition.Values[0].UserEnteredValue)
		require.Equal(t, p.SheetId, rules[0].Ranges[0].SheetId)
	})

	t.Run("Проверка", func(t *testing.T) {
		values := fake.Cells(sheetID, "Проверка")
		require.Equal(t, [][]any{
			{"Дата", "Сотрудник", "ID", "Показатель", "В отчёте", "В CRM", "Сообщение"},
			{float64(fromSerial), "Сотрудник e0003", "e0003", "Новые звонки", 15.0, 11.0, "«Новые звонки»: в отчёте 15, в CRM 11"},
			{float64(fromSerial + 1), "Сотрудник e0003", "e0003", "Новые звонки", 15.0, 11.0, "«Новые звонки»: в отчёте 15, в CRM 11"},
		}, values)
		require.Equal(t, int64(1), tabByTitle(t, fake, "Проверка").GridProperties.FrozenRowCount)
		require.Empty(t, fake.Rules(sheetID, "Проверка"))
	})
}

func joinCells(values [][]any) string {
	var b strings.Builder
	for _, r := range values {
		for _, v := range r {
			if s, ok := v.(string); ok {
				b.WriteString(s + "\n")
			}
		}
	}
	return b.String()
}

// User text is always text: formulas, numbers with a sign, leading zeros and
// apostrophes land as typed.
func TestUserTextIsNeverAFormula(t *testing.T) {
	t.Parallel()
	fake, w, _ := setup(t)
	m := model("ru", 1, 1)
	texts := []string{injection, "=1+1", "+7 900 000-00-00", "00123", "'quoted", "@SUM(A1)", "-2"}
	m.Days[0].Notes = texts[0]
	m.Days[0].Name = texts[1]
	m.Days[0].Flags = []string{texts[2]}
	m.Days[0].Employee = texts[3]
	m.Names = map[string]string{"e0000": texts[4]}
	m.Checks = []summary.CheckRow{{Date: from, Employee: "e0000", Name: texts[5], MetricLabel: texts[6], Message: injection}}
	require.NoError(t, w.Write(t.Context(), sheetID, m))

	days := fake.CellData(sheetID, "Сводка")
	require.Equal(t, injection, stringOf(t, at(days, 1, 14)))
	require.Equal(t, "=1+1", stringOf(t, at(days, 1, 1)))
	require.Equal(t, "+7 900 000-00-00", stringOf(t, at(days, 1, 15)))
	require.Equal(t, "00123", stringOf(t, at(days, 1, 2)))
	checks := fake.CellData(sheetID, "Проверка")
	require.Equal(t, "@SUM(A1)", stringOf(t, at(checks, 1, 1)))
	require.Equal(t, "-2", stringOf(t, at(checks, 1, 3)))
	require.Equal(t, injection, stringOf(t, at(checks, 1, 6)))
	require.Contains(t, joinCells(fake.Cells(sheetID, "Воронка")), "'quoted")
	for _, tab := range summary.TabNames("ru").All() {
		for _, row := range fake.CellData(sheetID, tab) {
			for _, cd := range row {
				if cd != nil && cd.UserEnteredValue != nil {
					require.Nil(t, cd.UserEnteredValue.FormulaValue, "no formula on %s", tab)
				}
			}
		}
	}
}

// A second pass rewrites the tabs: one chart, the same rules, no rows of the
// longer first pass, the same tab and chart ids, the manager's tab untouched.
func TestRewrite(t *testing.T) {
	t.Parallel()
	fake, w, _ := setup(t)
	notes := fake.CellData(sheetID, "Мои заметки")
	require.NoError(t, w.Write(t.Context(), sheetID, model("ru", 12, 3)))
	props1 := fake.SheetProperties(sheetID)
	chart1 := fake.Charts(sheetID)
	require.Len(t, chart1, 1)
	require.Len(t, fake.Cells(sheetID, "Сводка"), 1+12*3)
	require.Len(t, fake.Rules(sheetID, "Сводка"), 3)
	longFunnel := len(fake.Cells(sheetID, "Воронка"))

	m := model("ru", 2, 1)
	m.Funnel.Previous, m.Funnel.Trend = nil, nil
	require.NoError(t, w.Write(t.Context(), sheetID, m))
	require.Len(t, fake.Charts(sheetID), 1, "one chart after two passes")
	require.Equal(t, chart1[0].ChartId, fake.Charts(sheetID)[0].ChartId, "the chart keeps its id")
	require.Len(t, fake.Rules(sheetID, "Сводка"), 3, "rules do not pile up")
	require.Len(t, fake.Rules(sheetID, "Отсутствия"), 2)
	require.Equal(t, props1, fake.SheetProperties(sheetID), "the same tabs with the same ids and grids")
	require.Equal(t, notes, fake.CellData(sheetID, "Мои заметки"))

	require.Len(t, fake.Cells(sheetID, "Сводка"), 1+2)
	require.Equal(t, 1+2, storedRows(fake.CellData(sheetID, "Сводка")), "no value or format of the longer pass is left")
	require.Len(t, fake.Cells(sheetID, "Отсутствия"), 2)
	require.Len(t, fake.Cells(sheetID, "Проверка"), 1)
	funnelRows := storedRows(fake.CellData(sheetID, "Воронка"))
	require.Less(t, funnelRows, longFunnel)
	require.Equal(t, len(fake.Cells(sheetID, "Воронка")), funnelRows, "no format below the last row")
}

// Tabs of the summary that someone else made or changed are the summary's:
// their stray content, charts and rules go; a sheet id the writer would
// have picked stays with the tab that has it.
func TestTakesOverExistingTabs(t *testing.T) {
	t.Parallel()
	fake, w, _ := setup(t)
	junk := make([][]any, 1500)
	for i := range junk {
		junk[i] = []any{"старое", float64(i)}
	}
	fake.PutSheet(sheetID, "Отдел продаж", []googlefake.Tab{
		{Title: "Мои заметки", Rows: [][]any{{"заметка"}}},
		{Title: "Сводка", SheetID: 77, Rows: junk},
		{Title: "Чужой", SheetID: 1_837_400_001, Rows: [][]any{{"чужой"}}},
	})
	svc := serviceFor(t, fake)
	_, err := svc.Spreadsheets.BatchUpdate(sheetID, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{AddChart: &sheets.AddChartRequest{Chart: &sheets.EmbeddedChart{
			Spec:     &sheets.ChartSpec{BasicChart: &sheets.BasicChartSpec{ChartType: "LINE"}},
			Position: &sheets.EmbeddedObjectPosition{OverlayPosition: &sheets.OverlayPosition{AnchorCell: &sheets.GridCoordinate{SheetId: 77}}},
		}}},
		{AddChart: &sheets.AddChartRequest{Chart: &sheets.EmbeddedChart{
			Spec:     &sheets.ChartSpec{BasicChart: &sheets.BasicChartSpec{ChartType: "COLUMN"}},
			Position: &sheets.EmbeddedObjectPosition{OverlayPosition: &sheets.OverlayPosition{AnchorCell: &sheets.GridCoordinate{SheetId: 1_837_400_001}}},
		}}},
		{AddConditionalFormatRule: &sheets.AddConditionalFormatRuleRequest{Rule: &sheets.ConditionalFormatRule{
			Ranges:      []*sheets.GridRange{{SheetId: 77, EndRowIndex: 10}},
			BooleanRule: &sheets.BooleanRule{Condition: &sheets.BooleanCondition{Type: "NOT_BLANK"}},
		}}},
		{AddConditionalFormatRule: &sheets.AddConditionalFormatRuleRequest{Rule: &sheets.ConditionalFormatRule{
			Ranges:      []*sheets.GridRange{{SheetId: 1_837_400_001, EndRowIndex: 10}},
			BooleanRule: &sheets.BooleanRule{Condition: &sheets.BooleanCondition{Type: "NOT_BLANK"}},
		}}},
	}}).Do()
	require.NoError(t, err)

	require.NoError(t, w.Write(t.Context(), sheetID, model("ru", 3, 1)))
	require.Equal(t, []string{"Мои заметки", "Сводка", "Воронка", "Отсутствия", "Проверка", "Динамика", "План-факт", "Итоги месяца", "Чужой"}, fake.SheetTitles(sheetID),
		"new tabs follow the summary tab before them")
	days := tabByTitle(t, fake, "Сводка")
	require.Equal(t, int64(77), days.SheetId, "an existing tab keeps its id")
	require.Equal(t, int64(1500), days.GridProperties.RowCount, "the grid never shrinks")
	require.Len(t, fake.Cells(sheetID, "Сводка"), 4, "the old rows are gone")
	require.Len(t, fake.Rules(sheetID, "Сводка"), 3, "the stray rule is gone")
	require.Equal(t, [][]any{{"чужой"}}, fake.Cells(sheetID, "Чужой"))
	require.Len(t, fake.Rules(sheetID, "Чужой"), 1, "a foreign tab keeps its rules")
	var types []string
	for _, c := range fake.Charts(sheetID) {
		types = append(types, c.Spec.BasicChart.ChartType)
	}
	slices.Sort(types)
	require.Equal(t, []string{"COLUMN", "COMBO"}, types, "the stray chart on Сводка went, the foreign one stayed")
	require.NotEqual(t, int64(1_837_400_001), tabByTitle(t, fake, "Воронка").SheetId)
}

func TestEnglish(t *testing.T) {
	t.Parallel()
	fake, w, _ := setup(t)
	require.NoError(t, w.Write(t.Context(), sheetID, model("en", 3, 1)))
	require.Equal(t, []string{"Мои заметки", "Summary", "Funnel", "Absences", "Checks", "Trend", "Plan vs actual", "Month review"}, fake.SheetTitles(sheetID))
	require.Equal(t, summary.TabNames("en").All(), fake.SheetTitles(sheetID)[1:])
	days := fake.Cells(sheetID, "Summary")
	require.Equal(t, []any{"Date", "Employee", "ID", "Status"}, days[0][:4])
	require.Equal(t, []any{"Reason"}, days[0][4:5])
	require.Equal(t, []any{"Notes", "Flags"}, days[0][14:])
	require.Equal(t, "absent", days[2][3])
	rules := fake.Rules(sheetID, "Summary")
	require.Equal(t, `=$D2="absent"`, rules[0].BooleanRule.Condition.Values[0].UserEnteredValue)
	fun := fake.Cells(sheetID, "Funnel")
	require.Equal(t, "Sales funnel: 16.11.2026 – 16.11.2026", fun[0][0])
	require.Equal(t, []any{"Stage", "Count", "Conversion"}, fun[3])
	require.Equal(t, "Calls", fun[4][0])
	require.Equal(t, "Team funnel: stages and conversion", fake.Charts(sheetID)[0].Spec.Title)
	require.Equal(t, []any{"Date", "Employee", "ID", "Metric", "Reported", "In CRM", "Message"}, fake.Cells(sheetID, "Checks")[0])
	require.Len(t, fake.Rules(sheetID, "Absences"), 2)
}

// A summary without a funnel has no chart, and a later pass with one adds it.
func TestNoFunnel(t *testing.T) {
	t.Parallel()
	fake, w, _ := setup(t)
	m := model("ru", 2, 1)
	m.Funnel = nil
	require.NoError(t, w.Write(t.Context(), sheetID, m))
	require.Empty(t, fake.Charts(sheetID))
	require.Equal(t, []any{"нет данных"}, fake.Cells(sheetID, "Воронка")[2])
	require.NoError(t, w.Write(t.Context(), sheetID, model("ru", 2, 1)))
	require.Len(t, fake.Charts(sheetID), 1)
}

func TestStatusLabelOutsideTheModel(t *testing.T) {
	t.Parallel()
	fake, w, _ := setup(t)
	m := model("ru", 2, 1)
	m.Days[1].StatusLabel = `нет "на месте"`
	m.Absences[0].StatusLabel = m.Days[1].StatusLabel
	require.NoError(t, w.Write(t.Context(), sheetID, m))
	rules := fake.Rules(sheetID, "Сводка")
	require.Equal(t, `=$D2="нет ""на месте"""`, rules[0].BooleanRule.Condition.Values[0].UserEnteredValue,
		"the label the rows show, quoted as a formula string")
	require.Equal(t, report.Status("absent"), m.Days[1].Status)
}
