package document

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
)

// denseCSV is a day-per-row export with short numbers: the costliest bytes
// a report can have (a dozen cells in every 30 bytes).
func denseCSV(rows int) []byte {
	var b strings.Builder
	b.WriteString("Дата;Новые звонки;Повторные звонки;Встречи;КП;Счета;Оплаты;Комментарий\n")
	d := day.MustParse("2000-01-03")
	for i := range rows {
		fmt.Fprintf(&b, "%s;%d;%d;%d;%d;%d;%d;ок\n", d.AddDays(i).Russian(), i%50, i%20, i%7, i%5, i%3, i%2)
	}
	return []byte(b.String())
}

// allocated is how many bytes f allocates (the upper bound of the heap it
// can hold at its peak).
func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestGridCostPerCell: reading a day-per-row CSV into day sections used to
// allocate a kilobyte and more per cell (a block, its two cells and its A1
// references each on their own, then every block copied again into its
// section); now the blocks are allocated at once, a row's cells share one
// array, and a section is a slice of the document's blocks.
func TestGridCostPerCell(t *testing.T) {
	const rows = 3000
	data := denseCSV(rows)
	ref := day.MustParse("2026-11-26")
	var sections []Section
	n := allocated(func() {
		doc, _, err := FromCSV(data, ref)
		require.NoError(t, err)
		sections, _ = doc.Sections(ref)
	})
	require.Len(t, sections, rows)
	require.Len(t, sections[rows-1].Blocks, 7)
	perCell := n / (rows * 8)
	t.Logf("%d bytes for %d bytes of CSV: %d bytes per cell, %.0f× the file", n, len(data), perCell, float64(n)/float64(len(data)))
	require.Less(t, perCell, uint64(600))
}

// TestSectionsShareTheDocumentsBlocks: a section is a run of the document's
// blocks; a day written twice is still read as one, its parts merged (and
// the document's own blocks are left as they were).
func TestSectionsShareTheDocumentsBlocks(t *testing.T) {
	ref := day.MustParse("2026-11-26")
	doc := FromText("25.11.2026\nЗвонки: 1\nВстречи: 2\n26.11.2026\nЗвонки: 3\n25.11.2026\nКП: 4\nконец")
	sections, warns := doc.Sections(ref)
	require.Len(t, sections, 2)
	require.Len(t, warns, 1)
	texts := func(bs []Block) []string {
		var out []string
		for _, b := range bs {
			out = append(out, b.Text)
		}
		return out
	}
	require.Equal(t, []string{"Звонки: 1", "Встречи: 2", "КП: 4", "конец"}, texts(sections[0].Blocks))
	require.Equal(t, []string{"Звонки: 3"}, texts(sections[1].Blocks))
	require.Equal(t, "26.11.2026", doc.Blocks[3].Text, "merging copied, never wrote over the document")
	require.Same(t, &doc.Blocks[4], &sections[1].Blocks[0], "a run is not copied")
}

// TestReportBudgets: a CSV over MaxCells is refused at the line where the
// budget ran out, before the rest is read; a sheet over MaxDays is not read
// and its one warning says where.
func TestReportBudgets(t *testing.T) {
	ref := day.MustParse("2026-11-26")
	_, _, err := FromCSV(denseCSV(40_000), ref)
	var le *LimitError
	require.ErrorAs(t, err, &le)
	require.Equal(t, "cells", le.What)
	require.Equal(t, Location{Line: MaxCells/8 + 1}, le.Loc, "8 cells a line: line 12501 holds the 100001st")
	require.Equal(t, "строка 12501: отчёт слишком большой: больше 100000 ячеек (разделите его, например по годам)", le.Message("ru"))

	grid := [][]any{{"Дата", "Звонки"}}
	d := day.MustParse("1990-01-01")
	for i := range MaxDays + 5 {
		grid = append(grid, []any{d.AddDays(i).String(), float64(i % 9)})
	}
	doc, warns := FromGrid(grid, "Отчёт", ref)
	require.Empty(t, doc.Blocks)
	require.Equal(t, []Warning{{Code: WarnTooLarge, Loc: Location{Tab: "Отчёт", Cell: "A10002"}, Value: "days"}}, warns)

	wide := [][]any{make([]any, MaxCells+1)}
	_, warns = FromGrid(wide, "", ref)
	require.Equal(t, []Warning{{Code: WarnTooLarge, Loc: Location{Cell: A1(0, MaxCells)}, Value: "cells"}}, warns)
}
