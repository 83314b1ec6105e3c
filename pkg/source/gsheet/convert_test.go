package gsheet_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source/gsheet"
)

var (
	ref  = day.MustParse("2026-11-26")
	tmpl = report.MustBuiltin("sales-ru")
)

// loadRange decodes a values fixture as the client would (numbers as float64).
func loadRange(t *testing.T, name string) *sheets.ValueRange {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	var vr sheets.ValueRange
	require.NoError(t, json.Unmarshal(data, &vr))
	return &vr
}

func sectionOf(t *testing.T, doc *document.Document, date string) document.Section {
	t.Helper()
	secs, _ := doc.Sections(ref)
	sec, ok := document.Find(secs, day.MustParse(date))
	require.True(t, ok, "no section for %s", date)
	return sec
}

func parseDay(t *testing.T, doc *document.Document, date string) *report.Report {
	t.Helper()
	return report.Parse(tmpl, sectionOf(t, doc, date), report.Options{Lang: "en"})
}

func dates(doc *document.Document) []string {
	secs, _ := doc.Sections(ref)
	var out []string
	for _, s := range secs {
		out = append(out, s.Date.String())
	}
	return out
}

func errorCodes(r *report.Report) []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, string(e.Code)+":"+e.Field+"@"+e.Location.String())
	}
	return out
}

func TestConvert(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file    string
		tab     string
		dates   []string
		day     string
		metrics map[string]float64
		notes   string
		errors  []string
		check   func(t *testing.T, doc *document.Document, warns []document.Warning)
	}{
		{
			file:  "row_layout.json",
			tab:   "Иванов",
			dates: []string{"2026-11-25", "2026-11-26", "2026-11-27"},
			day:   "2026-11-26",
			metrics: map[string]float64{
				"new_calls": 12, "repeat_calls": 5, "proposals_sent": 3, "invoices_issued": 2,
				"contracts_signed": 1, "payments": 1, "feedback_calls": 4, "company_rating": 4.5,
			},
			notes: "Закрыл сделку с ООО «Север»",
			check: func(t *testing.T, doc *document.Document, warns []document.Warning) {
				require.Empty(t, warns)
				require.Equal(t, "Иванов", doc.Title)
				sec := sectionOf(t, doc, "2026-11-26")
				require.Equal(t, document.Location{Tab: "Иванов", Cell: "A4"}, sec.Start, "the serial date cell starts the day")
				pay := sec.Blocks[5]
				require.Equal(t, "Оплаты", pay.Cells[0].Text)
				require.Equal(t, document.Location{Tab: "Иванов", Cell: "G2"}, pay.Cells[0].Loc)
				require.Equal(t, "1", pay.Cells[1].Text)
				require.Equal(t, document.Location{Tab: "Иванов", Cell: "G4"}, pay.Cells[1].Loc)
				require.Equal(t, "'Иванов'!G4", pay.Cells[1].Loc.String())
				// A ragged row: the cells after the last value are empty, not absent.
				r := parseDay(t, doc, "2026-11-27")
				require.Equal(t, []string{
					"missing:invoices_issued@'Иванов'!E5",
					"missing:contracts_signed@'Иванов'!F5",
					"missing:payments@'Иванов'!G5",
					"missing:feedback_calls@'Иванов'!H5",
				}, errorCodes(r))
				require.Equal(t, map[string]float64{"new_calls": 9, "repeat_calls": 2, "proposals_sent": 1}, r.Metrics)
			},
		},
		{
			file:  "transposed.json",
			tab:   "Петрова",
			dates: []string{"2026-11-25", "2026-11-26", "2026-11-27"},
			day:   "2026-11-26",
			metrics: map[string]float64{
				"new_calls": 12, "repeat_calls": 5, "proposals_sent": 3, "invoices_issued": 2,
				"contracts_signed": 1, "payments": 1, "feedback_calls": 4, "company_rating": 4.5,
			},
			check: func(t *testing.T, doc *document.Document, warns []document.Warning) {
				require.Empty(t, warns)
				sec := sectionOf(t, doc, "2026-11-26")
				require.Equal(t, "C1", sec.Start.Cell)
				rating := sec.Blocks[len(sec.Blocks)-1]
				require.Equal(t, "Оценка работы компании", rating.Cells[0].Text)
				require.Equal(t, "A11", rating.Cells[0].Loc.Cell)
				require.Equal(t, "C11", rating.Cells[1].Loc.Cell)
				r := parseDay(t, doc, "2026-11-25")
				require.Empty(t, r.Errors)
				require.InDelta(t, 5.0, r.Metrics["company_rating"], 0)
				// The third day, a date typed as text, has new calls only.
				r = parseDay(t, doc, "2026-11-27")
				require.Len(t, r.Errors, 6)
				require.Equal(t, "missing:repeat_calls@'Петрова'!D4", errorCodes(r)[0])
			},
		},
		{
			file:  "label_value.json",
			tab:   "Лист1",
			dates: []string{"2026-11-26"},
			day:   "2026-11-26",
			metrics: map[string]float64{
				"new_calls": 7, "repeat_calls": 3, "proposals_sent": 2, "invoices_issued": 1,
				"contracts_signed": 1, "payments": 1, "feedback_calls": 2,
			},
			errors: []string{"not_a_number:company_rating@'Лист1'!B9"},
		},
		{
			file: "empty.json",
			tab:  "Сидоров",
			check: func(t *testing.T, doc *document.Document, warns []document.Warning) {
				require.Empty(t, doc.Blocks, "an empty tab: the employee wrote nothing")
				require.Empty(t, warns)
				require.Equal(t, "Сидоров", doc.Title)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			vr := loadRange(t, tc.file)
			require.Equal(t, tc.tab, gsheet.SheetOfRange(vr.Range))
			doc, warns := gsheet.Convert(tc.tab, vr, ref)
			require.Equal(t, tc.dates, dates(doc))
			for _, b := range doc.Blocks {
				require.Equal(t, tc.tab, b.Loc.Tab, "every block is located on the tab")
			}
			if tc.day != "" {
				r := parseDay(t, doc, tc.day)
				require.Equal(t, tc.errors, errorCodes(r))
				require.Equal(t, tc.metrics, r.Metrics)
				require.Equal(t, tc.notes, r.Notes)
			}
			if tc.check != nil {
				tc.check(t, doc, warns)
			}
		})
	}
}

