package xlsx

import (
	"math"
	"strconv"
	"strings"

	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/xuri/excelize/v2"
)

// How a tab prints: on A4 in landscape, the tab's name and the window in
// the page header, the page number in the footer.
//
// A table (Сводка, Отсутствия, Проверка) is fitted to the width of one page
// and runs on as many pages as it needs, its header row repeated on each.
// The Воронка tab is a column of blocks (the team funnel with its chart,
// the previous window, the trend, each employee): it is scaled to fit one
// page wide, and a page break goes before any block that would not fit on
// the rest of a page, so no block is cut (a block taller than a page is cut
// where the page ends).

// paperA4 is the paper size code of A4 in a worksheet's page setup.
const paperA4 = 9

// The page, in points: A4 landscape less its margins (in inches).
const (
	pointsInch   = 72
	marginSide   = 0.4
	marginTop    = 0.7
	marginBottom = 0.6
	marginHeader = 0.3
	pageWidth    = 297 / 25.4 * pointsInch
	pageHeight   = 210 / 25.4 * pointsInch
	printWidth   = pageWidth - 2*marginSide*pointsInch
	printHeight  = pageHeight - (marginTop+marginBottom)*pointsInch
)

// Sizes of the grid, in points, as a spreadsheet application draws it with
// the default font (Calibri 11): a column of width w characters is w×7+5
// pixels, a pixel is ¾ of a point, a row is 15 points (a title's 18).
const (
	pointsPixel  = 0.75
	defaultWidth = 8.43 // characters: the width of a column not sized
	rowPoints    = 15
	titlePoints  = 18
)

// columnPoints is the printed width of a column w characters wide.
func columnPoints(w float64) float64 {
	return math.Floor(w*7+5) * pointsPixel
}

// printSetup sets how the tab name prints.
func printSetup(f *excelize.File, name string, t *summary.Tab, m measured, l *summary.Labels, window string) error {
	layout := &excelize.PageLayoutOptions{Size: ptr(paperA4), Orientation: ptr("landscape")}
	switch {
	case t.Table > 0 && len(t.PageColumns) == 0:
		if err := f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: ptr(true)}); err != nil {
			return err
		}
		layout.FitToWidth, layout.FitToHeight = ptr(1), ptr(0)
		if err := printTitles(f, name, "$1:$1"); err != nil {
			return err
		}
	case t.Table > 0:
		// Blocks of columns, each a page wide at one scale, the frozen
		// columns and the header row on every page; a page of numbers is
		// followed by the page of the same days' notes.
		layout.AdjustTo = ptr(uint(columnBlocksScale(t, m) * 100))
		layout.PageOrder = ptr("overThenDown")
		for _, c := range t.PageColumns {
			cell, err := excelize.CoordinatesToCellName(c+1, 1)
			if err == nil {
				err = f.InsertPageBreak(name, cell)
			}
			if err != nil {
				return err
			}
		}
		last, _ := excelize.ColumnNumberToName(summary.FrozenColumns)
		if err := printTitles(f, name, "$A:$"+last+","+quoteSheet(name)+"!$1:$1"); err != nil {
			return err
		}
	default:
		scale := pageScale(t, m)
		layout.AdjustTo = ptr(uint(scale * 100))
		for _, row := range pageBreaks(t, m, scale) {
			if err := f.InsertPageBreak(name, "A"+strconv.Itoa(row+1)); err != nil {
				return err
			}
		}
	}
	if err := f.SetPageLayout(name, layout); err != nil {
		return err
	}
	err := f.SetPageMargins(name, &excelize.PageLayoutMarginsOptions{
		Left: ptr(marginSide), Right: ptr(marginSide), Top: ptr(marginTop), Bottom: ptr(marginBottom),
		Header: ptr(marginHeader), Footer: ptr(marginHeader),
	})
	if err != nil {
		return err
	}
	return f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{
		OddHeader: "&L&\"Calibri,Bold\"&A&R" + headerText(window),
		OddFooter: "&C" + l.Page,
	})
}

