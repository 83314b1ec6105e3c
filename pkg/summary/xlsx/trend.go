package xlsx

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/dayreport/dayreport/pkg/summary"
)

// The Динамика tab: the weekly table (a dozen rows, laid out whole) and a
// line per transition drawn from its cells.

// trendPieces is the Динамика tab as one piece: it has no items. It is
// that of the model without its items (layOut's heads): laid out from the
// whole model, it would lay out every other tab whole with it.
func trendPieces(heads *summary.Layout) *pieces {
	return &pieces{head: heads.Trend, size: pieceItems}
}

// trendColours are the lines' colours, one per transition (a template with
// more transitions repeats them).
var trendColours = []string{"5B9BD5", "ED7D31", "A5A5A5", "FFC000", "4472C4", "70AD47", "264478", "9E480E"}

// trendChart draws each transition's conversion week by week as a line,
// to the right of the table, past a column of air (there the columns keep
// excelize's widths, which it sizes the chart by); the weeks of a change carry summary.ChangeMark on the
// axis, as in the table.
func trendChart(s *sheet, t *summary.Tab) {
	if s.err != nil {
		return
	}
	c := t.Lines
	sheetRef := "'" + strings.ReplaceAll(s.name, "'", "''") + "'!"
	first, last := c.First+1, c.Last+1
	text := excelize.Font{Color: "000000", Size: chartTextSize, Family: "Calibri"}
	series := make([]excelize.ChartSeries, 0, c.Series)
	for i := 1; i <= c.Series; i++ {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			s.err = err
			return
		}
		colour := trendColours[(i-1)%len(trendColours)]
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s$%s$%d", sheetRef, col, c.Head+1),
			Categories: fmt.Sprintf("%s$A$%d:$A$%d", sheetRef, first, last),
			Values:     fmt.Sprintf("%s$%s$%d:$%s$%d", sheetRef, col, first, col, last),
			Line:       excelize.LineOptions{Width: 2},
			Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour}},
			Marker:     excelize.ChartMarker{Symbol: "circle", Size: 5},
		})
	}
	anchor, err := excelize.CoordinatesToCellName(trendChartColumn(t), c.Head+1)
	if err != nil {
		s.err = err
		return
	}
	zero, one := 0.0, 1.0
	s.err = s.f.AddChart(s.name, anchor, &excelize.Chart{
		Type:   excelize.Line,
		Series: series,
		Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{
			Text: c.Title, Font: &excelize.Font{Bold: true, Size: 12, Color: "000000", Family: "Calibri"},
		}}},
		Legend:       excelize.ChartLegend{Position: "bottom"},
		XAxis:        excelize.ChartAxis{Font: text},
		YAxis:        excelize.ChartAxis{Font: text, Minimum: &zero, Maximum: &one, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}},
		Dimension:    excelize.ChartDimension{Width: trendChartWidth, Height: trendChartHeight},
		ShowBlanksAs: "gap", // a week with none of the earlier stage is no data
	})
}

// The trend chart's size in pixels: within the printed page of the table
// above it, at the scale the table is printed.
const (
	trendChartWidth  = 640
	trendChartHeight = 340
)

// trendChartColumn is the column (1-based) the trend chart starts in.
func trendChartColumn(t *summary.Tab) int { return t.Columns() + 2 }
