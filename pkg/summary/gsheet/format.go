package gsheet

import (
	"math"
	"slices"

	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/summary"
)

// rgb is a colour as 0xRRGGBB.
type rgb uint32

func (c rgb) style() *sheets.ColorStyle {
	part := func(shift uint) float64 {
		return math.Round(float64(c>>shift&0xFF)/255*1000) / 1000 // three decimals keep the payload small
	}
	return &sheets.ColorStyle{RgbColor: &sheets.Color{Red: part(16), Green: part(8), Blue: part(0)}}
}

// numberFormats are the formats of the kinds that have one; text and
// number cells keep the default (automatic) format.
var numberFormats = map[summary.Kind]*sheets.NumberFormat{
	summary.Date:    {Type: "DATE", Pattern: "dd.mm.yyyy"},
	summary.Count:   {Type: "NUMBER", Pattern: "0"},
	summary.Rating:  {Type: "NUMBER", Pattern: "0.0"},
	summary.Percent: {Type: "PERCENT", Pattern: "0.0%"},
	summary.Change:  {Type: "PERCENT", Pattern: "+0.0%;-0.0%;0.0%"},
}

// toneFormat is how a tone looks; nil for plain rows.
func toneFormat(t summary.Tone) *sheets.CellFormat {
	switch t {
	case summary.Title:
		return &sheets.CellFormat{TextFormat: &sheets.TextFormat{Bold: true, FontSize: 13}}
	case summary.Header:
		return &sheets.CellFormat{
			BackgroundColorStyle: headerFill.style(),
			TextFormat:           &sheets.TextFormat{Bold: true},
			Borders:              &sheets.Borders{Bottom: &sheets.Border{Style: "SOLID", ColorStyle: headerLine.style()}},
		}
	case summary.Weak:
		return &sheets.CellFormat{BackgroundColorStyle: weakFill.style(), TextFormat: &sheets.TextFormat{Bold: true}}
	}
	return nil
}

// The field masks of the three format layers, so that none undoes another.
const (
	numberFormatFields = "userEnteredFormat.numberFormat"
	toneFields         = "userEnteredFormat(backgroundColorStyle,textFormat,borders)"
	wrapFields         = "userEnteredFormat(wrapStrategy,verticalAlignment)"
)

// wrapped is how long text wraps within its column: from the top of its
// cell, like the rest of its row.
var wrapped = &sheets.CellFormat{WrapStrategy: "WRAP", VerticalAlignment: "TOP"}

// wrapRequests wrap the header of a table between words, and the Prose
// cells (notes, flags, reasons) within their columns: one request per run
// of Prose cells in a column.
func wrapRequests(sheetID int64, t *tab) []*sheets.Request {
	var out []*sheets.Request
	if t.Table > 0 && len(t.Rows) > 0 {
		out = append(out, repeat(sheetID, rect{0, 1, 0, t.Table},
			&sheets.CellFormat{WrapStrategy: "WRAP", VerticalAlignment: "MIDDLE"}, wrapFields))
	}
	prose := func(r, c int) bool {
		cells := t.Rows[r].Cells
		return c < len(cells) && cells[c].Kind == summary.Prose
	}
	for c := range t.Columns() {
		for r := 0; r < len(t.Rows); {
			if !prose(r, c) {
				r++
				continue
			}
			end := r + 1
			for end < len(t.Rows) && prose(end, c) {
				end++
			}
			out = append(out, repeat(sheetID, rect{r, end, c, c + 1}, wrapped, wrapFields))
			r = end
		}
	}
	return out
}

// rect is a block of cells: rows [r0, r1), columns [c0, c1).
type rect struct{ r0, r1, c0, c1 int }

func (r rect) on(sheetID int64) *sheets.GridRange {
	return &sheets.GridRange{SheetId: sheetID,
		StartRowIndex: int64(r.r0), EndRowIndex: int64(r.r1),
		StartColumnIndex: int64(r.c0), EndColumnIndex: int64(r.c1)}
}

func repeat(sheetID int64, r rect, f *sheets.CellFormat, fields string) *sheets.Request {
	return &sheets.Request{RepeatCell: &sheets.RepeatCellRequest{
		Range: r.on(sheetID), Cell: &sheets.CellData{UserEnteredFormat: f}, Fields: fields,
	}}
}

