package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
)

var ref = day.MustParse("2026-11-26")

// parseText parses the only (or newest) day of a plain-text report.
func parseText(t testing.TB, text, lang string) *Report {
	t.Helper()
	secs, _ := document.FromText(text).Sections(ref)
	sec, ok := document.Newest(secs)
	require.True(t, ok, "no day section in %q", text)
	return Parse(MustBuiltin("sales-ru"), sec, Options{Lang: lang})
}

const fullDay = `26.11.2026
Новые звонки: 20
Повторные звонки: 5
Отправлено КП: 3
Выставлено счетов и договоров: 2
Подписано договоров: 1
Оплаты: 1
Звонки по обратной связи: 4
`

func codes(list []FieldError) []string {
	var out []string
	for _, e := range list {
		out = append(out, string(e.Code)+":"+e.Field+"@"+e.Location.String())
	}
	return out
}

func TestParseSections(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		text     string
		metrics  map[string]float64
		notes    string
		errors   []string
		warnings []string
	}{
		{
			name:    "complete",
			text:    fullDay + "Оценка работы компании: 4,5\n",
			metrics: map[string]float64{"new_calls": 20, "repeat_calls": 5, "proposals_sent": 3, "invoices_issued": 2, "contracts_signed": 1, "payments": 1, "feedback_calls": 4, "company_rating": 4.5},
		},
		{
			name:    "senior with primary calls only",
			text:    strings.Replace(fullDay, "Новые звонки: 20", "Первичный прозвон после продажи: 7", 1),
			metrics: map[string]float64{"primary_calls": 7, "repeat_calls": 5, "proposals_sent": 3, "invoices_issued": 2, "contracts_signed": 1, "payments": 1, "feedback_calls": 4},
		},
		{
			name:    "neither new nor primary calls",
			text:    strings.Replace(fullDay, "Новые звонки: 20\n", "", 1),
			metrics: map[string]float64{"repeat_calls": 5, "proposals_sent": 3, "invoices_issued": 2, "contracts_signed": 1, "payments": 1, "feedback_calls": 4},
			errors:  []string{"one_of:new_calls@line 1"},
		},
		{
			name:    "empty new calls and no primary calls: located at the empty line",
			text:    strings.Replace(fullDay, "Новые звонки: 20", "Новые звонки:", 1),
			metrics: map[string]float64{"repeat_calls": 5, "proposals_sent": 3, "invoices_issued": 2, "contracts_signed": 1, "payments": 1, "feedback_calls": 4},
			errors:  []string{"one_of:new_calls@line 2"},
		},
		{
			name:    "missing and empty required",
			text:    strings.Replace(strings.Replace(fullDay, "Оплаты: 1", "Оплаты:", 1), "Подписано договоров: 1\n", "", 1),
			metrics: map[string]float64{"new_calls": 20, "repeat_calls": 5, "proposals_sent": 3, "invoices_issued": 2, "feedback_calls": 4},
			errors:  []string{"missing:payments@line 6", "missing:contracts_signed@line 1"},
		},
		{
			name:    "same label twice, same value",
			text:    fullDay + "Оплаты: 1 шт\n",
			metrics: map[string]float64{"new_calls": 20, "repeat_calls": 5, "proposals_sent": 3, "invoices_issued": 2, "contracts_signed": 1, "payments": 1, "feedback_calls": 4},
		},
		{
			name:    "same metric twice via an alias, different value",
			text:    fullDay + "Количество оплат: 2\n",
			metrics: map[string]float64{"new_calls": 20, "repeat_calls": 5, "proposals_sent": 3, "invoices_issued": 2, "contracts_signed": 1, "feedback_calls": 4},
			errors:  []string{"duplicate:payments@line 9"},
		},
		{
			name:     "unknown labels and chatter",
			text:     "Добрый вечер: вот отчёт\n" + fullDay + "Встречи: 2\nВсем спасибо\nНвые звонки: 5\nИтоги дня:\n",
			metrics:  map[string]float64{"new_calls": 20, "repeat_calls": 5, "proposals_sent": 3, "invoices_issued": 2, "contracts_signed": 1, "payments": 1, "feedback_calls": 4},
			warnings: []string{"unknown_label:@line 10", "unknown_label:@line 12"},
		},
		{
			name:    "notes run to the next label and keep formula text as text",
			text:    "26.11.2026\nРешённые задачи:\n\n  Договорился с «Ромашкой» о поставке  \nВстречи: не считаются меткой внутри текста\n\n\n=HYPERLINK(\"http://evil\",\"x\")\n\nНовые звонки: 20\nПовторные звонки: 5\nОтправлено КП: 3\nВыставлено счетов и договоров: 2\nПодписано договоров: 1\nОплаты: 1\nЗвонки по обратной связи: 4",
			metrics: map[string]float64{"new_calls": 20, "repeat_calls": 5, "proposals_sent": 3, "invoices_issued": 2, "contracts_signed": 1, "payments": 1, "feedback_calls": 4},
			notes:   "Договорился с «Ромашкой» о поставке\nВстречи: не считаются меткой внутри текста\n\n=HYPERLINK(\"http://evil\",\"x\")",
		},
		{
			name:    "bad values",
			text:    "26.11.2026\nНовые звонки: два\nПовторные звонки: 2.5\nОтправлено КП: -3\nВыставлено счетов и договоров: 12-15\nПодписано договоров: 5000\nОплаты: 12 34\nЗвонки по обратной связи: ~4\nОценка работы компании: 6",
			metrics: map[string]float64{},
			errors: []string{
				"not_a_number:new_calls@line 2", "not_whole:repeat_calls@line 3", "negative:proposals_sent@line 4",
				"range:invoices_issued@line 5", "out_of_bounds:contracts_signed@line 6", "ambiguous:payments@line 7",
				"not_a_number:feedback_calls@line 8", "out_of_bounds:company_rating@line 9",
			},
		},
		{
			name:    "zero words and dashes; a rating dash is no rating",
			text:    "26.11.2026\nНовые звонки: нет\nПовторные звонки: -\nОтправлено КП: —\nВыставлено счетов и договоров: 0\nПодписано договоров: none\nОплаты: нет (банк не работал)\nЗвонки по обратной связи: –\nОценка работы компании: —",
			metrics: map[string]float64{"new_calls": 0, "repeat_calls": 0, "proposals_sent": 0, "invoices_issued": 0, "contracts_signed": 0, "payments": 0, "feedback_calls": 0},
		},
		{
			name:    "English labels",
			text:    "Report for 2026-11-26\nNew calls: 1,200\nRepeat calls: 5\nProposals sent: 3\nInvoices issued: 2\nContracts signed: 1\nPayments: 1\nFeedback calls: 4\nCompany rating: 4.8\nTasks solved: closed the Acme deal",
			metrics: map[string]float64{"repeat_calls": 5, "proposals_sent": 3, "invoices_issued": 2, "contracts_signed": 1, "payments": 1, "feedback_calls": 4, "company_rating": 4.8},
			notes:   "closed the Acme deal",
			errors:  []string{"not_whole:new_calls@line 2"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := parseText(t, c.text, "ru")
			require.Equal(t, c.metrics, r.Metrics)
			require.Equal(t, c.notes, r.Notes)
			require.ElementsMatch(t, c.errors, codes(r.Errors), "%v", r.Errors)
			require.ElementsMatch(t, c.warnings, codes(r.Warnings), "%v", r.Warnings)
			require.Equal(t, len(c.errors) == 0, r.Valid())
			for _, e := range append(r.Errors, r.Warnings...) {
				require.NotEmpty(t, e.Message)
				require.False(t, e.Location.IsZero(), "every problem is located: %v", e)
			}
		})
	}
}

