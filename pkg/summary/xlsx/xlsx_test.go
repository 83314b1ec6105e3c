package xlsx_test

import (
	"archive/zip"
	"bytes"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/dayreport/dayreport/pkg/summary/xlsx"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// written writes m to a new workbook in a temporary directory and opens it.
func written(t *testing.T, m *summary.Model) (*excelize.File, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "summary.xlsx")
	require.NoError(t, xlsx.Write(path, m))
	return open(t, path), path
}

func open(t *testing.T, path string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func value(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref)
	require.NoError(t, err)
	return v
}

func raw(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	return v
}

// style is the style of a cell, with the style id dropped so styles compare by looks.
func style(t *testing.T, f *excelize.File, sheet, ref string) *excelize.Style {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	require.NoError(t, err)
	st, err := f.GetStyle(id)
	require.NoError(t, err)
	return st
}

func fill(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	return strings.Join(style(t, f, sheet, ref).Fill.Color, ",")
}

func requireNumber(t *testing.T, f *excelize.File, sheet, ref string, want float64) {
	t.Helper()
	typ, err := f.GetCellType(sheet, ref)
	require.NoError(t, err)
	require.Contains(t, []excelize.CellType{excelize.CellTypeUnset, excelize.CellTypeNumber}, typ, ref)
	got, err := strconv.ParseFloat(raw(t, f, sheet, ref), 64)
	require.NoError(t, err, ref)
	require.InDelta(t, want, got, 1e-9, ref)
}

func requireText(t *testing.T, f *excelize.File, sheet, ref, want string) {
	t.Helper()
	require.Equal(t, want, value(t, f, sheet, ref), ref)
	formula, err := f.GetCellFormula(sheet, ref)
	require.NoError(t, err)
	require.Empty(t, formula, ref)
	typ, err := f.GetCellType(sheet, ref)
	require.NoError(t, err)
	require.Contains(t, []excelize.CellType{excelize.CellTypeSharedString, excelize.CellTypeInlineString}, typ, ref)
}

func row(t *testing.T, f *excelize.File, sheet string, n int) []string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	require.NoError(t, err)
	require.Greater(t, len(rows), n-1, "row %d of %s", n, sheet)
	return rows[n-1]
}

// findRow is the number of the first row of sheet whose column A is text.
func findRow(t *testing.T, f *excelize.File, sheet, text string) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	require.NoError(t, err)
	for i, r := range rows {
		if len(r) > 0 && r[0] == text {
			return i + 1
		}
	}
	t.Fatalf("no row %q on %s", text, sheet)
	return 0
}

func TestTabsInOrder(t *testing.T) {
	t.Parallel()
	f, _ := written(t, sampleModel())
	require.Equal(t, []string{"Сводка", "Воронка", "Отсутствия", "Проверка", "Динамика", "План-факт", "Итоги месяца"}, f.GetSheetList())
	require.Equal(t, 0, f.GetActiveSheetIndex())

	en := sampleModel()
	en.Lang = "en"
	f, _ = written(t, en)
	require.Equal(t, summary.TabNames("en").All(), f.GetSheetList())
	require.Equal(t, []string{"Date", "Employee", "ID", "Status", "Reason", "Звонки", "Повторные", "КП", "Оценка", "Notes", "Flags"},
		row(t, f, "Summary", 1))
	require.Equal(t, []string{"Stage", "Count", "Conversion"}, row(t, f, "Funnel", 4))
	require.Equal(t, []string{"Date", "Employee", "ID", "Metric", "Reported", "In CRM", "Message"}, row(t, f, "Checks", 1))
	require.Equal(t, "Weakest transition: Счета → Подписано: 30.0%", value(t, f, "Funnel", "A11"))
}