// printTitles repeats the rows and columns of ref (such as "$1:$1") on
// every printed page of the tab.
func printTitles(f *excelize.File, name, ref string) error {
	return f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", RefersTo: quoteSheet(name) + "!" + ref, Scope: name,
	})
}

// headerText escapes the codes of a page header: "&" starts one.
func headerText(s string) string { return strings.ReplaceAll(s, "&", "&&") }

// quoteSheet is a sheet name as a formula names it.
func quoteSheet(name string) string { return "'" + strings.ReplaceAll(name, "'", "''") + "'" }

// fitWidth is how much of a page's width a scale fills: the estimate of the
// columns' printed width is close, not exact, and a tab must fit.
const fitWidth = 0.96

// scaleFor is the scale (at most 1, in whole percents rounded down) at which
// width points fit a page's width.
func scaleFor(width float64) float64 {
	if width <= printWidth*fitWidth {
		return 1
	}
	return max(math.Floor(printWidth*fitWidth/width*100)/100, 0.1)
}

// pageScale is the scale at which the columns of the tab, and its chart, fit
// one page wide.
func pageScale(t *summary.Tab, m measured) float64 {
	width := columnsPoints(m.widths, 0, len(m.widths))
	if t.Chart != nil {
		col, _, _ := excelize.CellNameToCoordinates(chartCell)
		width = max(width, columnsPoints(m.widths, 0, col-1)+chartWidth*pointsPixel)
	}
	if t.Lines != nil {
		width = max(width, columnsPoints(m.widths, 0, trendChartColumn(t)-1)+trendChartWidth*pointsPixel)
	}
	return scaleFor(width)
}

// columnBlocksScale is the scale at which each block of columns
// (summary.Tab.PageColumns), with the frozen columns before it, fits a page.
func columnBlocksScale(t *summary.Tab, m measured) float64 {
	starts := append([]int{0}, t.PageColumns...)
	scale := 1.0
	for i, from := range starts {
		to := len(m.widths)
		if i+1 < len(starts) {
			to = starts[i+1]
		}
		width := columnsPoints(m.widths, from, to)
		if from > 0 {
			width += columnsPoints(m.widths, 0, summary.FrozenColumns)
		}
		scale = min(scale, scaleFor(width))
	}
	return scale
}

// columnsPoints is the printed width of the columns from to to (0-based, to
// excluded) of the given widths; a column past them has the default width.
func columnsPoints(widths []int, from, to int) float64 {
	points := 0.0
	for c := from; c < to; c++ {
		w := defaultWidth
		if c < len(widths) {
			w = columnChars(widths[c])
		}
		points += columnPoints(w)
	}
	return points
}

// columnChars is the width a column of the widest value w is given.
func columnChars(w int) float64 {
	if w <= 0 {
		return defaultWidth
	}
	return float64(summary.ColumnWidth(w))
}

// pageBreaks are the rows (0-based) a page must start at so that no block
// of the tab is cut, at the given scale: a block goes to the next page when
// it does not fit on the rest of the current one.
func pageBreaks(t *summary.Tab, m measured, scale float64) []int {
	height := printHeight / scale
	// A title is taller than other rows; the chart reaches down from its
	// cell on the team's page.
	top := make([]float64, m.rows+1) // top[r] is where row r starts
	for r := range m.rows {
		h := float64(rowPoints)
		if m.titles[r] {
			h = titlePoints
		}
		top[r+1] = top[r] + h
	}
	var breaks []int
	page := 0.0 // where the current page starts
	for i, b := range m.blocks {
		end := top[b.Last+1]
		if i == 0 && t.Chart != nil {
			_, row, _ := excelize.CellNameToCoordinates(chartCell)
			end = max(end, top[min(row-1, m.rows)]+chartHeight*pointsPixel)
		}
		if end-page > height && top[b.First] > page {
			breaks = append(breaks, b.First)
			page = top[b.First]
		}
	}
	return breaks
}
