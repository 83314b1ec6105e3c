package gdoc_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

var (
	ref  = day.MustParse("2026-11-26")
	tmpl = report.MustBuiltin("sales-ru")
)

// loadDoc decodes a Docs API fixture as the client would.
func loadDoc(t *testing.T, name string) *docs.Document {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	var d docs.Document
	require.NoError(t, json.Unmarshal(data, &d))
	return &d
}

// dump renders blocks, sections and parsed days for a golden file.
func dump(doc *document.Document, warns []document.Warning) string {
	var b strings.Builder
	fmt.Fprintf(&b, "title %q\n", doc.Title)
	for _, blk := range doc.Blocks {
		switch blk.Kind {
		case document.Paragraph:
			fmt.Fprintf(&b, "P  [%s]", blk.Loc)
			if blk.Heading > 0 {
				fmt.Fprintf(&b, " h%d", blk.Heading)
			}
			if !blk.Date.IsZero() {
				fmt.Fprintf(&b, " date=%s", blk.Date)
			}
			fmt.Fprintf(&b, " %q\n", blk.Text)
		case document.Row:
			fmt.Fprintf(&b, "R  [%s]", blk.Loc)
			if blk.Header {
				b.WriteString(" header")
			}
			if !blk.Date.IsZero() {
				fmt.Fprintf(&b, " date=%s", blk.Date)
			}
			for _, c := range blk.Cells {
				fmt.Fprintf(&b, " %q@[%s]", c.Text, c.Loc)
			}
			b.WriteString("\n")
		}
	}
	for _, w := range warns {
		fmt.Fprintf(&b, "warning %s [%s] %q\n", w.Code, w.Loc, w.Value)
	}
	secs, secWarns := doc.Sections(ref)
	for _, w := range secWarns {
		fmt.Fprintf(&b, "section warning %s [%s] %q\n", w.Code, w.Loc, w.Value)
	}
	for _, s := range secs {
		r := report.Parse(tmpl, s, report.Options{Lang: "en"})
		fmt.Fprintf(&b, "day %s from [%s]: %s %s", s.Date, s.Start, r.Status(), metricsText(r.Metrics))
		if r.Notes != "" {
			fmt.Fprintf(&b, " notes=%q", r.Notes)
		}
		b.WriteString("\n")
		for _, e := range r.Errors {
			fmt.Fprintf(&b, "  error %s\n", e.Error())
		}
		for _, e := range r.Warnings {
			fmt.Fprintf(&b, "  warning %s\n", e.Error())
		}
	}
	return b.String()
}

func metricsText(m map[string]float64) string {
	// Template order reads best.
	var parts []string
	for _, mt := range tmpl.Metrics {
		if v, ok := m[mt.Key]; ok {
			parts = append(parts, fmt.Sprintf("%s=%v", mt.Key, v))
		}
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", strings.TrimSuffix(name, ".json")+".golden.txt")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./pkg/source/gdoc -update to create it")
	require.Equal(t, string(want), got)
}

// parsed reads the day out of a converted document.
func parsed(t *testing.T, doc *document.Document, date string) *report.Report {
	t.Helper()
	secs, _ := doc.Sections(ref)
	sec, ok := document.Find(secs, day.MustParse(date))
	require.True(t, ok, "no section for %s", date)
	return report.Parse(tmpl, sec, report.Options{Lang: "ru"})
}

func sectionDates(doc *document.Document) []string {
	secs, _ := doc.Sections(ref)
	var out []string
	for _, s := range secs {
		out = append(out, s.Date.String())
	}
	return out
}

func findBlock(t *testing.T, doc *document.Document, text string) document.Block {
	t.Helper()
	for _, b := range doc.Blocks {
		if b.Text == text {
			return b
		}
	}
	require.Failf(t, "no block", "%q", text)
	return document.Block{}
}