func TestParseTableRows(t *testing.T) {
	t.Parallel()
	md := "## 26.11.2026\n\n| Показатель | Значение | Комментарий |\n|---|---|---|\n| Новые звонки | 20 | |\n| Повторные звонки | 5 |\n| КП (заинтересованные) | 3 | ООО Ромашка |\n| Счета и договоры | 2 |\n| Подписанные договоры | 1 |\n| Оплаты | |\n| Обратная связь | 4 |\n| Встречи | 2 |\n| Решённые задачи | Провёл демо |\n"
	secs, _ := document.FromMarkdown(md, ref).Sections(ref)
	r := Parse(MustBuiltin("sales-ru"), secs[0], Options{Lang: "en"})
	require.Equal(t, map[string]float64{"new_calls": 20, "repeat_calls": 5, "proposals_sent": 3, "invoices_issued": 2, "contracts_signed": 1, "feedback_calls": 4}, r.Metrics)
	require.Equal(t, []string{"missing:payments@line 10"}, codes(r.Errors))
	require.Equal(t, []string{"unknown_label:@line 12"}, codes(r.Warnings))
	require.Equal(t, "Провёл демо", r.Notes)
	require.Equal(t, `"Payments": no value`, r.Errors[0].Message)
}

func TestParseRepeatedDateWarns(t *testing.T) {
	t.Parallel()
	r := parseText(t, "26.11.2026\nНовые звонки: 20\nОплаты: 1\n26.11.2026\nОплаты: 2\n", "ru")
	require.Contains(t, codes(r.Warnings), "repeated_date:@line 4")
	require.Contains(t, codes(r.Errors), "duplicate:payments@line 5")
}

