package googlefake_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/googlefake"
)

func str(s string) *string   { return &s }
func num(f float64) *float64 { return &f }

func TestSheetsBatchUpdateRoundTrip(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	s.PutSheet("mgr", "Руководитель", []googlefake.Tab{{Title: "Сотрудники", Rows: [][]any{{"id", "name"}}}})
	svc := sheetsClient(t, s)
	ctx := context.Background()
	drv := driveClient(t, s)
	v0, err := drv.Files.Get("mgr").Fields("version").Context(ctx).Do()
	require.NoError(t, err)

	resp, err := svc.Spreadsheets.BatchUpdate("mgr", &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{Title: "Сводка", SheetId: 42}}},
		{UpdateCells: &sheets.UpdateCellsRequest{
			Start:  &sheets.GridCoordinate{SheetId: 42},
			Fields: "userEnteredValue",
			Rows: []*sheets.RowData{
				{Values: []*sheets.CellData{{UserEnteredValue: &sheets.ExtendedValue{StringValue: str("Дата")}}, {UserEnteredValue: &sheets.ExtendedValue{StringValue: str("=SUM(A1:A2)")}}}},
				{Values: []*sheets.CellData{{UserEnteredValue: &sheets.ExtendedValue{NumberValue: num(46352)}}, {}, {UserEnteredValue: &sheets.ExtendedValue{BoolValue: new(bool)}}}},
			},
		}},
		{RepeatCell: &sheets.RepeatCellRequest{
			Range:  &sheets.GridRange{SheetId: 42, StartRowIndex: 0, EndRowIndex: 1},
			Cell:   &sheets.CellData{UserEnteredFormat: &sheets.CellFormat{TextFormat: &sheets.TextFormat{Bold: true}}},
			Fields: "userEnteredFormat.textFormat.bold",
		}},
		{AddChart: &sheets.AddChartRequest{Chart: &sheets.EmbeddedChart{
			Spec:     &sheets.ChartSpec{Title: "Воронка", BasicChart: &sheets.BasicChartSpec{ChartType: "BAR"}},
			Position: &sheets.EmbeddedObjectPosition{OverlayPosition: &sheets.OverlayPosition{AnchorCell: &sheets.GridCoordinate{SheetId: 42, RowIndex: 5}}},
		}}},
		{AddConditionalFormatRule: &sheets.AddConditionalFormatRuleRequest{Rule: &sheets.ConditionalFormatRule{
			Ranges:      []*sheets.GridRange{{SheetId: 42, StartColumnIndex: 2, EndColumnIndex: 3}},
			BooleanRule: &sheets.BooleanRule{Condition: &sheets.BooleanCondition{Type: "NUMBER_LESS", Values: []*sheets.ConditionValue{{UserEnteredValue: "10"}}}},
		}}},
		{AutoResizeDimensions: &sheets.AutoResizeDimensionsRequest{Dimensions: &sheets.DimensionRange{SheetId: 42, Dimension: "COLUMNS"}}},
	}}).Context(ctx).Do()
	require.NoError(t, err)
	require.Len(t, resp.Replies, 6)
	require.Equal(t, "Сводка", resp.Replies[0].AddSheet.Properties.Title)
	require.Equal(t, int64(1), resp.Replies[0].AddSheet.Properties.Index)
	chartID := resp.Replies[3].AddChart.Chart.ChartId
	require.NotZero(t, chartID)

	require.Equal(t, [][]any{{"Дата", "=SUM(A1:A2)"}, {46352.0, "", false}}, s.Cells("mgr", "Сводка"))
	cd := s.CellData("mgr", "Сводка")
	require.True(t, cd[0][0].UserEnteredFormat.TextFormat.Bold)
	require.Nil(t, cd[1][0].UserEnteredFormat)
	require.Equal(t, "=SUM(A1:A2)", *cd[0][1].UserEnteredValue.StringValue, "a string that looks like a formula stays a string")
	require.Len(t, s.Charts("mgr"), 1)
	require.Equal(t, "Воронка", s.Charts("mgr")[0].Spec.Title)
	require.Len(t, s.Rules("mgr", "Сводка"), 1)
	require.Equal(t, []string{"Сотрудники", "Сводка"}, s.SheetTitles("mgr"))

	v1, err := drv.Files.Get("mgr").Fields("version").Context(ctx).Do()
	require.NoError(t, err)
	require.Greater(t, v1.Version, v0.Version, "a write bumps the Drive version")

	// Charts and rules come back from spreadsheets.get.
	sp, err := svc.Spreadsheets.Get("mgr").Context(ctx).Do()
	require.NoError(t, err)
	require.Len(t, sp.Sheets[1].Charts, 1)
	require.Len(t, sp.Sheets[1].ConditionalFormats, 1)

	// Delete them again.
	resp, err = svc.Spreadsheets.BatchUpdate("mgr", &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{DeleteEmbeddedObject: &sheets.DeleteEmbeddedObjectRequest{ObjectId: chartID}},
		{DeleteConditionalFormatRule: &sheets.DeleteConditionalFormatRuleRequest{SheetId: 42, Index: 0}},
	}}).Context(ctx).Do()
	require.NoError(t, err)
	require.Equal(t, "NUMBER_LESS", resp.Replies[1].DeleteConditionalFormatRule.Rule.BooleanRule.Condition.Type)
	require.Empty(t, s.Charts("mgr"))
	require.Empty(t, s.Rules("mgr", "Сводка"))
}