func TestConvert(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file     string
		sections []string
		day      string
		status   report.Status
		metrics  map[string]float64
		notes    string
		check    func(t *testing.T, doc *document.Document, warns []document.Warning)
	}{
		{
			file:     "ru_paragraphs.json",
			sections: []string{"2026-11-25", "2026-11-26"},
			day:      "2026-11-26",
			status:   report.Submitted,
			metrics: map[string]float64{
				"new_calls": 12, "repeat_calls": 5, "proposals_sent": 3, "invoices_issued": 2,
				"contracts_signed": 1, "payments": 1, "feedback_calls": 4, "company_rating": 4.5,
			},
			notes: "согласовал договор\nподготовил КП для «Вектора»",
			check: func(t *testing.T, doc *document.Document, warns []document.Warning) {
				require.Empty(t, warns)
				require.Equal(t, "Отчёты Иванова", doc.Title)
				title := doc.Blocks[0]
				require.Equal(t, document.Block{Kind: document.Paragraph, Text: "Ежедневные отчёты — Иванов Иван", Heading: 1, Loc: document.Location{Line: 1}}, title,
					"one tab: no tab name in locations; the table of contents is skipped")
				h := findBlock(t, doc, "Отчёт за 26 ноября 2026")
				require.Equal(t, 2, h.Heading)
				require.Equal(t, document.Location{Line: 12}, h.Loc)
				require.Equal(t, "Новые звонки — 12", findBlock(t, doc, "Новые звонки — 12").Text, "text runs are concatenated")
				// A soft line break splits a paragraph into lines at one location.
				notes := findBlock(t, doc, "Решённые задачи: согласовал договор")
				next := findBlock(t, doc, "подготовил КП для «Вектора»")
				require.Equal(t, notes.Loc, next.Loc)
				r := parsed(t, doc, "2026-11-26")
				require.Equal(t, map[string]string{"proposals_sent": "(ООО Ромашка)"}, r.Comments)
				r = parsed(t, doc, "2026-11-25")
				require.Equal(t, report.Submitted, r.Status())
				require.InDelta(t, 10.0, r.Metrics["new_calls"], 0)
			},
		},
		{
			file:     "table_report.json",
			sections: []string{"2026-11-26"},
			day:      "2026-11-26",
			status:   report.Submitted,
			metrics: map[string]float64{
				"new_calls": 7, "repeat_calls": 3, "proposals_sent": 2, "invoices_issued": 1,
				"contracts_signed": 1, "payments": 1, "feedback_calls": 2,
			},
			notes: "закрыл сделку с ООО «Север»\nпровёл демо",
			check: func(t *testing.T, doc *document.Document, warns []document.Warning) {
				require.Empty(t, warns)
				header := doc.Blocks[1]
				require.Equal(t, document.Row, header.Kind)
				require.True(t, header.Header, "a pinned header row is the table's header")
				require.Equal(t, document.Location{Table: 1, Row: 1}, header.Loc)
				row := doc.Blocks[2]
				require.False(t, row.Header)
				require.Equal(t, "Новые звонки | 7", row.Text)
				require.Equal(t, document.Location{Table: 1, Row: 2}, row.Loc)
				require.Equal(t, document.Location{Table: 1, Row: 2}, row.Cells[1].Loc)
				mentor := findBlock(t, doc, "Наставник | Работаю с Анна Петрова")
				require.Equal(t, document.Location{Table: 1, Row: 9}, mentor.Loc)
				r := parsed(t, doc, "2026-11-26")
				require.Len(t, r.Warnings, 1)
				require.Equal(t, report.CodeUnknownLabel, r.Warnings[0].Code)
				require.Equal(t, "таблица 1, строка 9", r.Warnings[0].Location.Format("ru"))
			},
		},
		{
			file:     "date_chips.json",
			sections: []string{"2026-11-25", "2026-11-26", "2026-11-27"},
			day:      "2026-11-26",
			status:   report.Submitted,
			metrics: map[string]float64{
				"new_calls": 11, "repeat_calls": 4, "proposals_sent": 2, "invoices_issued": 1,
				"contracts_signed": 1, "payments": 1, "feedback_calls": 2,
			},
			check: func(t *testing.T, doc *document.Document, warns []document.Warning) {
				require.Empty(t, warns)
				// Display text only, no timestamp.
				d25 := findBlock(t, doc, "Nov 25, 2026")
				require.Equal(t, day.MustParse("2026-11-25"), d25.Date)
				require.Equal(t, 3, d25.Heading)
				// Midnight in Moscow is the evening before in UTC: the chip's zone decides.
				d26 := findBlock(t, doc, "26 нояб. 2026 г.")
				require.Equal(t, day.MustParse("2026-11-26"), d26.Date)
				require.Equal(t, document.Location{Line: 10}, d26.Loc)
				// No display text: the date is written DD.MM.YYYY.
				d27 := findBlock(t, doc, "Отчёт за 27.11.2026")
				require.Equal(t, day.MustParse("2026-11-27"), d27.Date)
				// A chip inside a sentence does not start a day.
				mid := findBlock(t, doc, "Созвон с клиентом перенесён на 28.11.2026 по его просьбе")
				require.True(t, mid.Date.IsZero())
				r := parsed(t, doc, "2026-11-27")
				require.Equal(t, report.Invalid, r.Status(), "only new calls on the 27th")
			},
		},
		{
			file:     "chips.json",
			sections: []string{"2026-11-26"},
			day:      "2026-11-26",
			status:   report.Submitted,
			metrics: map[string]float64{
				"new_calls": 8, "repeat_calls": 2, "proposals_sent": 1, "invoices_issued": 1,
				"contracts_signed": 0, "payments": 0, "feedback_calls": 1, "company_rating": 5,
			},
			notes: "договор с Пётр Сидоров подписан, см. Договор №17\nкопия для boss@example.ru",
			check: func(t *testing.T, doc *document.Document, _ []document.Warning) {
				require.Equal(t, "Стр. ", doc.Blocks[0].Text, "page numbers are not text")
			},
		},
		{
			file:     "suggestions.json",
			sections: []string{"2026-11-26"},
			day:      "2026-11-26",
			status:   report.Submitted,
			metrics: map[string]float64{
				"new_calls": 12, "repeat_calls": 4, "proposals_sent": 2, "invoices_issued": 1,
				"contracts_signed": 1, "payments": 1, "feedback_calls": 2,
			},
			check: func(t *testing.T, doc *document.Document, _ []document.Warning) {
				for _, b := range doc.Blocks {
					require.NotContains(t, b.Text, "15", "a suggested insertion is not read")
					require.NotContains(t, b.Text, "Оплаты: 9")
					require.NotContains(t, b.Text, "Оценка")
				}
				// The suggested paragraph takes no line number.
				require.Equal(t, document.Location{Line: 3}, findBlock(t, doc, "Оплаты: 1").Loc)
				require.Equal(t, document.Location{Table: 1, Row: 1}, findBlock(t, doc, "Повторные звонки | 4").Loc)
			},
		},
		{
			file:     "nested_tabs.json",
			sections: []string{"2026-11-25", "2026-11-26", "2026-12-01"},
			day:      "2026-11-26",
			status:   report.Submitted,
			metrics: map[string]float64{
				"new_calls": 6, "repeat_calls": 1, "proposals_sent": 1, "invoices_issued": 1,
				"contracts_signed": 1, "payments": 1, "feedback_calls": 1,
			},
			check: func(t *testing.T, doc *document.Document, _ []document.Warning) {
				var tabs []string
				for _, b := range doc.Blocks {
					if len(tabs) == 0 || tabs[len(tabs)-1] != b.Loc.Tab {
						tabs = append(tabs, b.Loc.Tab)
					}
				}
				require.Equal(t, []string{"Ноябрь", "Неделя 48", "Декабрь"}, tabs, "depth-first, in order")
				secs, _ := doc.Sections(ref)
				require.Equal(t, document.Location{Tab: "Неделя 48", Line: 1}, secs[1].Start)
				r := parsed(t, doc, "2026-11-26")
				require.Empty(t, r.Errors)
			},
		},
		{
			file:     "text_box.json",
			sections: []string{"2026-11-26"},
			day:      "2026-11-26",
			status:   report.Submitted,
			metrics: map[string]float64{
				"new_calls": 4, "repeat_calls": 1, "proposals_sent": 1, "invoices_issued": 0,
				"contracts_signed": 0, "payments": 0, "feedback_calls": 2,
			},
			check: func(t *testing.T, doc *document.Document, _ []document.Warning) {
				b := findBlock(t, doc, "Оплаты: 0")
				require.Equal(t, document.Paragraph, b.Kind, "a one-column table is read line by line")
				require.Equal(t, document.Location{Table: 1, Row: 1}, b.Loc)
			},
		},
		{
			file: "empty.json",
			check: func(t *testing.T, doc *document.Document, warns []document.Warning) {
				require.Empty(t, warns)
				require.Len(t, doc.Blocks, 1)
				require.Empty(t, doc.Blocks[0].Text)
			},
		},
		{
			file:     "day_per_row_body.json",
			sections: []string{"2026-11-25", "2026-11-26"},
			day:      "2026-11-26",
			status:   report.Submitted,
			metrics: map[string]float64{
				"new_calls": 12, "repeat_calls": 3, "proposals_sent": 2, "invoices_issued": 1,
				"contracts_signed": 0, "payments": 1, "feedback_calls": 4,
			},
			check: func(t *testing.T, doc *document.Document, warns []document.Warning) {
				require.Equal(t, []document.Warning{{Code: document.WarnBadDate, Loc: document.Location{Table: 1, Row: 4}, Value: "31.11.2026"}}, warns)
				secs, _ := doc.Sections(ref)
				require.Equal(t, document.Location{Table: 1, Row: 3}, secs[1].Start, "the date chip cell starts the day")
				pay := secs[1].Blocks[5]
				require.Equal(t, "Оплаты", pay.Cells[0].Text)
				require.Equal(t, document.Location{Table: 1, Row: 1}, pay.Cells[0].Loc)
				require.Equal(t, document.Location{Table: 1, Row: 3}, pay.Cells[1].Loc)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			doc, warns := gdoc.Convert(loadDoc(t, tc.file), ref)
			golden(t, tc.file, dump(doc, warns))
			require.Equal(t, tc.sections, sectionDates(doc))
			if tc.day != "" {
				r := parsed(t, doc, tc.day)
				require.Equal(t, tc.status, r.Status(), "errors: %v", r.Errors)
				require.Equal(t, tc.metrics, r.Metrics)
				require.Equal(t, tc.notes, r.Notes)
			}
			if tc.check != nil {
				tc.check(t, doc, warns)
			}
		})
	}
}

