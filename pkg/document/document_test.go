package document

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
)

func TestSections(t *testing.T) {
	t.Parallel()
	doc := FromText("\ufeffПривет!\r\nКак дела\r\n25.11.2026\r\nОплаты: 1\r\n26.11.2026\r\nОплаты: 2\r\n31.11.2026\r\nОплаты: 9\r\n25.11.2026\r\nНовые звонки: 3")
	secs, warns := doc.Sections(ref)
	require.Len(t, secs, 2)
	require.Equal(t, "2026-11-25", secs[0].Date.String())
	require.Equal(t, Location{Line: 3}, secs[0].Start)
	require.Equal(t, []Location{{Line: 9}}, secs[0].Repeats)
	require.Len(t, secs[0].Blocks, 2) // both parts of the 25th
	require.Equal(t, "Оплаты: 1", secs[0].Blocks[0].Text)
	require.Equal(t, "Новые звонки: 3", secs[0].Blocks[1].Text)
	require.Len(t, secs[1].Blocks, 1, "lines under a non-existent date belong to no day")
	require.Equal(t, []Warning{
		{Code: WarnBadDate, Loc: Location{Line: 7}, Value: "31.11.2026"},
		{Code: WarnRepeatedDate, Loc: Location{Line: 9}, Value: "2026-11-25"},
	}, warns)
	newest, ok := Newest(secs)
	require.True(t, ok)
	require.Equal(t, "2026-11-26", newest.Date.String())
	_, ok = Find(secs, day.MustParse("2026-11-27"))
	require.False(t, ok)
}

func TestMarkdown(t *testing.T) {
	t.Parallel()
	md := "# Отчёты\n\n## 26.11.2026\n\n| Показатель | Значение |\n|---|:---:|\n| Новые звонки | 12 |\n| Оплаты | 1 \\| 2 |\n\nТекст"
	doc := FromMarkdown(md, ref)
	require.Equal(t, 1, doc.Blocks[0].Heading)
	require.Equal(t, "Отчёты", doc.Blocks[0].Text)
	require.Equal(t, 2, doc.Blocks[2].Heading)
	secs, _ := doc.Sections(ref)
	require.Len(t, secs, 1)
	rows := secs[0].Blocks
	require.Equal(t, Row, rows[1].Kind)
	require.True(t, rows[1].Header)
	require.Equal(t, "Новые звонки", rows[2].Cells[0].Text)
	require.Equal(t, Location{Line: 7}, rows[2].Cells[1].Loc)
	require.Equal(t, "1 | 2", rows[3].Cells[1].Text)
}

func TestMarkdownDayPerRowTable(t *testing.T) {
	t.Parallel()
	md := "Мои отчёты\n\n| Дата | Новые звонки | Оплаты |\n|---|---|---|\n| 25.11.2026 | 10 | 1 |\n| 26.11.2026 | 12 |  |\n| Итого | 22 | 1 |"
	doc := FromMarkdown(md, ref)
	secs, warns := doc.Sections(ref)
	require.Empty(t, warns)
	require.Len(t, secs, 2)
	require.Equal(t, Location{Line: 6}, secs[1].Start)
	require.Len(t, secs[1].Blocks, 2)
	require.Equal(t, "Оплаты", secs[1].Blocks[1].Cells[0].Text)
	require.Empty(t, secs[1].Blocks[1].Cells[1].Text)
	require.Equal(t, Location{Line: 6}, secs[1].Blocks[1].Cells[1].Loc)
}

func TestGridRowLayout(t *testing.T) {
	t.Parallel()
	grid := [][]any{
		{"Отчёты Иванова"},
		{"Дата", "Новые звонки", "", "Оплаты"},
		{46351.0, 10.0, "x", 1.0},
		{"26.11.2026", 12.0}, // ragged: Оплаты missing
		{"31.11.2026", 1.0, nil, 1.0},
		{"Итого", 22.0, nil, 2.0},
	}
	doc, warns := FromGrid(grid, "Иванов", ref)
	require.Equal(t, []Warning{{Code: WarnBadDate, Loc: Location{Tab: "Иванов", Cell: "A5"}, Value: "31.11.2026"}}, warns)
	secs, _ := doc.Sections(ref)
	require.Len(t, secs, 2)
	require.Equal(t, "2026-11-25", secs[0].Date.String())
	require.Equal(t, "A3", secs[0].Start.Cell)
	require.Len(t, secs[1].Blocks, 2)
	pay := secs[1].Blocks[1]
	require.Equal(t, "Оплаты", pay.Cells[0].Text)
	require.Equal(t, "D2", pay.Cells[0].Loc.Cell)
	require.Empty(t, pay.Cells[1].Text)
	require.Equal(t, "D4", pay.Cells[1].Loc.Cell)
	require.Equal(t, "10", secs[0].Blocks[0].Cells[1].Text)
}