// numberFormatRequests give every cell its number format with few requests,
// however many rows there are: each column gets the format most of its
// cells want over the rows that want one, then the cells that differ get
// theirs, consecutive equal cells of a column together. (A number format on
// a text cell shows nothing.)
func numberFormatRequests(sheetID int64, t *tab) []*sheets.Request {
	var out []*sheets.Request
	kindAt := func(r, c int) summary.Kind {
		if c < len(t.Rows[r].Cells) {
			if k := t.Rows[r].Cells[c].Kind; numberFormats[k] != nil {
				return k
			}
		}
		return summary.Text
	}
	for c := range t.Columns() {
		counts := map[summary.Kind]int{}
		r0, r1 := -1, -1
		for r := range t.Rows {
			if k := kindAt(r, c); k != summary.Text {
				counts[k]++
				if r0 < 0 {
					r0 = r
				}
				r1 = r + 1
			}
		}
		if r0 < 0 {
			continue
		}
		base := summary.Text
		for k := summary.Date; k <= summary.Change; k++ {
			if counts[k] > counts[base] {
				base = k
			}
		}
		out = append(out, repeat(sheetID, rect{r0, r1, c, c + 1},
			&sheets.CellFormat{NumberFormat: numberFormats[base]}, numberFormatFields))
		for r := r0; r < r1; {
			k := kindAt(r, c)
			if k == summary.Text || k == base {
				r++
				continue
			}
			end := r + 1
			for end < r1 && kindAt(end, c) == k {
				end++
			}
			out = append(out, repeat(sheetID, rect{r, end, c, c + 1},
				&sheets.CellFormat{NumberFormat: numberFormats[k]}, numberFormatFields))
			r = end
		}
	}
	return out
}

// toneRequests dress titles, headers and the weakest stages: one request
// per run of equal rows.
func toneRequests(sheetID int64, t *tab) []*sheets.Request {
	var out []*sheets.Request
	for r := 0; r < len(t.Rows); {
		tr := t.Rows[r]
		f := toneFormat(tr.Tone)
		if f == nil || len(tr.Cells) == 0 {
			r++
			continue
		}
		end := r + 1
		for end < len(t.Rows) && t.Rows[end].Tone == tr.Tone && len(t.Rows[end].Cells) == len(tr.Cells) {
			end++
		}
		out = append(out, repeat(sheetID, rect{r, end, 0, len(tr.Cells)}, f, toneFields))
		r = end
	}
	return out
}

// pixelsChar is the width of a character of the default 10 pt font.
const pixelsChar = 7

// widthRequests size the columns to their values (summary.Tab.Widths), as
// the local workbook does.
func widthRequests(sheetID int64, t *tab) []*sheets.Request {
	widths := t.Widths()
	var out []*sheets.Request
	for c := 0; c < len(widths); {
		w := summary.ColumnWidth(widths[c])
		end := c + 1
		for end < len(widths) && summary.ColumnWidth(widths[end]) == w {
			end++
		}
		out = append(out, &sheets.Request{UpdateDimensionProperties: &sheets.UpdateDimensionPropertiesRequest{
			Range:      &sheets.DimensionRange{SheetId: sheetID, Dimension: "COLUMNS", StartIndex: int64(c), EndIndex: int64(end)},
			Properties: &sheets.DimensionProperties{PixelSize: int64(w * pixelsChar)},
			Fields:     "pixelSize",
		}})
		c = end
	}
	return out
}

// statusRuleRequests add the conditional formats that colour a table's rows
// by status: a custom formula comparing the status column with the label.
// The label is the writer's own text (a status name), quoted as a formula
// string; user text never goes into a formula.
func statusRuleRequests(sheetID int64, t *tab) []*sheets.Request {
	sr := t.status
	if sr == nil {
		return nil
	}
	rows := max(len(t.Rows), 2)
	col := columnName(sr.col)
	var out []*sheets.Request
	for i, rule := range sr.rules {
		formula := "=$" + col + "2=" + formulaString(rule.label)
		out = append(out, &sheets.Request{AddConditionalFormatRule: &sheets.AddConditionalFormatRuleRequest{
			Index: int64(i),
			Rule: &sheets.ConditionalFormatRule{
				Ranges: []*sheets.GridRange{rect{1, rows, 0, sr.cols}.on(sheetID)},
				BooleanRule: &sheets.BooleanRule{
					Condition: &sheets.BooleanCondition{Type: "CUSTOM_FORMULA",
						Values: []*sheets.ConditionValue{{UserEnteredValue: formula}}},
					Format: &sheets.CellFormat{BackgroundColorStyle: rule.color.style()},
				},
			},
		}})
	}
	return out
}

// formulaString quotes s as a string literal of a formula.
func formulaString(s string) string {
	out := []rune{'"'}
	for _, r := range s {
		if r == '"' {
			out = append(out, '"')
		}
		out = append(out, r)
	}
	return string(append(out, '"'))
}

// columnName is the letter name of a 0-based column (0 → A, 26 → AA).
func columnName(c int) string {
	var b []byte
	for c++; c > 0; c = (c - 1) / 26 {
		b = append(b, byte('A'+(c-1)%26))
	}
	slices.Reverse(b)
	return string(b)
}

// Where the team chart sits: to the right of the tables, which use columns
// A–D, with a column of air between (F4, as in the local workbook).
const (
	chartRow    = 3
	chartColumn = 5
	chartWidth  = 600
	chartHeight = 340
)