func TestDaysTab(t *testing.T) {
	t.Parallel()
	f, _ := written(t, sampleModel())
	const tab = "Сводка"
	require.Equal(t, []string{"Дата", "Сотрудник", "ID", "Статус", "Причина", "Звонки", "Повторные", "КП", "Оценка", "Заметки", "Флаги"},
		row(t, f, tab, 1))

	// A date is a serial day with a DD.MM.YYYY format, not text.
	require.Equal(t, "02.03.2026", value(t, f, tab, "A2"))
	requireNumber(t, f, tab, "A2", 46083)
	require.Equal(t, "dd.mm.yyyy", *style(t, f, tab, "A2").CustomNumFmt)

	requireText(t, f, tab, "B2", "Иванов Иван")
	requireText(t, f, tab, "D2", "сдан")
	requireNumber(t, f, tab, "F2", 60)
	require.Equal(t, "0", *style(t, f, tab, "F2").CustomNumFmt)
	requireNumber(t, f, tab, "I2", 4.5)
	require.Equal(t, "0.0", *style(t, f, tab, "I2").CustomNumFmt)
	require.Equal(t, "4.5", value(t, f, tab, "I2"))
	requireText(t, f, tab, "J2", "Клиент просит скидку")
	requireText(t, f, tab, "K2", "звонков больше, чем в CRM")

	// A metric the employee left out is an empty cell, not a zero.
	require.Empty(t, raw(t, f, tab, "H3"))
	require.Empty(t, raw(t, f, tab, "F4"))

	// Rows are coloured by status: absent, late and invalid each differ from
	// a submitted day and from each other.
	submitted, late, absent, invalid := fill(t, f, tab, "B2"), fill(t, f, tab, "B3"), fill(t, f, tab, "B4"), fill(t, f, tab, "B5")
	require.Empty(t, submitted)
	require.NotEmpty(t, absent)
	require.NotEqual(t, absent, late)
	require.NotEqual(t, absent, invalid)
	require.NotEqual(t, late, invalid)
	require.Equal(t, absent, fill(t, f, tab, "H4"), "the whole row, empty cells too")
	require.Empty(t, fill(t, f, tab, "B7"), "on leave needs no attention")

	panes, err := f.GetPanes(tab)
	require.NoError(t, err)
	require.True(t, panes.Freeze)
	require.Equal(t, 2, panes.XSplit)
	require.Equal(t, 1, panes.YSplit)
	require.Equal(t, "C2", panes.TopLeftCell)

	require.Contains(t, sheetXML(t, f, 1), `<autoFilter ref="$A$1:$K$7"`)

	// Widths follow the content, within bounds.
	notes, err := f.GetColWidth(tab, "J")
	require.NoError(t, err)
	id, err := f.GetColWidth(tab, "C")
	require.NoError(t, err)
	require.Greater(t, notes, id)
	require.LessOrEqual(t, notes, float64(summary.ColumnWidth(summary.ProseWidth)))
}

func TestAbsencesAndChecksTabs(t *testing.T) {
	t.Parallel()
	f, _ := written(t, sampleModel())
	require.Equal(t, []string{"Дата", "Сотрудник", "ID", "Статус"}, row(t, f, "Отсутствия", 1))
	require.Equal(t, []string{"02.03.2026", "Петрова Анна", "petrova", "сдан с опозданием"}, row(t, f, "Отсутствия", 2))
	require.Equal(t, []string{"02.03.2026", "Сидоров Пётр", "sidorov", "отсутствовал"}, row(t, f, "Отсутствия", 3))
	require.NotEqual(t, fill(t, f, "Отсутствия", "A2"), fill(t, f, "Отсутствия", "A3"))
	require.NotEmpty(t, fill(t, f, "Отсутствия", "D3"))

	const tab = "Проверка"
	require.Equal(t, []string{"Дата", "Сотрудник", "ID", "Показатель", "В отчёте", "В CRM", "Сообщение"}, row(t, f, tab, 1))
	requireText(t, f, tab, "D2", "Звонки")
	requireNumber(t, f, tab, "E2", 60)
	requireNumber(t, f, tab, "F2", 48)
	requireText(t, f, tab, "G2", "в отчёте 60 звонков, в CRM 48")
}