// TestGridMergedHeader: a header of two rows made with merged cells, as the
// values API returns it (a merged cell's value in its first cell only).
func TestGridMergedHeader(t *testing.T) {
	t.Parallel()
	labelsOf := func(grid [][]any) map[string]string { // label → its cell, on the day's row
		doc, warns := FromGrid(grid, "", ref)
		require.Empty(t, warns)
		secs, _ := doc.Sections(ref)
		require.Len(t, secs, 1)
		out := map[string]string{}
		for _, b := range secs[0].Blocks {
			out[b.Cells[0].Text+" @"+b.Cells[0].Loc.Cell] = b.Cells[1].Text
		}
		return out
	}
	// A title merged across; "Дата" and "Оплаты" merged down over two rows;
	// "Звонки" merged across two columns over their own labels.
	require.Equal(t, map[string]string{"Новые звонки @B3": "12", "Повторные звонки @C3": "5", "Оплаты @D2": "1"}, labelsOf([][]any{
		{"Отчёт Иванова за ноябрь"},
		{"Дата", "Звонки", "", "Оплаты"},
		{"", "Новые звонки", "Повторные звонки"},
		{"26.11.2026", 12.0, 5.0, 1.0},
	}))
	// The date column's label in the lower row: the group row is above.
	require.Equal(t, map[string]string{"Новые звонки @B2": "12", "Повторные звонки @C2": "5", "Оплаты @D1": "1"}, labelsOf([][]any{
		{"", "Звонки", "", "Оплаты"},
		{"Дата", "Новые звонки", "Повторные звонки"},
		{"26.11.2026", 12.0, 5.0, 1.0},
	}))
	// A row of units under a full header is not a header: it stays skipped.
	require.Equal(t, map[string]string{"Новые звонки @B1": "12", "Оплаты @C1": "1"}, labelsOf([][]any{
		{"Дата", "Новые звонки", "Оплаты"},
		{"", "шт", "шт"},
		{"26.11.2026", 12.0, 1.0},
	}))
}

func TestGridTransposed(t *testing.T) {
	t.Parallel()
	grid := [][]any{
		{"Показатель", "25.11.2026", 46352.0},
		{"Новые звонки", 10.0, 12.0},
		{"", "", ""},
		{"Оценка работы компании", 4.5},
	}
	doc, warns := FromGrid(grid, "", ref)
	require.Empty(t, warns)
	secs, _ := doc.Sections(ref)
	require.Len(t, secs, 2)
	require.Equal(t, "2026-11-26", secs[1].Date.String())
	require.Equal(t, "C1", secs[1].Start.Cell)
	require.Len(t, secs[1].Blocks, 2)
	require.Equal(t, "C4", secs[1].Blocks[1].Cells[1].Loc.Cell)
	require.Equal(t, "4.5", secs[0].Blocks[1].Cells[1].Text)
}

func TestCSV(t *testing.T) {
	t.Parallel()
	doc, _, err := FromCSV([]byte("\ufeffДата;Новые звонки;Решённые задачи\n26.11.2026;12;\"Договор; подписан\nвторая строка\"\n"), ref)
	require.NoError(t, err)
	secs, _ := doc.Sections(ref)
	require.Len(t, secs, 1)
	require.Equal(t, "Договор; подписан\nвторая строка", secs[0].Blocks[1].Cells[1].Text)
	require.Equal(t, "C2", secs[0].Blocks[1].Cells[1].Loc.Cell)
	_, _, err = FromCSV(nil, ref)
	require.ErrorIs(t, err, ErrEmptyCSV)
}

func TestLocationFormat(t *testing.T) {
	t.Parallel()
	require.Equal(t, "line 3", Location{Line: 3}.String())
	require.Equal(t, "строка 3", Location{Line: 3}.Format("ru"))
	require.Equal(t, "table 2, row 5", Location{Table: 2, Row: 5}.String())
	require.Equal(t, "таблица 2, строка 5", Location{Table: 2, Row: 5}.Format("ru"))
	require.Equal(t, "B7", Location{Cell: "B7"}.String())
	require.Equal(t, "ячейка B7", Location{Cell: "B7"}.Format("ru"))
	require.Equal(t, "'Q1/Q2 ''x'''!B7", Location{Tab: "Q1/Q2 'x'", Cell: "B7"}.String())
	require.Equal(t, `tab "Ноябрь", line 4`, Location{Tab: "Ноябрь", Line: 4}.String())
	require.Equal(t, "вкладка «Ноябрь», строка 4", Location{Tab: "Ноябрь", Line: 4}.Format("ru"))
}
