package gsheet

import (
	"github.com/dayreport/dayreport/pkg/day"
	"google.golang.org/api/sheets/v4"
)

// cells writes rows from A1 of a sheet, values and formats.
func cells(sheet int64, rows []*sheets.RowData) *sheets.Request {
	return &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
		Start:  &sheets.GridCoordinate{SheetId: sheet, RowIndex: 0, ColumnIndex: 0},
		Rows:   rows,
		Fields: "userEnteredValue,userEnteredFormat",
	}}
}

// text is user text: a stringValue, so "=IMPORTXML(…)" stays text.
func text(s string) *sheets.CellData {
	return &sheets.CellData{UserEnteredValue: &sheets.ExtendedValue{StringValue: &s}}
}

func bold(s string) *sheets.CellData {
	c := text(s)
	c.UserEnteredFormat = &sheets.CellFormat{TextFormat: &sheets.TextFormat{Bold: true}}
	return c
}

func headerRow(titles []string) *sheets.RowData {
	r := &sheets.RowData{}
	for _, t := range titles {
		c := bold(t)
		c.UserEnteredFormat.BackgroundColor = &sheets.Color{Red: 0.85, Green: 0.89, Blue: 0.95}
		r.Values = append(r.Values, c)
	}
	return r
}

func number(x float64, pattern string) *sheets.CellData {
	return &sheets.CellData{UserEnteredValue: &sheets.ExtendedValue{NumberValue: &x},
		UserEnteredFormat: &sheets.CellFormat{NumberFormat: &sheets.NumberFormat{Type: "NUMBER", Pattern: pattern}}}
}

func optNumber(x *float64) *sheets.CellData {
	if x == nil {
		return &sheets.CellData{}
	}
	return number(*x, "0")
}

func percent(x float64) *sheets.CellData {
	return &sheets.CellData{UserEnteredValue: &sheets.ExtendedValue{NumberValue: &x},
		UserEnteredFormat: &sheets.CellFormat{NumberFormat: &sheets.NumberFormat{Type: "PERCENT", Pattern: "0.0%"}}}
}

func optPercent(x *float64) *sheets.CellData {
	if x == nil {
		return &sheets.CellData{}
	}
	return percent(*x)
}

func date(serial float64) *sheets.CellData {
	return &sheets.CellData{UserEnteredValue: &sheets.ExtendedValue{NumberValue: &serial},
		UserEnteredFormat: &sheets.CellFormat{NumberFormat: &sheets.NumberFormat{Type: "DATE", Pattern: "dd.mm.yyyy"}}}
}

// serial is a spreadsheet serial date (days since 30.12.1899).
func serial(d day.Date) float64 { return float64(day.SerialEpoch.DaysUntil(d)) }

// highlight marks the weakest stage: bold on a red fill.
func highlight(c *sheets.CellData) {
	if c.UserEnteredFormat == nil {
		c.UserEnteredFormat = &sheets.CellFormat{}
	}
	c.UserEnteredFormat.TextFormat = &sheets.TextFormat{Bold: true}
	c.UserEnteredFormat.BackgroundColor = &sheets.Color{Red: 0.96, Green: 0.7, Blue: 0.7}
}