func TestConvertNothing(t *testing.T) {
	t.Parallel()
	doc, warns := gdoc.Convert(nil, ref)
	require.Empty(t, doc.Blocks)
	require.Empty(t, warns)
	doc, warns = gdoc.Convert(&docs.Document{Title: "x"}, ref)
	require.Empty(t, doc.Blocks)
	require.Empty(t, warns)
	require.Equal(t, "x", doc.Title)
}

// TestConvertTabsOverBody: with tabs present the legacy Body is not read twice.
func TestConvertTabsOverBody(t *testing.T) {
	t.Parallel()
	d := loadDoc(t, "nested_tabs.json")
	d.Body = &docs.Body{Content: []*docs.StructuralElement{{Paragraph: &docs.Paragraph{
		Elements: []*docs.ParagraphElement{{TextRun: &docs.TextRun{Content: "26.11.2026\n"}}},
	}}}}
	doc, _ := gdoc.Convert(d, ref)
	_, warns := doc.Sections(ref)
	require.Empty(t, warns)
}

// TestDateChipZones: the chip's own zone decides the day, and a display text
// one day off the UTC timestamp wins when no zone is recorded.
func TestDateChipZones(t *testing.T) {
	t.Parallel()
	chip := func(p *docs.DateElementProperties) *docs.Document {
		return &docs.Document{Body: &docs.Body{Content: []*docs.StructuralElement{{Paragraph: &docs.Paragraph{
			Elements: []*docs.ParagraphElement{{DateElement: &docs.DateElement{DateElementProperties: p}}, {TextRun: &docs.TextRun{Content: "\n"}}},
		}}}}}
	}
	cases := []struct {
		props *docs.DateElementProperties
		text  string
		want  string
	}{
		{&docs.DateElementProperties{Timestamp: "2026-11-25T21:00:00Z", TimeZoneId: "Europe/Moscow"}, "26.11.2026", "2026-11-26"},
		{&docs.DateElementProperties{Timestamp: "2026-11-26T15:00:00Z", TimeZoneId: "Asia/Vladivostok"}, "27.11.2026", "2026-11-27"},
		{&docs.DateElementProperties{Timestamp: "2026-11-25T21:00:00Z", DisplayText: "26.11.2026"}, "26.11.2026", "2026-11-26"},
		{&docs.DateElementProperties{Timestamp: "2026-11-26T00:00:00Z", DisplayText: "26 ноября"}, "26 ноября", "2026-11-26"},
		{&docs.DateElementProperties{Timestamp: "1795651200"}, "26.11.2026", "2026-11-26"},
		{&docs.DateElementProperties{DisplayText: "2026-11-26"}, "2026-11-26", "2026-11-26"},
		{&docs.DateElementProperties{DisplayText: "когда-нибудь"}, "когда-нибудь", ""},
		{&docs.DateElementProperties{}, "", ""},
	}
	for _, tc := range cases {
		doc, _ := gdoc.Convert(chip(tc.props), ref)
		require.Len(t, doc.Blocks, 1)
		require.Equal(t, tc.text, doc.Blocks[0].Text)
		if tc.want == "" {
			require.True(t, doc.Blocks[0].Date.IsZero())
			continue
		}
		require.Equal(t, tc.want, doc.Blocks[0].Date.String())
	}
}

