package xlsx

import (
	"fmt"
	"strings"

	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/xuri/excelize/v2"
)

// chartCell is where the team chart starts: to the right of the tables, which
// use columns A–D, with a column of air between.
const chartCell = "F4"

// The chart's size in pixels: beside the team table, within one A4
// landscape page with it (see pageScale).
const (
	chartWidth  = 600
	chartHeight = 340
)

// Colours of the chart: the stages, the conversion line and its labels,
// the weakest transition; other labels are black, so that they print.
const (
	barColour     = "5B9BD5"
	lineColour    = "ED7D31"
	lineText      = "C55A11"
	weakText      = "C00000"
	chartTextSize = 9
)

// teamChart draws the team funnel from the stage table's cells (so the
// chart follows the numbers on the sheet): the count of each stage as a
// column, first stage on the left; the conversion into each stage as a line with its percentage over it, on a
// second axis. The manager sees where the counts fall and by how much in
// one picture. The columns keep to the lower half of the chart and the line
// to the upper half, so that their labels never meet.
func teamChart(s *sheet, l *summary.Labels, t *summary.Tab) {
	if s.err != nil {
		return
	}
	c := t.Chart
	top := 0.0
	for _, r := range t.Rows[c.First : c.Last+1] {
		if len(r.Cells) > 1 {
			if v, ok := r.Cells[1].Value.(float64); ok {
				top = max(top, v)
			}
		}
	}
	head, first, last := c.Head+1, c.First+1, c.Last+1
	sheetRef := "'" + strings.ReplaceAll(s.name, "'", "''") + "'!"
	column := func(col string) string {
		return fmt.Sprintf("%s$%s$%d:$%s$%d", sheetRef, col, first, col, last)
	}
	text := excelize.Font{Color: "000000", Size: chartTextSize, Family: "Calibri"}
	bars := excelize.ChartSeries{
		// excelize writes a series name as a reference, not as text.
		Name:       fmt.Sprintf("%s$B$%d", sheetRef, head),
		Categories: column("A"),
		Values:     column("B"),
		Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{barColour}},
		DataLabel:  excelize.ChartDataLabel{Font: text},
	}
	title := []excelize.RichTextRun{{
		Text: l.ChartTitle, Font: &excelize.Font{Bold: true, Size: 12, Color: "000000", Family: "Calibri"},
	}}
	// The weakest transition is named under the title, in red like its
	// row in the table (excelize colours single points of pie charts only).
	if c.Weakest != "" {
		title = append(title, excelize.RichTextRun{
			Text: c.Weakest, Font: &excelize.Font{Bold: true, Size: 10, Color: weakText, Family: "Calibri"},
		})
	}
	conversion := excelize.ChartSeries{
		Name:              fmt.Sprintf("%s$C$%d", sheetRef, head),
		Categories:        column("A"),
		Values:            column("C"),
		Line:              excelize.LineOptions{Width: 2.25},
		Fill:              excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{lineColour}},
		Marker:            excelize.ChartMarker{Symbol: "circle", Size: 7},
		DataLabel:         excelize.ChartDataLabel{Font: excelize.Font{Color: lineText, Size: chartTextSize, Bold: true, Family: "Calibri"}},
		DataLabelPosition: excelize.ChartDataLabelsPositionAbove,
	}
	zero, lineMin, lineMax := 0.0, -1.2, 1.1
	s.err = s.f.AddChart(s.name, chartCell, &excelize.Chart{
		Type:       excelize.Col,
		Series:     []excelize.ChartSeries{bars},
		Title:      excelize.ChartTitle{Paragraph: title},
		Legend:     excelize.ChartLegend{Position: "bottom"},
		VaryColors: ptr(false), // one series, one colour
		XAxis:      excelize.ChartAxis{Font: text},
		// The counts are on the columns: the axis would only repeat them.
		YAxis: excelize.ChartAxis{TickLabelPosition: excelize.ChartTickLabelNone,
			Minimum: &zero, Maximum: ptr(max(2*top, 1))},
		PlotArea:  excelize.ChartPlotArea{ShowVal: true},
		Dimension: excelize.ChartDimension{Width: chartWidth, Height: chartHeight},
		GapWidth:  ptr(uint(60)),
	}, &excelize.Chart{
		Type:   excelize.Line,
		Series: []excelize.ChartSeries{conversion},
		// The percentages are on the points: the axis would only repeat them.
		YAxis: excelize.ChartAxis{Secondary: true, TickLabelPosition: excelize.ChartTickLabelNone,
			Minimum: &lineMin, Maximum: &lineMax},
		PlotArea:     excelize.ChartPlotArea{ShowVal: true},
		ShowBlanksAs: "gap", // the first stage has no conversion
	})
}
