package gsheet

import (
	"strings"

	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
)

// Convert reads the values of one tab. Cells are located in A1 notation on
// tab. A range with no values (the employee wrote nothing) is a document
// without blocks. Values in COLUMNS major dimension are turned back into rows.
func Convert(tab string, vr *sheets.ValueRange, ref day.Date) (*document.Document, []document.Warning) {
	if vr == nil || len(vr.Values) == 0 {
		return &document.Document{Title: tab}, nil
	}
	grid := vr.Values
	if strings.EqualFold(vr.MajorDimension, "COLUMNS") {
		grid = transpose(grid)
	}
	return document.FromGrid(grid, tab, ref)
}

func transpose(cols [][]any) [][]any {
	var rows [][]any
	for c, col := range cols {
		for r, v := range col {
			for len(rows) <= r {
				rows = append(rows, nil)
			}
			for len(rows[r]) < c {
				rows[r] = append(rows[r], nil)
			}
			rows[r] = append(rows[r], v)
		}
	}
	return rows
}

// SheetOfRange returns the sheet title of an A1 range as the API writes it
// ("'Q1/Q2'!A1:Z9" → "Q1/Q2", "Лист1!A1:B2" → "Лист1"), or "" when the range
// names no sheet.
func SheetOfRange(r string) string {
	if strings.HasPrefix(r, "'") {
		var b strings.Builder
		for i := 1; i < len(r); i++ {
			if r[i] != '\'' {
				b.WriteByte(r[i])
				continue
			}
			if i+1 < len(r) && r[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			return b.String()
		}
		return b.String()
	}
	if i := strings.LastIndexByte(r, '!'); i >= 0 {
		return r[:i]
	}
	return ""
}

// Columns is the width a tab is read to: far more metrics than any template.
const Columns = "ZZ"

// A1Range is the range that reads a whole tab: 'Title'!A1:ZZ, the title in
// single quotes and each quote in it doubled, or A1:ZZ (the first visible
// sheet) when tab is "".
func A1Range(tab string) string {
	if tab == "" {
		return "A1:" + Columns
	}
	return "'" + strings.ReplaceAll(tab, "'", "''") + "'!A1:" + Columns
}
