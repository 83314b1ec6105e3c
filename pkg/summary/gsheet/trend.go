package gsheet

import (
	"google.golang.org/api/sheets/v4"
)

// trendColours are the lines of the Динамика chart, one per transition, as
// in the local workbook.
var trendColours = []rgb{0x5B9BD5, 0xED7D31, 0xA5A5A5, 0xFFC000, 0x4472C4, 0x70AD47, 0x264478, 0x9E480E}

// trendChartRequest draws each transition's conversion week by week as a
// line from the weekly table, under it; the weeks of a change carry their
// mark on the axis, as in the table.
func trendChartRequest(sheetID, chartID int64, t *tab) *sheets.Request {
	c := t.Lines
	column := func(col int) *sheets.ChartData {
		return &sheets.ChartData{SourceRange: &sheets.ChartSourceRange{
			Sources: []*sheets.GridRange{rect{c.First, c.Last + 1, col, col + 1}.on(sheetID)},
		}}
	}
	text := &sheets.TextFormat{FontSize: 9, ForegroundColorStyle: chartText.style()}
	series := make([]*sheets.BasicChartSeries, 0, c.Series)
	for i := 1; i <= c.Series; i++ {
		series = append(series, &sheets.BasicChartSeries{
			Series: column(i), TargetAxis: "LEFT_AXIS", Type: "LINE",
			ColorStyle: trendColours[(i-1)%len(trendColours)].style(),
			LineStyle:  &sheets.LineStyle{Width: 2},
			PointStyle: &sheets.PointStyle{Shape: "CIRCLE", Size: 5},
		})
	}
	return &sheets.Request{AddChart: &sheets.AddChartRequest{Chart: &sheets.EmbeddedChart{
		ChartId: chartID,
		Spec: &sheets.ChartSpec{
			Title:           c.Title,
			TitleTextFormat: &sheets.TextFormat{Bold: true, FontSize: 12, ForegroundColorStyle: chartText.style()},
			BasicChart: &sheets.BasicChartSpec{
				ChartType:      "LINE",
				LegendPosition: "BOTTOM_LEGEND",
				HeaderCount:    0,
				Axis: []*sheets.BasicChartAxis{
					{Position: "BOTTOM_AXIS", Format: text},
					{Position: "LEFT_AXIS", Format: text, ViewWindowOptions: &sheets.ChartAxisViewWindowOptions{
						ViewWindowMode: "EXPLICIT", ViewWindowMin: 0, ViewWindowMax: 1, ForceSendFields: []string{"ViewWindowMin"},
					}},
				},
				Domains: []*sheets.BasicChartDomain{{Domain: column(0)}},
				Series:  series,
			},
		},
		Position: &sheets.EmbeddedObjectPosition{OverlayPosition: &sheets.OverlayPosition{
			AnchorCell:  &sheets.GridCoordinate{SheetId: sheetID, RowIndex: int64(c.Last + 2), ColumnIndex: 0},
			WidthPixels: 900, HeightPixels: 380,
		}},
	}}}
}
