package document

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
)

// TestCSVUnterminatedQuote: a quote opened in a note and never closed used
// to swallow the next day's row into that note (the 26th vanished, its
// numbers inside the 25th's comment); it is now an error at the line where
// the quote opens. A quote inside an unquoted cell and a note that really
// spans lines are still read.
func TestCSVUnterminatedQuote(t *testing.T) {
	ref := day.MustParse("2026-11-26")
	bad := "Дата;Новые звонки;Комментарий\n25.11.2026;10;\"созвонился с ООО Ромашка\n26.11.2026;12;ок\n27.11.2026;3;ок\n"
	_, _, err := FromCSV([]byte(bad), ref)
	var qe *QuoteError
	require.ErrorAs(t, err, &qe)
	require.Equal(t, Location{Line: 2}, qe.Loc)
	require.Contains(t, err.Error(), "line 2: a quote")

	lazyBad := "Дата;Новые звонки;Комментарий\n24.11.2026;1;ООО \"Лютик\"\n25.11.2026;10;\"созвонился\n26.11.2026;12;ок\n"
	_, _, err = FromCSV([]byte(lazyBad), ref)
	require.ErrorAs(t, err, &qe, "a bare quote elsewhere does not let the open one pass")
	require.Equal(t, Location{Line: 3}, qe.Loc)

	good := "Дата;Новые звонки;Комментарий\n24.11.2026;1;ООО \"Лютик\"\n25.11.2026;10;\"две строки:\nвторая\"\n26.11.2026;12;ок\n"
	doc, warns, err := FromCSV([]byte(good), ref)
	require.NoError(t, err)
	require.Empty(t, warns)
	sections, _ := doc.Sections(ref)
	require.Len(t, sections, 3)
	require.Equal(t, "Комментарий | две строки:\nвторая", sections[1].Blocks[1].Text)
	require.Equal(t, "ООО \"Лютик\"", sections[0].Blocks[1].Cells[1].Text)
}

// TestCSVRowWithoutADate: a row with numbers whose date cell is no date
// («вчера», 46321.99999) used to be dropped without a word; it is now a
// bad_date warning at its cell. A total row and a blank one are still no
// day and no warning.
func TestCSVRowWithoutADate(t *testing.T) {
	ref := day.MustParse("2026-11-26")
	data := "Дата;Новые звонки;Встречи\n25.11.2026;10;2\nвчера;7;1\n46321.99999;5;0\nИтого;22;3\n;;\nпримечание без чисел;;\n"
	doc, warns, err := FromCSV([]byte(data), ref)
	require.NoError(t, err)
	require.Equal(t, []Warning{
		{Code: WarnBadDate, Loc: Location{Cell: "A3"}, Value: "вчера"},
		{Code: WarnBadDate, Loc: Location{Cell: "A4"}, Value: "46321.99999"},
	}, warns)
	sections, _ := doc.Sections(ref)
	require.Len(t, sections, 1)
}