func TestFunnelTab(t *testing.T) {
	t.Parallel()
	f, _ := written(t, sampleModel())
	const tab = "Воронка"
	require.Equal(t, "Воронка продаж: 02.03.2026 – 15.03.2026", value(t, f, tab, "A1"))
	require.Equal(t, "Сформировано: 03.03.2026 18:30", value(t, f, tab, "A2"))
	require.Equal(t, []string{"Этап", "Количество", "Конверсия"}, row(t, f, tab, 4))
	for i, label := range stageLabels {
		requireText(t, f, tab, "A"+strconv.Itoa(5+i), label)
	}
	requireNumber(t, f, tab, "B5", 120)
	require.Empty(t, raw(t, f, tab, "C5"), "the first stage has no conversion")
	requireNumber(t, f, tab, "C6", 40.0/120)
	require.Equal(t, "0.0%", *style(t, f, tab, "C6").CustomNumFmt)
	require.Equal(t, "33.3%", value(t, f, tab, "C6"))

	// The weakest stage (signed, row 9) stands out from the others.
	weakest, other := style(t, f, tab, "A9"), style(t, f, tab, "A8")
	require.True(t, weakest.Font != nil && weakest.Font.Bold)
	require.NotEmpty(t, weakest.Fill.Color)
	require.NotEqual(t, weakest.Fill.Color, other.Fill.Color)
	require.Equal(t, weakest.Fill.Color, style(t, f, tab, "C9").Fill.Color)

	require.Equal(t, "Слабое место: Счета → Подписано: 30,0 %", value(t, f, tab, "A11"))
	require.Equal(t, "Оценка компании (взвешенная): 4,33", value(t, f, tab, "A12"))

	prev := findRow(t, f, tab, "Предыдущий период: 16.02.2026 – 01.03.2026")
	require.Equal(t, []string{"Этап", "Количество", "Конверсия"}, row(t, f, tab, prev+1))
	requireNumber(t, f, tab, "B"+strconv.Itoa(prev+2), 100)
	require.Equal(t, "Слабое место: Звонки → Повторные: 30,0 %", value(t, f, tab, "A"+strconv.Itoa(prev+8)))

	trend := findRow(t, f, tab, "Изменение конверсии")
	require.Equal(t, []string{"Этап", "Конверсия", "Было", "Изменение"}, row(t, f, tab, trend+1))
	signed := strconv.Itoa(trend + 6)
	requireText(t, f, tab, "A"+signed, "Подписано")
	requireNumber(t, f, tab, "D"+signed, 0.3-0.5)
	require.Equal(t, "-20.0%", value(t, f, tab, "D"+signed))
	require.Equal(t, "+0.0%;-0.0%;0.0%", *style(t, f, tab, "D"+signed).CustomNumFmt)

	ivanov := findRow(t, f, tab, "Иванов Иван")
	require.Equal(t, "Слабое место: недостаточно данных", value(t, f, tab, "A"+strconv.Itoa(ivanov+8)))
	findRow(t, f, tab, "Отстаёт от команды: Счета → Подписано: 20,0 % против 33,3 % у команды")
	petrova := findRow(t, f, tab, "Петрова Анна")
	require.Equal(t, "Слабое место: Звонки → Повторные: 33,3 %", value(t, f, tab, "A"+strconv.Itoa(petrova+8)))
	require.True(t, style(t, f, tab, "A"+strconv.Itoa(petrova+3)).Font.Bold, "petrova's weakest stage")
	sidorov := findRow(t, f, tab, "sidorov") // no display name: the id
	require.Equal(t, "отсутствовал", value(t, f, tab, "A"+strconv.Itoa(sidorov+5)))
	require.Equal(t, "в отпуске", value(t, f, tab, "A"+strconv.Itoa(sidorov+6)))
}

