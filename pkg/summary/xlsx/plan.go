package xlsx

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/dayreport/dayreport/pkg/summary"
)

// planChartColumn is where the forecast chart of the План-факт tab starts:
// to the right of its tables, which use columns A–I.
const planChartColumn = "K"

// planColours are the series of the forecast chart, a colour per metric.
var planColours = []string{"5B9BD5", "ED7D31", "A5A5A5", "FFC000", "4472C4", "70AD47", "264478", "9E480E", "636363"}

// planChart draws the forecast % of each employee as bars, a series per
// planned metric, from the table under the План-факт tab's rows (so the
// chart follows the numbers on the sheet). 100 % is the plan.
func planChart(s *sheet, t *summary.Tab) {
	if s.err != nil {
		return
	}
	c := t.Bars
	sheetRef := "'" + strings.ReplaceAll(s.name, "'", "''") + "'!"
	first, last := c.First+1, c.Last+1
	var series []excelize.ChartSeries
	for j := 1; j <= c.Series; j++ {
		col, err := excelize.ColumnNumberToName(j + 1)
		if err != nil {
			s.err = err
			return
		}
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s$%s$%d", sheetRef, col, c.Head+1),
			Categories: fmt.Sprintf("%s$A$%d:$A$%d", sheetRef, first, last),
			Values:     fmt.Sprintf("%s$%s$%d:$%s$%d", sheetRef, col, first, col, last),
			Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{planColours[(j-1)%len(planColours)]}},
		})
	}
	text := excelize.Font{Color: "000000", Size: chartTextSize, Family: "Calibri"}
	s.err = s.f.AddChart(s.name, fmt.Sprintf("%s%d", planChartColumn, 3), &excelize.Chart{
		Type:   excelize.Bar,
		Series: series,
		Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{
			Text: c.Title, Font: &excelize.Font{Bold: true, Size: 12, Color: "000000", Family: "Calibri"},
		}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		XAxis:     excelize.ChartAxis{Font: text, ReverseOrder: true},
		YAxis:     excelize.ChartAxis{Font: text, Minimum: ptr(0.0), NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}},
		PlotArea:  excelize.ChartPlotArea{ShowVal: false},
		Dimension: excelize.ChartDimension{Width: chartWidth, Height: uint(max(chartHeight, 60+40*(c.Last-c.First+1)))},
	})
}