// FuzzConvert: whatever JSON the API (or a broken proxy) sends, Convert and
// the sections after it do not panic.
func FuzzConvert(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"tabs":[null,{"childTabs":[{"documentTab":{"body":{"content":[null,{"table":{"tableRows":[null,{"tableCells":[null]}]}}]}}}]}]}`))
	f.Fuzz(func(_ *testing.T, data []byte) {
		var d docs.Document
		if json.Unmarshal(data, &d) != nil {
			return
		}
		doc, _ := gdoc.Convert(&d, ref)
		_, _ = doc.Sections(ref)
	})
}

// TestChipGapWarns: the Docs API gives no element for dropdown and file
// chips, only a gap in the indexes. A line whose text ends at such a gap
// (a label with its value picked from a dropdown) is warned about, located;
// a gap with text after it on the line, or a line that is nothing but the
// chip, is not.
func TestChipGapWarns(t *testing.T) {
	t.Parallel()
	run := func(start, end int64, text string) *docs.ParagraphElement {
		return &docs.ParagraphElement{StartIndex: start, EndIndex: end, TextRun: &docs.TextRun{Content: text}}
	}
	para := func(els ...*docs.ParagraphElement) *docs.StructuralElement {
		return &docs.StructuralElement{Paragraph: &docs.Paragraph{Elements: els}}
	}
	d := &docs.Document{Body: &docs.Body{Content: []*docs.StructuralElement{
		para(run(1, 12, "26.11.2026\n")),
		para(run(12, 20, "Статус: "), run(21, 22, "\n")),              // line 2: a dropdown at 20
		para(run(22, 32, "Встреча: "), run(33, 45, " перенесена\n")),  // line 3: text after the chip
		para(run(45, 46, "\n")),                                       // line 4: empty
		para(run(46, 47, "\n")),                                       // line 5
		para(run(47, 55, "Файл: "), run(56, 57, "\vЗвонки: 5\n")),     // line 6: a file chip, then a soft break
		para(run(57, 60, "КП "), run(60, 61, "3"), run(62, 63, "\n")), // line 7: chip after a value
		{StartIndex: 63, Paragraph: &docs.Paragraph{Elements: []*docs.ParagraphElement{{StartIndex: 64, EndIndex: 65, TextRun: &docs.TextRun{Content: "\n"}}}}}, // line 8: a chip alone
	}}}
	doc, warns := gdoc.Convert(d, ref)
	require.NotEmpty(t, doc.Blocks)
	require.Equal(t, []document.Warning{
		{Code: document.WarnChipNotRead, Loc: document.Location{Line: 2}, Value: "Статус:"},
		{Code: document.WarnChipNotRead, Loc: document.Location{Line: 6}, Value: "Файл:"},
		{Code: document.WarnChipNotRead, Loc: document.Location{Line: 7}, Value: "КП 3"},
	}, warns)
	require.Equal(t, "Звонки: 5", findBlock(t, doc, "Звонки: 5").Text, "the line after the soft break is read")

	// In a table, the cell's row is the location.
	cell := func(els ...*docs.ParagraphElement) *docs.TableCell {
		return &docs.TableCell{Content: []*docs.StructuralElement{para(els...)}}
	}
	tbl := &docs.Document{Body: &docs.Body{Content: []*docs.StructuralElement{{Table: &docs.Table{TableRows: []*docs.TableRow{
		{TableCells: []*docs.TableCell{cell(run(1, 10, "Показатель\n")), cell(run(10, 18, "Значение\n"))}},
		{TableCells: []*docs.TableCell{cell(run(20, 27, "Статус\n")), cell(run(27, 32, "Итог "), run(33, 34, "\n"))}},
	}}}}}}
	_, warns = gdoc.Convert(tbl, ref)
	require.Equal(t, []document.Warning{{Code: document.WarnChipNotRead, Loc: document.Location{Table: 1, Row: 2}, Value: "Итог"}}, warns)
}
