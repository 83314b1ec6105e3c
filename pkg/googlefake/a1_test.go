package googlefake

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/sheets/v4"
)

func TestParseA1(t *testing.T) {
	t.Parallel()
	b := &spreadsheet{tabs: []*tab{
		{props: sheets.SheetProperties{Title: "Sheet1", GridProperties: &sheets.GridProperties{RowCount: 1000, ColumnCount: 26}}},
		{props: sheets.SheetProperties{Title: "It's", GridProperties: &sheets.GridProperties{RowCount: 50, ColumnCount: 5}}},
		{props: sheets.SheetProperties{Title: "A1", GridProperties: &sheets.GridProperties{RowCount: 10, ColumnCount: 3}}},
	}}
	for in, want := range map[string]string{
		"Sheet1!A1":       "Sheet1!A1",
		"sheet1!$B$2:$C3": "Sheet1!B2:C3",
		"Sheet1!A:B":      "Sheet1!A1:B1000",
		"Sheet1!2:3":      "Sheet1!A2:Z3",
		"Sheet1!A5:B":     "Sheet1!A5:B1000",
		"Sheet1!C3:A1":    "Sheet1!A1:C3",
		"Sheet1!A1:ZZ":    "Sheet1!A1:Z1000",
		"Sheet1":          "Sheet1!A1:Z1000",
		"Sheet1!":         "Sheet1!A1:Z1000",
		"'It''s'":         "'It''s'!A1:E50",
		"'It''s'!B:B":     "'It''s'!B1:B50",
		"B2:C3":           "Sheet1!B2:C3",
		"A1":              "'A1'!A1:C10", // a tab by that name wins over the cell
		"'A1'!A1":         "'A1'!A1",
	} {
		a, err := b.parseA1(in)
		require.NoError(t, err, in)
		a, err = a.clamp()
		require.NoError(t, err, in)
		require.Equal(t, want, a.String(), in)
	}
	for _, bad := range []string{"Nope!A1", "'Sheet1", "Sheet1!A0", "Sheet1!1A", "Sheet1!A1:B2:C3", ""} {
		_, err := b.parseA1(bad)
		require.Error(t, err, bad)
	}
	a, err := b.parseA1("Sheet1!A2000")
	require.NoError(t, err)
	_, err = a.clamp()
	require.ErrorContains(t, err, "exceeds grid limits")
}

func TestQuoteSheetAndColumns(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Sheet1": "Sheet1", "_x": "_x", "A1": "'A1'", "XFD1": "'XFD1'", "ABCD1": "ABCD1",
		"Лист1": "'Лист1'", "My Sheet": "'My Sheet'", "Q1/Q2": "'Q1/Q2'", "It's": "'It''s'", "1st": "'1st'",
	} {
		require.Equal(t, want, quoteSheet(in), in)
	}
	for c, want := range map[int64]string{0: "A", 25: "Z", 26: "AA", 701: "ZZ", 702: "AAA"} {
		require.Equal(t, want, colName(c))
		col, row, err := parseCellRef(want)
		require.NoError(t, err)
		require.Equal(t, c, col)
		require.Equal(t, int64(-1), row)
	}
}

func TestFieldMask(t *testing.T) {
	t.Parallel()
	doc := map[string]any{
		"nextPageToken": "t", "kind": "k",
		"files":  []any{map[string]any{"id": "1", "name": "n", "mimeType": "m"}},
		"sheets": []any{map[string]any{"properties": map[string]any{"title": "T", "sheetId": 5.0, "gridProperties": map[string]any{}}, "charts": []any{}}},
	}
	for fields, want := range map[string]any{
		"nextPageToken, files(id, name)":   map[string]any{"nextPageToken": "t", "files": []any{map[string]any{"id": "1", "name": "n"}}},
		"sheets.properties(sheetId,title)": map[string]any{"sheets": []any{map[string]any{"properties": map[string]any{"title": "T", "sheetId": 5.0}}}},
		"sheets/properties/title":          map[string]any{"sheets": []any{map[string]any{"properties": map[string]any{"title": "T"}}}},
		"files,files/id":                   map[string]any{"files": doc["files"]},
		"*":                                doc,
		"files(*)":                         map[string]any{"files": doc["files"]},
	} {
		m, err := parseFields(fields)
		require.NoError(t, err, fields)
		require.Equal(t, want, m.apply(doc), fields)
	}
	for _, bad := range []string{"a(b", "a,,b", "a)", "(a)"} {
		_, err := parseFields(bad)
		require.Error(t, err, bad)
	}
}

func TestDriveQuery(t *testing.T) {
	t.Parallel()
	f := &file{id: "x", name: "Отчёт Иванова", mime: MIMEDocument, parents: []string{"fold'er"}}
	for q, want := range map[string]bool{
		"":                      true,
		`'fold\'er' in parents`: true,
		"'other' in parents":    false,
		"trashed = false and mimeType = 'application/vnd.google-apps.document'": true,
		"trashed=true": false,
		"mimeType != 'application/vnd.google-apps.folder'": true,
		"name contains 'иванова'":                          true,
		"(name = 'Отчёт Иванова') AND trashed = false":     true,
		"modifiedTime > '2026-01-01T00:00:00'":             false, // zero time
		"modifiedTime < '2026-01-01T00:00:00Z'":            true,
	} {
		m, err := parseDriveQuery(q)
		require.NoError(t, err, q)
		require.Equal(t, want, m(f), q)
	}
	for _, bad := range []string{"owner is me", "'x' in owners", "trashed = 'no'", "name = 'x", "modifiedTime > 'yesterday'", "(trashed = false", "a or b"} {
		_, err := parseDriveQuery(bad)
		require.Error(t, err, bad)
	}
}