func TestFunnelChart(t *testing.T) {
	t.Parallel()
	_, path := written(t, sampleModel())
	parts := unzip(t, path)

	// The funnel is the second sheet; it points to a drawing, which points to the chart.
	require.Contains(t, parts["xl/_rels/workbook.xml.rels"], `Target="worksheets/sheet2.xml"`)
	require.Contains(t, parts["xl/worksheets/sheet2.xml"], `<drawing r:id=`)
	require.Contains(t, parts["xl/worksheets/_rels/sheet2.xml.rels"], `Target="../drawings/drawing1.xml"`)
	require.Contains(t, parts["xl/drawings/_rels/drawing1.xml.rels"], `Target="../charts/chart1.xml"`)

	chart := parts["xl/charts/chart1.xml"]
	// Counts as columns, the conversion into each stage as a line over
	// them, the weakest transition named under the title.
	require.Contains(t, chart, "<barChart>")
	require.Contains(t, chart, `<barDir val="col">`)
	require.Contains(t, chart, "<lineChart>")
	require.Contains(t, chart, "Воронка команды")
	require.Contains(t, chart, "Слабое место: Счета → Подписано: 30,0 %")
	require.Contains(t, chart, "<val><numRef><f>&#39;Воронка&#39;!$C$5:$C$10</f>")
	// excelize writes the series as references without cached values: the
	// stage labels are the cells A5:A10 (checked in TestFunnelTab).
	require.Contains(t, chart, "<cat><strRef><f>&#39;Воронка&#39;!$A$5:$A$10</f>")
	require.Contains(t, chart, "<val><numRef><f>&#39;Воронка&#39;!$B$5:$B$10</f>")
	for _, other := range []string{"sheet1.xml", "sheet3.xml", "sheet4.xml"} {
		require.NotContains(t, parts["xl/worksheets/"+other], "<drawing")
	}
}

// TestUserTextIsNeverAFormula: SPEC §8, every cell of user text is a plain value.
func TestUserTextIsNeverAFormula(t *testing.T) {
	t.Parallel()
	m := sampleModel()
	evil := `=HYPERLINK("http://evil","x")`
	m.Days[0].Notes = evil
	m.Days[0].Name = "=1+1"
	m.Days[0].Flags = []string{"+cmd|' /C calc'!A0"}
	m.Days[1].Notes = "-2+3"
	m.Days[1].Name = "@SUM(A1)"
	m.Columns[0].Label = "=A1"
	m.Checks[0].Message = "=2*3"
	m.Names["ivanov"] = "=ROW()"
	m.Funnel.Stages[0].Label = "=0"
	m.Days[2].Notes = "tab\tand\x01control"

	f, _ := written(t, m)
	requireText(t, f, "Сводка", "J2", evil)
	requireText(t, f, "Сводка", "B2", "=1+1")
	requireText(t, f, "Сводка", "K2", "+cmd|' /C calc'!A0")
	requireText(t, f, "Сводка", "J3", "-2+3")
	requireText(t, f, "Сводка", "B3", "@SUM(A1)")
	requireText(t, f, "Сводка", "F1", "=A1")
	// XML cannot carry most control characters; excelize replaces them.
	requireText(t, f, "Сводка", "J4", "tab\tand\uFFFDcontrol")
	requireText(t, f, "Проверка", "G2", "=2*3")
	requireText(t, f, "Воронка", "A5", "=0")
	requireText(t, f, "Воронка", "A"+strconv.Itoa(findRow(t, f, "Воронка", "=ROW()")), "=ROW()")
}

func TestEmptyModel(t *testing.T) {
	t.Parallel()
	f, _ := written(t, &summary.Model{})
	require.Equal(t, summary.TabNames("").All(), f.GetSheetList())
	rows, err := f.GetRows("Проверка")
	require.NoError(t, err)
	require.Equal(t, [][]string{{"Дата", "Сотрудник", "ID", "Показатель", "В отчёте", "В CRM", "Сообщение"}}, rows)
	rows, err = f.GetRows("Сводка")
	require.NoError(t, err)
	require.Equal(t, [][]string{{"Дата", "Сотрудник", "ID", "Статус", "Причина", "Заметки", "Флаги"}}, rows)
	require.Equal(t, "нет данных", value(t, f, "Воронка", "A2"))
}

