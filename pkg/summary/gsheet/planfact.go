package gsheet

import (
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/summary"
)

// planColours are the series of the forecast chart, a colour per metric, as
// in the local workbook.
var planColours = []rgb{0x5B9BD5, 0xED7D31, 0xA5A5A5, 0xFFC000, 0x4472C4, 0x70AD47, 0x264478, 0x9E480E, 0x636363}

// planChartColumn is where the forecast chart of the План-факт tab is
// anchored: to the right of its tables (columns A–I).
const planChartColumn = 10

// barChartRequest draws the forecast % of each employee as bars, a series
// per planned metric, from the table under the План-факт tab's rows (the
// chart follows the numbers on the sheet), as the local workbook does.
func barChartRequest(sheetID, chartID int64, t *summary.Tab) *sheets.Request {
	c := t.Bars
	text := &sheets.TextFormat{FontSize: 9, ForegroundColorStyle: chartText.style()}
	var series []*sheets.BasicChartSeries
	for j := 1; j <= c.Series; j++ {
		series = append(series, &sheets.BasicChartSeries{
			// The header row names the series (headerCount 1).
			Series: &sheets.ChartData{SourceRange: &sheets.ChartSourceRange{
				Sources: []*sheets.GridRange{rect{c.Head, c.Last + 1, j, j + 1}.on(sheetID)},
			}},
			TargetAxis: "BOTTOM_AXIS",
			ColorStyle: planColours[(j-1)%len(planColours)].style(),
		})
	}
	height := max(chartHeight, 60+40*(c.Last-c.First+1))
	return &sheets.Request{AddChart: &sheets.AddChartRequest{Chart: &sheets.EmbeddedChart{
		ChartId: chartID,
		Spec: &sheets.ChartSpec{
			Title:           c.Title,
			TitleTextFormat: &sheets.TextFormat{Bold: true, FontSize: 12, ForegroundColorStyle: chartText.style()},
			BasicChart: &sheets.BasicChartSpec{
				ChartType:      "BAR",
				LegendPosition: "BOTTOM_LEGEND",
				HeaderCount:    1,
				Axis: []*sheets.BasicChartAxis{
					{Position: "BOTTOM_AXIS", Format: text, ViewWindowOptions: &sheets.ChartAxisViewWindowOptions{
						ViewWindowMode: "EXPLICIT", ViewWindowMin: 0, ForceSendFields: []string{"ViewWindowMin"},
					}},
					{Position: "LEFT_AXIS", Format: text},
				},
				Domains: []*sheets.BasicChartDomain{{Domain: &sheets.ChartData{SourceRange: &sheets.ChartSourceRange{
					Sources: []*sheets.GridRange{rect{c.Head, c.Last + 1, 0, 1}.on(sheetID)},
				}}}},
				Series: series,
			},
		},
		Position: &sheets.EmbeddedObjectPosition{OverlayPosition: &sheets.OverlayPosition{
			AnchorCell:  &sheets.GridCoordinate{SheetId: sheetID, RowIndex: 2, ColumnIndex: planChartColumn},
			WidthPixels: chartWidth, HeightPixels: int64(height),
		}},
	}}}
}
