package googlefake_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/googlefake"
)

func putReportSheet(s *googlefake.Server) {
	s.PutSheet("book1", "Отчёты", []googlefake.Tab{
		{Title: "Q1/Q2", SheetID: 0, Rows: [][]any{
			{"Дата", "Звонки", "Встречи", "Комментарий"},
			{time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), 40.0, 3, "ок"},
			{46353.0, 12.5, nil, ""},
			{},
			{"итого", 52.5},
		}},
		{Title: "Лист1", SheetID: 777, Rows: [][]any{{"a", true}, {nil, nil, "c"}}},
		{Title: "It's", SheetID: 778, Rows: [][]any{{1, 2, 3}, {4}}},
	})
}

func TestSheetsBatchGet(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	putReportSheet(s)
	svc := sheetsClient(t, s)
	ctx := context.Background()

	resp, err := svc.Spreadsheets.Values.BatchGet("book1").
		Ranges("'Q1/Q2'!A1:Z", "Лист1", "'It''s'!A:B", "'Q1/Q2'!F10:G12", "B1:C2").
		ValueRenderOption("UNFORMATTED_VALUE").DateTimeRenderOption("SERIAL_NUMBER").MajorDimension("ROWS").
		Context(ctx).Do()
	require.NoError(t, err)
	require.Equal(t, "book1", resp.SpreadsheetId)
	require.Len(t, resp.ValueRanges, 5)

	q := resp.ValueRanges[0]
	require.Equal(t, "'Q1/Q2'!A1:Z1000", q.Range)
	require.Equal(t, "ROWS", q.MajorDimension)
	require.Equal(t, [][]any{
		{"Дата", "Звонки", "Встречи", "Комментарий"},
		{46352.0, 40.0, 3.0, "ок"},
		{46353.0, 12.5},
		{},
		{"итого", 52.5},
	}, q.Values, "trailing empty cells dropped, numbers unformatted, dates serial")

	require.Equal(t, "'Лист1'!A1:Z1000", resp.ValueRanges[1].Range)
	require.Equal(t, [][]any{{"a", true}, {"", "", "c"}}, resp.ValueRanges[1].Values)

	require.Equal(t, "'It''s'!A1:B1000", resp.ValueRanges[2].Range)
	require.Equal(t, [][]any{{1.0, 2.0}, {4.0}}, resp.ValueRanges[2].Values)

	require.Equal(t, "'Q1/Q2'!F10:G12", resp.ValueRanges[3].Range)
	require.Nil(t, resp.ValueRanges[3].Values, "an empty range has no values")

	require.Equal(t, "'Q1/Q2'!B1:C2", resp.ValueRanges[4].Range, "no sheet name: the first sheet")

	// The range travelled percent-encoded and came out whole.
	reqs := s.Requests()
	require.Contains(t, reqs[len(reqs)-1].Query, "ranges=%27Q1%2FQ2%27%21A1%3AZ")
}

func TestSheetsRenderOptions(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	putReportSheet(s)
	svc := sheetsClient(t, s)
	ctx := context.Background()

	v, err := svc.Spreadsheets.Values.Get("book1", "'Q1/Q2'!A2:C3").Context(ctx).Do()
	require.NoError(t, err)
	require.Equal(t, [][]any{{"2026-11-26", "40", "3"}, {"46353", "12.5"}}, v.Values, "FORMATTED_VALUE by default")

	v, err = svc.Spreadsheets.Values.Get("book1", "'Q1/Q2'!A2:C3").ValueRenderOption("UNFORMATTED_VALUE").
		DateTimeRenderOption("FORMATTED_STRING").MajorDimension("COLUMNS").Context(ctx).Do()
	require.NoError(t, err)
	require.Equal(t, [][]any{{"2026-11-26", 46353.0}, {40.0, 12.5}, {3.0}}, v.Values)

	_, err = svc.Spreadsheets.Values.Get("book1", "Нет!A1").Context(ctx).Do()
	ge := apiError(t, err)
	require.Equal(t, http.StatusBadRequest, ge.Code)
	require.Equal(t, "Unable to parse range: Нет!A1", ge.Message)

	_, err = svc.Spreadsheets.Values.Get("nope", "A1").Context(ctx).Do()
	require.Equal(t, http.StatusNotFound, apiError(t, err).Code)
}

func TestSheetsGetFields(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	putReportSheet(s)
	sp, err := sheetsClient(t, s).Spreadsheets.Get("book1").Fields("sheets.properties(sheetId,title,index)").
		Context(context.Background()).Do()
	require.NoError(t, err)
	require.Nil(t, sp.Properties)
	require.Len(t, sp.Sheets, 3)
	require.Equal(t, &sheets.SheetProperties{Title: "Q1/Q2"}, sp.Sheets[0].Properties, "gid 0 and index 0 are not sent")
	require.Equal(t, &sheets.SheetProperties{Title: "Лист1", SheetId: 777, Index: 1}, sp.Sheets[1].Properties)

	sp, err = sheetsClient(t, s).Spreadsheets.Get("book1").Context(context.Background()).Do()
	require.NoError(t, err)
	require.Equal(t, "Отчёты", sp.Properties.Title)
	require.Equal(t, int64(1000), sp.Sheets[0].Properties.GridProperties.RowCount)
	require.Equal(t, "GRID", sp.Sheets[0].Properties.SheetType)
}

func TestSheetsIncludeGridData(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	putReportSheet(s)
	sp, err := sheetsClient(t, s).Spreadsheets.Get("book1").Ranges("'Q1/Q2'!A1:B2").IncludeGridData(true).
		Context(context.Background()).Do()
	require.NoError(t, err)
	require.Len(t, sp.Sheets, 1)
	rows := sp.Sheets[0].Data[0].RowData
	require.Len(t, rows, 2)
	date := rows[1].Values[0]
	require.Equal(t, "DATE", date.EffectiveFormat.NumberFormat.Type)
	require.Equal(t, "2026-11-26", date.FormattedValue)
	require.InDelta(t, 46352.0, *date.EffectiveValue.NumberValue, 0)
}
