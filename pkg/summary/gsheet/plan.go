package gsheet

import (
	"fmt"
	"slices"
	"strings"

	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/summary"
)

// getFields is all a write reads of the spreadsheet: every tab's id, title,
// place and grid size (to find the summary's tabs and keep clear of the
// others' ids), and the ids of charts and the ranges of conditional formats
// (to count those on the summary's tabs). No cell is read.
const getFields = "sheets(properties(sheetId,title,index,sheetType,gridProperties(rowCount,columnCount))," +
	"charts(chartId),conditionalFormats(ranges(sheetId)))"

// The ids the writer gives the tabs and the chart it adds. A spreadsheet
// rarely has them already; when it does, the next free one is taken. Fixed
// ids let a tab be added and written in the same batchUpdate, and make the
// same spreadsheet get the same ids on every pass.
const (
	sheetIDBase = 1_837_400_000
	chartIDBase = 1_837_500_000
	idStep      = 10
)

// Grid size of a new tab, as in the Sheets UI.
const (
	defaultRows = 1000
	defaultCols = 26
)

// placed is a summary tab and the sheet it goes to.
type placed struct {
	tab *tab
	id  int64
	old *sheets.Sheet // the tab as it is; nil when it is to be added
}

// plan matches the summary's tabs with the spreadsheet's and returns the
// batchUpdate requests that rewrite them: add the missing tabs, size and
// freeze them, remove the charts and conditional formats a previous pass
// left on them, clear them, and dress them anew. No other tab is named in
// any request.
func plan(book *sheets.Spreadsheet, tabs []*tab) ([]*sheets.Request, error) {
	sheetsInOrder := slices.Clone(book.Sheets)
	slices.SortStableFunc(sheetsInOrder, func(a, b *sheets.Sheet) int {
		return int(props(a).Index - props(b).Index)
	})
	usedIDs := map[int64]bool{}
	for _, sh := range sheetsInOrder {
		usedIDs[props(sh).SheetId] = true
	}
	var ps []placed
	mine := map[*sheets.Sheet]bool{}
	for _, t := range tabs {
		sh := findSheet(sheetsInOrder, t.Name, mine)
		if sh != nil {
			if st := props(sh).SheetType; st != "" && st != "GRID" {
				return nil, fmt.Errorf("the tab %q is not a sheet of cells (%s): rename or delete it so that the summary can have it", props(sh).Title, st)
			}
			mine[sh] = true
			ps = append(ps, placed{tab: t, id: props(sh).SheetId, old: sh})
			continue
		}
		ps = append(ps, placed{tab: t, id: freeID(usedIDs, sheetIDBase+int64(len(ps)))})
	}
	usedCharts := map[int64]bool{}
	for id := range usedIDs {
		usedCharts[id] = true
	}
	for _, sh := range sheetsInOrder {
		if mine[sh] {
			continue // their charts go: the ids are free again
		}
		for _, c := range sh.Charts {
			usedCharts[c.ChartId] = true
		}
	}
	chartID := freeID(usedCharts, chartIDBase)
	trendID := freeID(usedCharts, chartIDBase)
	barsID := freeID(usedCharts, chartIDBase)

	// Order of the tabs after the adds: a new tab goes after the summary tab
	// before it, or last.
	order := make([]int64, 0, len(sheetsInOrder)+len(ps))
	for _, sh := range sheetsInOrder {
		order = append(order, props(sh).SheetId)
	}

	var reqs []*sheets.Request
	for i, p := range ps {
		t := p.tab
		rows, cols := int64(max(len(t.Rows), 1)), int64(max(t.Columns(), 1))
		grid := &sheets.GridProperties{}
		if t.Table > 0 {
			// The header row stays in view with the date and the employee.
			grid.FrozenRowCount, grid.FrozenColumnCount = 1, summary.FrozenColumns
		}
		if p.old == nil {
			at := len(order)
			for j := i - 1; j >= 0; j-- {
				if k := slices.Index(order, ps[j].id); k >= 0 {
					at = k + 1
					break
				}
			}
			order = slices.Insert(order, at, p.id)
			grid.RowCount, grid.ColumnCount = max(rows, defaultRows), max(cols, defaultCols)
			reqs = append(reqs, &sheets.Request{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{
				SheetId: p.id, Title: t.Name, Index: int64(at), GridProperties: grid,
			}}})
			continue
		}
		// The grid grows to hold the rows; it never shrinks, so that what
		// the manager's own formulas point at stays on the grid.
		old := props(p.old).GridProperties
		if old == nil {
			old = &sheets.GridProperties{}
		}
		grid.RowCount, grid.ColumnCount = max(rows, old.RowCount), max(cols, old.ColumnCount)
		reqs = append(reqs, &sheets.Request{UpdateSheetProperties: &sheets.UpdateSheetPropertiesRequest{
			Properties: &sheets.SheetProperties{SheetId: p.id, Title: t.Name, GridProperties: grid},
			Fields:     "title,gridProperties(rowCount,columnCount,frozenRowCount,frozenColumnCount)",
		}})
	}
	for _, p := range ps {
		if p.old == nil {
			continue
		}
		for _, c := range p.old.Charts {
			reqs = append(reqs, &sheets.Request{DeleteEmbeddedObject: &sheets.DeleteEmbeddedObjectRequest{ObjectId: c.ChartId}})
		}
		for i := len(p.old.ConditionalFormats) - 1; i >= 0; i-- {
			reqs = append(reqs, &sheets.Request{DeleteConditionalFormatRule: &sheets.DeleteConditionalFormatRuleRequest{
				SheetId: p.id, Index: int64(i),
			}})
		}
	}
	for _, p := range ps {
		t := p.tab
		// Everything goes: values, formats, notes, validation. The values
		// come in the values request; the formats follow here.
		reqs = append(reqs, &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
			Range: &sheets.GridRange{SheetId: p.id}, Fields: "*",
		}})
		reqs = append(reqs, numberFormatRequests(p.id, t)...)
		reqs = append(reqs, toneRequests(p.id, t)...)
		reqs = append(reqs, wrapRequests(p.id, t)...)
		reqs = append(reqs, widthRequests(p.id, t)...)
		if t.Table > 0 {
			reqs = append(reqs, filterRequest(p.id, t))
		}
		reqs = append(reqs, statusRuleRequests(p.id, t)...)
		if t.chart != nil {
			reqs = append(reqs, chartRequest(p.id, chartID, t))
		}
		if t.Lines != nil {
			reqs = append(reqs, trendChartRequest(p.id, trendID, t))
		}
		if t.Bars != nil {
			reqs = append(reqs, barChartRequest(p.id, barsID, t.Tab))
		}
	}
	return reqs, nil
}

func props(sh *sheets.Sheet) *sheets.SheetProperties {
	if sh.Properties == nil {
		sh.Properties = &sheets.SheetProperties{}
	}
	return sh.Properties
}

// findSheet finds the tab of a name: the exact title, else one that differs
// in case only (Sheets allows no two such titles), skipping tabs taken.
func findSheet(all []*sheets.Sheet, name string, taken map[*sheets.Sheet]bool) *sheets.Sheet {
	for _, sh := range all {
		if !taken[sh] && props(sh).Title == name {
			return sh
		}
	}
	for _, sh := range all {
		if !taken[sh] && strings.EqualFold(props(sh).Title, name) {
			return sh
		}
	}
	return nil
}

// freeID returns the first of from, from+idStep, … that is not used, and
// marks it used.
func freeID(used map[int64]bool, from int64) int64 {
	id := from
	for used[id] {
		id += idStep
	}
	used[id] = true
	return id
}