// Colours of the chart, as in the local workbook: the stages, the weakest
// one, the conversion line and its labels, the sentence naming the weakest
// transition; other text is black so that it prints.
const (
	barColour  rgb = 0x5B9BD5
	weakColour rgb = 0xE06666
	lineColour rgb = 0xED7D31
	lineText   rgb = 0xC55A11
	weakText   rgb = 0xC00000
	chartText  rgb = 0x000000
)

// chartRequest draws the team funnel from the table cells, so that the
// chart follows the numbers on the sheet: each stage's count as a column
// (the weakest stage's red) and the conversion into each stage as a line
// with its percentage, on a second axis; the weakest transition is named
// in the subtitle. The columns keep to the lower half and the line to the
// upper half, so that their labels never meet.
func chartRequest(sheetID, chartID int64, t *tab) *sheets.Request {
	c := t.chart
	column := func(col int) *sheets.ChartData {
		return &sheets.ChartData{SourceRange: &sheets.ChartSourceRange{
			Sources: []*sheets.GridRange{rect{c.first, c.last + 1, col, col + 1}.on(sheetID)},
		}}
	}
	top := 0.0
	for _, r := range t.Rows[c.first : c.last+1] {
		if len(r.Cells) > 1 {
			if v, ok := r.Cells[1].Value.(float64); ok {
				top = max(top, v)
			}
		}
	}
	text := &sheets.TextFormat{FontSize: 9, ForegroundColorStyle: chartText.style()}
	counts := &sheets.BasicChartSeries{
		Series: column(1), TargetAxis: "LEFT_AXIS", Type: "COLUMN", ColorStyle: barColour.style(),
		DataLabel: &sheets.DataLabel{Type: "DATA", TextFormat: text},
	}
	if c.weak >= 0 {
		counts.StyleOverrides = []*sheets.BasicSeriesDataPointStyleOverride{{
			Index: int64(c.weak - c.first), ColorStyle: weakColour.style(),
		}}
	}
	conversion := &sheets.BasicChartSeries{
		Series: column(2), TargetAxis: "RIGHT_AXIS", Type: "LINE", ColorStyle: lineColour.style(),
		LineStyle:  &sheets.LineStyle{Width: 3},
		PointStyle: &sheets.PointStyle{Shape: "CIRCLE", Size: 7},
		DataLabel:  &sheets.DataLabel{Type: "DATA", Placement: "ABOVE", TextFormat: &sheets.TextFormat{FontSize: 9, Bold: true, ForegroundColorStyle: lineText.style()}},
	}
	spec := &sheets.ChartSpec{
		Title:           c.title,
		TitleTextFormat: &sheets.TextFormat{Bold: true, FontSize: 12, ForegroundColorStyle: chartText.style()},
		BasicChart: &sheets.BasicChartSpec{
			ChartType:      "COMBO",
			LegendPosition: "BOTTOM_LEGEND",
			Axis: []*sheets.BasicChartAxis{
				{Position: "BOTTOM_AXIS", Format: text},
				{Position: "LEFT_AXIS", Format: text, ViewWindowOptions: &sheets.ChartAxisViewWindowOptions{
					ViewWindowMode: "EXPLICIT", ViewWindowMin: 0, ViewWindowMax: max(2*top, 1), ForceSendFields: []string{"ViewWindowMin"},
				}},
				{Position: "RIGHT_AXIS", Format: text, ViewWindowOptions: &sheets.ChartAxisViewWindowOptions{
					ViewWindowMode: "EXPLICIT", ViewWindowMin: -1.2, ViewWindowMax: 1.1,
				}},
			},
			Domains: []*sheets.BasicChartDomain{{Domain: column(0)}},
			Series:  []*sheets.BasicChartSeries{counts, conversion},
		},
	}
	if c.weakest != "" {
		spec.Subtitle = c.weakest
		spec.SubtitleTextFormat = &sheets.TextFormat{Bold: true, FontSize: 10, ForegroundColorStyle: weakText.style()}
	}
	return &sheets.Request{AddChart: &sheets.AddChartRequest{Chart: &sheets.EmbeddedChart{
		ChartId: chartID,
		Spec:    spec,
		Position: &sheets.EmbeddedObjectPosition{OverlayPosition: &sheets.OverlayPosition{
			AnchorCell:  &sheets.GridCoordinate{SheetId: sheetID, RowIndex: chartRow, ColumnIndex: chartColumn},
			WidthPixels: chartWidth, HeightPixels: chartHeight,
		}},
	}}}
}

// filterRequest puts a filter over a table, as the local workbook's autofilter.
func filterRequest(sheetID int64, t *tab) *sheets.Request {
	return &sheets.Request{SetBasicFilter: &sheets.SetBasicFilterRequest{Filter: &sheets.BasicFilter{
		Range: rect{0, max(len(t.Rows), 1), 0, t.Table}.on(sheetID),
	}}}
}