func TestRenderRoundTrip(t *testing.T) {
	t.Parallel()
	r := parseText(t, fullDay+"Оценка работы компании: 4,5 из 5\nКП: x\nРешённые задачи: первое\n\nвторое", "ru")
	require.True(t, r.Valid(), r.Errors)
	for _, lang := range []string{"ru", "en"} {
		again := parseText(t, Render(MustBuiltin("sales-ru"), r, lang), lang)
		require.Empty(t, again.Errors)
		require.Equal(t, r.Metrics, again.Metrics)
		require.Equal(t, r.Comments, again.Comments)
		require.Equal(t, r.Notes, again.Notes)
	}
	blank := parseText(t, Blank(MustBuiltin("sales-ru"), ref, "ru"), "ru")
	require.Len(t, blank.Errors, 7, "a blank form lists every required value and the calls")
}

func TestMessagesEnglish(t *testing.T) {
	t.Parallel()
	r := parseText(t, strings.Replace(fullDay, "Оплаты: 1", "Оплаты: 2,5", 1), "en")
	require.Equal(t, `"Payments": "2,5" is not a whole number`, r.Errors[0].Message)
	r = parseText(t, strings.Replace(fullDay, "Оплаты: 1", "Оплаты: 2,5", 1), "ru")
	require.Equal(t, "«Оплаты»: «2,5» — нужно целое число", r.Errors[0].Message)
}

// FuzzParseValue: no panic, and a count that reads re-reads the same from its printed form.
func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"12", "1 234", "1\u00a0234", "12 шт", "-", "нет", "2.5", "-3", "12-15", "4,5/5", "", "—x", "0 0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		x, comment, bad := parseCount(v)
		if bad == nil && !isInf(x) {
			y, comment2, bad2 := parseCount(strings.TrimSpace(FormatValue(x, "ru") + " " + comment))
			if bad2 != nil || y != x || comment2 != comment {
				t.Fatalf("%q read as %v %q, re-read as %v %q %v", v, x, comment, y, comment2, bad2)
			}
		}
		_, _, _, _ = parseRating(v)
		_ = NormalizeLabel(v)
		_, _, _ = labelSeparator(v)
	})
}

func isInf(x float64) bool { return x > 1e300 }

// FuzzParseSection: any text parses without panic, every problem is located,
// and a valid day re-parses from its rendered form to the same result.
func FuzzParseSection(f *testing.F) {
	f.Add(fullDay)
	files, _ := filepath.Glob("../../testdata/reports/*.txt")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(string(data))
		}
	}
	tmpl := MustBuiltin("sales-ru")
	f.Fuzz(func(t *testing.T, text string) {
		secs, _ := document.FromText(text).Sections(ref)
		for _, sec := range secs {
			r := Parse(tmpl, sec, Options{})
			for _, e := range append(r.Errors, r.Warnings...) {
				if e.Location.IsZero() || e.Message == "" {
					t.Fatalf("unlocated or unworded problem %+v", e)
				}
			}
			if !r.Valid() {
				continue
			}
			again, _ := document.FromText(Render(tmpl, r, "ru")).Sections(ref)
			if len(again) != 1 {
				t.Fatalf("rendered report has %d sections", len(again))
			}
			r2 := Parse(tmpl, again[0], Options{})
			if !r2.Valid() || !equalMetrics(r.Metrics, r2.Metrics) || r.Notes != r2.Notes || !equalStrings(r.Comments, r2.Comments) {
				t.Fatalf("round trip changed the report:\n%#v\n%#v\nrendered:\n%s", r, r2, Render(tmpl, r, "ru"))
			}
		}
	})
}

func equalMetrics(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func equalStrings(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