func TestNotEnoughData(t *testing.T) {
	t.Parallel()
	m := sampleModel()
	m.Funnel.Weakest = nil
	m.Funnel.Rating = nil
	m.Funnel.Previous = nil
	m.Funnel.Trend = nil
	f, _ := written(t, m)
	require.Equal(t, "Слабое место: недостаточно данных", value(t, f, "Воронка", "A11"))
	require.Equal(t, "Дней с данными", value(t, f, "Воронка", "A12"))
	require.Equal(t, style(t, f, "Воронка", "A8"), style(t, f, "Воронка", "A9"), "no stage is marked")
	rows, err := f.GetRows("Воронка")
	require.NoError(t, err)
	for _, r := range rows {
		if len(r) > 0 {
			require.NotContains(t, r[0], "Предыдущий период")
		}
	}
}

func TestEncodeIsDeterministic(t *testing.T) {
	t.Parallel()
	var a, b bytes.Buffer
	require.NoError(t, xlsx.Encode(&a, sampleModel()))
	require.NoError(t, xlsx.Encode(&b, sampleModel()))
	require.True(t, bytes.Equal(a.Bytes(), b.Bytes()), "two encodings differ")

	path := filepath.Join(t.TempDir(), "summary.xlsx")
	require.NoError(t, xlsx.Write(path, sampleModel()))
	written, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, bytes.Equal(a.Bytes(), written), "Write and Encode differ")
	require.Contains(t, unzip(t, path)["docProps/core.xml"], "2026-03-03T15:30:00Z")
}

func TestWriteErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such", "dir", "summary.xlsx")
	err := xlsx.Write(missing, sampleModel())
	require.ErrorContains(t, err, missing)

	// A file that is not a workbook is the manager's: it is not overwritten.
	notes := filepath.Join(dir, "notes.xlsx")
	require.NoError(t, os.WriteFile(notes, []byte("my notes"), 0o600))
	err = xlsx.Write(notes, sampleModel())
	require.ErrorContains(t, err, notes)
	got, err := os.ReadFile(notes)
	require.NoError(t, err)
	require.Equal(t, "my notes", string(got))
	requireOnly(t, dir, "notes.xlsx")
}

func TestWriteLeavesNoTempFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.xlsx")
	require.NoError(t, xlsx.Write(path, sampleModel()))
	require.NoError(t, xlsx.Write(path, sampleModel()))
	requireOnly(t, dir, "summary.xlsx")
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o644), info.Mode().Perm())
}

func requireOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	require.ElementsMatch(t, names, got)
}

// unzip returns the text of every part of a workbook.
func unzip(t *testing.T, path string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer zr.Close()
	parts := map[string]string{}
	for _, file := range zr.File {
		r, err := file.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(r)
		require.NoError(t, err)
		require.NoError(t, r.Close())
		parts[file.Name] = string(b)
	}
	return parts
}

// sheetXML is the XML excelize would write for the n-th sheet (from 1).
func sheetXML(t *testing.T, f *excelize.File, n int) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, f.Write(&buf))
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	r, err := zr.Open("xl/worksheets/sheet" + strconv.Itoa(n) + ".xml")
	require.NoError(t, err)
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return string(b)
}

// count counts the parts whose names match re.
func count(parts map[string]string, re string) int {
	n := 0
	for name := range parts {
		if regexp.MustCompile(re).MatchString(name) {
			n++
		}
	}
	return n
}