func TestConvertColumnsAndNil(t *testing.T) {
	t.Parallel()
	rows := loadRange(t, "row_layout.json")
	var cols [][]any
	for r, row := range rows.Values {
		for c, v := range row {
			for len(cols) <= c {
				cols = append(cols, nil)
			}
			for len(cols[c]) < r {
				cols[c] = append(cols[c], "")
			}
			cols[c] = append(cols[c], v)
		}
	}
	a, _ := gsheet.Convert("Иванов", rows, ref)
	b, _ := gsheet.Convert("Иванов", &sheets.ValueRange{MajorDimension: "COLUMNS", Values: cols}, ref)
	require.Equal(t, dates(a), dates(b))
	require.Equal(t, parseDay(t, a, "2026-11-26").Metrics, parseDay(t, b, "2026-11-26").Metrics)

	doc, warns := gsheet.Convert("x", nil, ref)
	require.Empty(t, doc.Blocks)
	require.Empty(t, warns)
}

func TestRanges(t *testing.T) {
	t.Parallel()
	cases := []struct{ tab, a1 string }{
		{"", "A1:ZZ"},
		{"Иванов", "'Иванов'!A1:ZZ"},
		{"Q1/Q2", "'Q1/Q2'!A1:ZZ"},
		{"It's", "'It''s'!A1:ZZ"},
		{"Sheet 1!", "'Sheet 1!'!A1:ZZ"},
	}
	for _, tc := range cases {
		require.Equal(t, tc.a1, gsheet.A1Range(tc.tab))
		if tc.tab != "" {
			require.Equal(t, tc.tab, gsheet.SheetOfRange(tc.a1+"1000"), "round trip of %q", tc.tab)
		}
	}
	require.Equal(t, "Лист1", gsheet.SheetOfRange("Лист1!A1:B2"))
	require.Empty(t, gsheet.SheetOfRange("A1:B2"))
}