func TestSheetsBatchUpdateErrors(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	s.PutSheet("mgr", "m", []googlefake.Tab{{Title: "A", Rows: [][]any{{"keep"}}}})
	svc := sheetsClient(t, s)
	ctx := context.Background()

	// Atomic: the second request fails, so the first does not apply either.
	_, err := svc.Spreadsheets.BatchUpdate("mgr", &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{Title: "B"}}},
		{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{Title: "a"}}},
	}}).Context(ctx).Do()
	ge := apiError(t, err)
	require.Equal(t, http.StatusBadRequest, ge.Code)
	require.Contains(t, ge.Message, `Invalid requests[1].addSheet: A sheet with the name "a" already exists`)
	require.Equal(t, []string{"A"}, s.SheetTitles("mgr"))

	// A kind the fake does not serve is a 400, not a silent success.
	_, err = svc.Spreadsheets.BatchUpdate("mgr", &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{AddBanding: &sheets.AddBandingRequest{}},
	}}).Context(ctx).Do()
	require.Equal(t, http.StatusBadRequest, apiError(t, err).Code)

	// Past the grid.
	_, err = svc.Spreadsheets.BatchUpdate("mgr", &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{RepeatCell: &sheets.RepeatCellRequest{Range: &sheets.GridRange{EndRowIndex: 2000}, Cell: &sheets.CellData{}, Fields: "note"}},
	}}).Context(ctx).Do()
	require.Contains(t, apiError(t, err).Message, "exceeds grid limits")

	// Missing fields.
	_, err = svc.Spreadsheets.BatchUpdate("mgr", &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{UpdateCells: &sheets.UpdateCellsRequest{Start: &sheets.GridCoordinate{}, Rows: []*sheets.RowData{{}}}},
	}}).Context(ctx).Do()
	require.Equal(t, http.StatusBadRequest, apiError(t, err).Code)
	require.Equal(t, [][]any{{"keep"}}, s.Cells("mgr", "A"))
}

func TestSheetsValuesWrites(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	s.PutSheet("mgr", "m", []googlefake.Tab{{Title: "Q1/Q2", Rows: [][]any{{"old", "old", "old"}, {"old"}}}})
	svc := sheetsClient(t, s)
	ctx := context.Background()

	resp, err := svc.Spreadsheets.Values.BatchUpdate("mgr", &sheets.BatchUpdateValuesRequest{
		ValueInputOption: "RAW",
		Data: []*sheets.ValueRange{
			{Range: "'Q1/Q2'!A1", Values: [][]any{{"=1+1", 2, true}, {nil, "x"}}},
			{Range: "'Q1/Q2'!E1:E", MajorDimension: "COLUMNS", Values: [][]any{{"c1", "c2"}}},
		},
	}).Context(ctx).Do()
	require.NoError(t, err)
	require.Equal(t, int64(6), resp.TotalUpdatedCells, "a null leaves its cell alone")
	require.Equal(t, "'Q1/Q2'!A1:C2", resp.Responses[0].UpdatedRange)
	require.Equal(t, [][]any{{"=1+1", 2.0, true, "", "c1"}, {"old", "x", "", "", "c2"}}, s.Cells("mgr", "Q1/Q2"))

	// USER_ENTERED reads formulas and numbers.
	_, err = svc.Spreadsheets.Values.Update("mgr", "'Q1/Q2'!A3", &sheets.ValueRange{Values: [][]any{{"=A1", "12", "2026-11-26"}}}).
		ValueInputOption("USER_ENTERED").Context(ctx).Do()
	require.NoError(t, err)
	cd := s.CellData("mgr", "Q1/Q2")
	require.Equal(t, "=A1", *cd[2][0].UserEnteredValue.FormulaValue)
	require.InDelta(t, 12.0, *cd[2][1].UserEnteredValue.NumberValue, 0)
	require.Equal(t, "DATE", cd[2][2].UserEnteredFormat.NumberFormat.Type)

	// A bounded range must hold the data.
	_, err = svc.Spreadsheets.Values.Update("mgr", "'Q1/Q2'!A1:A1", &sheets.ValueRange{Values: [][]any{{1, 2}}}).
		ValueInputOption("RAW").Context(ctx).Do()
	require.Equal(t, http.StatusBadRequest, apiError(t, err).Code)
	_, err = svc.Spreadsheets.Values.Update("mgr", "A1", &sheets.ValueRange{Values: [][]any{{1}}}).Context(ctx).Do()
	require.Equal(t, http.StatusBadRequest, apiError(t, err).Code, "valueInputOption is required")

	clr, err := svc.Spreadsheets.Values.BatchClear("mgr", &sheets.BatchClearValuesRequest{Ranges: []string{"'Q1/Q2'!A1:B", "'Q1/Q2'"}}).Context(ctx).Do()
	require.NoError(t, err)
	require.Equal(t, []string{"'Q1/Q2'!A1:B1000", "'Q1/Q2'!A1:Z1000"}, clr.ClearedRanges)
	require.Empty(t, s.Cells("mgr", "Q1/Q2"))

	app, err := svc.Spreadsheets.Values.Append("mgr", "'Q1/Q2'!A1", &sheets.ValueRange{Values: [][]any{{"first"}}}).
		ValueInputOption("RAW").Context(ctx).Do()
	require.NoError(t, err)
	require.Equal(t, "'Q1/Q2'!A1", app.Updates.UpdatedRange)
	_, err = svc.Spreadsheets.Values.Append("mgr", "'Q1/Q2'!A1", &sheets.ValueRange{Values: [][]any{{"second"}}}).
		ValueInputOption("RAW").Context(ctx).Do()
	require.NoError(t, err)
	require.Equal(t, [][]any{{"first"}, {"second"}}, s.Cells("mgr", "Q1/Q2"))
}