// TestRewriteKeepsOtherTabs: a pass rewrites the four tabs entirely and
// touches no other tab (SPEC §8).
func TestRewriteKeepsOtherTabs(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "summary.xlsx")
	require.NoError(t, xlsx.Write(path, sampleModel()))

	// The manager adds a tab of their own with a note, a chart and a print area.
	f := open(t, path)
	const mine = "Мои заметки"
	_, err := f.NewSheet(mine)
	require.NoError(t, err)
	require.NoError(t, f.SetCellStr(mine, "A1", "позвонить Иванову"))
	require.NoError(t, f.SetSheetRow(mine, "A2", &[]any{"план", 10}))
	require.NoError(t, f.AddChart(mine, "D2", &excelize.Chart{Type: excelize.Col,
		Series: []excelize.ChartSeries{{Name: "'Мои заметки'!$A$2", Values: "'Мои заметки'!$B$2:$B$2"}}}))
	printArea := excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: "'Мои заметки'!$A$1:$B$2", Scope: mine}
	require.NoError(t, f.SetDefinedName(&printArea))
	require.NoError(t, f.Save())
	require.NoError(t, f.Close())
	mineChart := userChart(t, path)

	// The next passes have fewer rows.
	m := sampleModel()
	m.Days = m.Days[:2]
	m.Absences = nil
	m.Checks = nil
	for range 3 {
		require.NoError(t, xlsx.Write(path, m))
	}

	f = open(t, path)
	require.Equal(t, append(summary.TabNames("ru").All(), mine), f.GetSheetList())
	requireText(t, f, mine, "A1", "позвонить Иванову")
	requireNumber(t, f, mine, "B2", 10)
	require.Contains(t, f.GetDefinedName(), printArea)

	rows, err := f.GetRows("Сводка")
	require.NoError(t, err)
	require.Len(t, rows, 3, "the old rows beyond the new ones are gone")
	for _, tab := range []string{"Отсутствия", "Проверка"} {
		rows, err = f.GetRows(tab)
		require.NoError(t, err)
		require.Len(t, rows, 1, tab)
	}
	requireNumber(t, f, "Воронка", "B5", 120)
	requireFiltersOnTheirTabs(t, f)

	// The manager's chart is untouched, and rewrites do not pile up charts:
	// theirs, ours, and the one left over from the first rewrite, which is
	// kept because dropping it would make excelize reuse the name of theirs.
	require.Equal(t, mineChart, userChart(t, path))
	parts := unzip(t, path)
	require.Equal(t, 3, count(parts, `^xl/charts/chart\d+\.xml$`))
	require.Equal(t, 3, count(parts, `^xl/drawings/drawing\d+\.xml$`))
	for name := range parts {
		if strings.HasPrefix(name, "xl/charts/chart") || strings.HasPrefix(name, "xl/drawings/drawing") {
			require.Contains(t, parts["[Content_Types].xml"], `PartName="/`+name+`"`)
		}
	}
}

// TestRewriteInPlace: the tabs stay where the manager put them; a missing
// tab goes after the one before it.
func TestRewriteInPlace(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "summary.xlsx")
	f := excelize.NewFile()
	require.NoError(t, f.SetSheetName("Sheet1", "Сводка"))
	for r := 1; r <= 20; r++ {
		require.NoError(t, f.SetCellStr("Сводка", "A"+strconv.Itoa(r), "старое"))
	}
	const mine = "Мои заметки"
	_, err := f.NewSheet(mine)
	require.NoError(t, err)
	require.NoError(t, f.SetCellFormula(mine, "A1", "1+1"))
	printArea := excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: "'Мои заметки'!$A$1:$B$2", Scope: mine}
	require.NoError(t, f.SetDefinedName(&printArea))
	_, err = f.NewSheet("Проверка")
	require.NoError(t, err)
	require.NoError(t, f.SaveAs(path))
	require.NoError(t, f.Close())

	require.NoError(t, xlsx.Write(path, sampleModel()))
	f = open(t, path)
	require.Equal(t, []string{"Сводка", "Воронка", "Отсутствия", mine, "Проверка", "Динамика", "План-факт", "Итоги месяца"}, f.GetSheetList())
	require.Contains(t, f.GetDefinedName(), printArea, "moving tabs keeps the manager's names on their tab")
	formula, err := f.GetCellFormula(mine, "A1")
	require.NoError(t, err)
	require.Equal(t, "1+1", formula)
	rows, err := f.GetRows("Сводка")
	require.NoError(t, err)
	require.Len(t, rows, 7)
	requireFiltersOnTheirTabs(t, f)
}

