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

// teamChart draws the team's stage counts as horizontal bars, first stage on
// top, from the table cells (so the chart follows the numbers on the sheet):
// the stage table's header in row head, its stages in rows first to last.
func teamChart(s *sheet, l *summary.Labels, head, first, last int) {
	if s.err != nil {
		return
	}
	sheetRef := "'" + strings.ReplaceAll(s.name, "'", "''") + "'!"
	column := func(col string) string {
		return fmt.Sprintf("%s$%s$%d:$%s$%d", sheetRef, col, first, col, last)
	}
	s.err = s.f.AddChart(s.name, chartCell, &excelize.Chart{
		Type: excelize.Bar,
		Series: []excelize.ChartSeries{{
			// excelize writes a series name as a reference, not as text.
			Name:       fmt.Sprintf("%s$B$%d", sheetRef, head),
			Categories: column("A"),
			Values:     column("B"),
		}},
		Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: l.ChartTitle}}},
		Legend:     excelize.ChartLegend{Position: "none"},
		VaryColors: ptr(false), // one series, one colour
		XAxis:      excelize.ChartAxis{ReverseOrder: true},
		PlotArea:   excelize.ChartPlotArea{ShowVal: true},
		Dimension:  excelize.ChartDimension{Width: 520, Height: 300},
	})
}