func requireFiltersOnTheirTabs(t *testing.T, f *excelize.File) {
	t.Helper()
	n := 0
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" {
			require.Contains(t, dn.RefersTo, "'"+dn.Scope+"'!")
			n++
		}
	}
	require.Equal(t, 3, n, "Сводка, Отсутствия and Проверка have a filter")
}

// userChart is the chart of the Мои заметки tab, found through the package relationships.
func userChart(t *testing.T, path string) string {
	t.Helper()
	parts := unzip(t, path)
	for name, body := range parts {
		if strings.HasPrefix(name, "xl/charts/chart") && strings.Contains(body, "Мои заметки") {
			return body
		}
	}
	t.Fatal("the manager's chart is gone")
	return ""
}

// TestRewriteDoesNotGrow: a daemon rewrites the workbook many times a day.
func TestRewriteDoesNotGrow(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "summary.xlsx")
	require.NoError(t, xlsx.Write(path, sampleModel()))
	first := unzip(t, path)
	for range 5 {
		require.NoError(t, xlsx.Write(path, sampleModel()))
	}
	last := unzip(t, path)
	// The same parts; only the worksheets are renumbered (excelize names a
	// new sheet after the highest sheet id).
	sheetN := regexp.MustCompile(`sheet\d+`)
	shape := func(parts map[string]string) []string {
		var names []string
		for name := range maps.Keys(parts) {
			names = append(names, sheetN.ReplaceAllString(name, "sheetN"))
		}
		return slices.Sorted(slices.Values(names))
	}
	require.Equal(t, shape(first), shape(last))
	require.Equal(t, 1, count(last, `^xl/charts/chart\d+\.xml$`))
	require.Equal(t, 1, count(last, `^xl/drawings/drawing\d+\.xml$`))
	require.Equal(t, first["xl/styles.xml"], last["xl/styles.xml"])

	f := open(t, path)
	require.Equal(t, summary.TabNames("ru").All(), f.GetSheetList())
	require.Equal(t, 0, f.GetActiveSheetIndex())
}

func TestRewriteInAnotherLanguage(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "summary.xlsx")
	require.NoError(t, xlsx.Write(path, sampleModel()))
	en := sampleModel()
	en.Lang = "en"
	require.NoError(t, xlsx.Write(path, en))
	// The Russian tabs are the manager's now: only the English ones are written.
	f := open(t, path)
	require.Equal(t, append(summary.TabNames("en").All(), summary.TabNames("ru").All()...), f.GetSheetList())
	require.Equal(t, "Date", value(t, f, "Summary", "A1"))
}

func TestNumbersACellCannotHoldAreEmpty(t *testing.T) {
	t.Parallel()
	m := sampleModel()
	m.Days[0].Metrics["calls"] = math.NaN()
	m.Days[0].Metrics["repeat"] = math.Inf(1)
	f, path := written(t, m)
	require.Empty(t, raw(t, f, "Сводка", "F2"))
	require.Empty(t, raw(t, f, "Сводка", "G2"))
	requireNumber(t, f, "Сводка", "H2", 10)
	require.NotContains(t, unzip(t, path)["xl/worksheets/sheet1.xml"], "NaN")
}

func TestWriteThroughSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "real.xlsx")
	link := filepath.Join(dir, "summary.xlsx")
	require.NoError(t, os.Symlink(target, link))
	require.NoError(t, xlsx.Write(link, sampleModel()))
	require.NoError(t, xlsx.Write(link, sampleModel()))
	info, err := os.Lstat(link)
	require.NoError(t, err)
	require.NotZero(t, info.Mode()&os.ModeSymlink, "the link is still a link")
	requireOnly(t, dir, "real.xlsx", "summary.xlsx")
	require.Equal(t, summary.TabNames("ru").All(), open(t, target).GetSheetList())
}

// TestRewriteOfOurTabsOnly: a workbook holding only the summary's own tabs,
// in their order, is written anew (not opened and patched: that would parse
// every old row), so a rewrite gives exactly the bytes of a new workbook,
// and the file keeps its permissions.
func TestRewriteOfOurTabsOnly(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "summary.xlsx")
	older := sampleModel()
	older.Days = older.Days[:1]
	require.NoError(t, xlsx.Write(path, older))
	require.NoError(t, os.Chmod(path, 0o600))
	require.NoError(t, xlsx.Write(path, sampleModel()))
	var fresh bytes.Buffer
	require.NoError(t, xlsx.Encode(&fresh, sampleModel()))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, bytes.Equal(fresh.Bytes(), got), "a rewrite is a new workbook")
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

// TestPrintSetup: every tab prints on A4 in landscape with its name, the
// window and page numbers; the days table is printed as a page of numbers
// and a page of notes, the date and the employee and the header row on
// each; the funnel is paged between its blocks.
func TestPrintSetup(t *testing.T) {
	t.Parallel()
	m := sampleModel()
	m.Columns[0].Label = "Выставлено счетов и договоров" // wraps
	for i := range 12 {                                  // enough employees for the funnel to need pages
		e := m.Funnel.Employees[0]
		e.ID = "extra" + strconv.Itoa(i)
		m.Funnel.Employees = append(m.Funnel.Employees, e)
	}
	f, path := written(t, m)
	for _, tab := range f.GetSheetList() {
		layout, err := f.GetPageLayout(tab)
		require.NoError(t, err)
		require.Equal(t, 9, *layout.Size, "%s: A4", tab)
		require.Equal(t, "landscape", *layout.Orientation, tab)
		hf, err := f.GetHeaderFooter(tab)
		require.NoError(t, err)
		require.Contains(t, hf.OddHeader, "&A", tab)
		require.Contains(t, hf.OddHeader, "02.03.2026 – 15.03.2026", tab)
		require.Equal(t, "&CСтраница &P из &N", hf.OddFooter, tab)
	}
	names := f.GetDefinedName()
	titles := map[string]string{}
	for _, n := range names {
		if n.Name == "_xlnm.Print_Titles" {
			titles[n.Scope] = n.RefersTo
		}
	}
	require.Equal(t, "'Сводка'!$A:$B,'Сводка'!$1:$1", titles["Сводка"])
	require.Equal(t, "'Отсутствия'!$1:$1", titles["Отсутствия"])
	require.NotContains(t, titles, "Воронка")

	parts := unzip(t, path)
	days := parts["xl/worksheets/sheet1.xml"]
	require.Contains(t, days, `pageOrder="overThenDown"`)
	require.Contains(t, days, `<colBreaks count="1" manualBreakCount="1"><brk id="9"`,
		"the notes (column J) start a page")
	require.Regexp(t, `<row r="1"[^>]* ht="45" customHeight="1"`, days, "a header of three lines")

	// The funnel: a break before some employees' titles, never inside a block.
	funnelXML := parts["xl/worksheets/sheet2.xml"]
	breaks := regexp.MustCompile(`<brk id="(\d+)"`).FindAllStringSubmatch(funnelXML, -1)
	require.NotEmpty(t, breaks)
	rows, err := f.GetRows("Воронка")
	require.NoError(t, err)
	for _, b := range breaks {
		n, err := strconv.Atoi(b[1]) // the page starts at row n+1
		require.NoError(t, err)
		require.Len(t, rows[n], 1, "row %d starts a block: an employee's title", n+1)
		require.Empty(t, rows[n-1], "row %d ends the block before: an empty line", n)
	}
}

// TestReasonColumn: an invalid day says why in its row, wrapped.
func TestReasonColumn(t *testing.T) {
	t.Parallel()
	m := sampleModel()
	m.Days[3].Reason = "строка 27: «Оплаты»: «1,5» — нужно целое число"
	f, _ := written(t, m)
	require.Equal(t, "Причина", value(t, f, "Сводка", "E1"))
	requireText(t, f, "Сводка", "E5", m.Days[3].Reason)
	require.True(t, style(t, f, "Сводка", "E5").Alignment.WrapText)
	require.True(t, style(t, f, "Сводка", "J2").Alignment.WrapText, "notes wrap too")
	require.Empty(t, raw(t, f, "Сводка", "E2"))
}
