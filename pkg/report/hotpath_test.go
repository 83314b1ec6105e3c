package report

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/stretchr/testify/require"
)

// The parse's hot path takes shortcuts (issue 23): a line is folded only 32
// runes past its list markers unless a longer label's head matches, ASCII
// and Cyrillic fold without Unicode tables, counts are summed as read, a
// zero word is compared without lower-casing it, a typo is looked for only
// where a suggestion can come out, a section date is ruled out by its first
// rune. These cases pin down what each shortcut must give: what the parser
// gave before them.

func TestLabelMatchPastTheHead(t *testing.T) {
	t.Parallel()
	tmpl := MustBuiltin("sales-ru")
	long := "Какую задачу решил сегодня и что она даст в долгосрочной перспективе"
	note := strings.Repeat("договорился о пилоте, ", 15)
	for line, want := range map[string]struct{ key, rest string }{
		long + ": пилот": {"notes", ": пилот"},
		long:             {"notes", ""},
		"- **" + strings.ToUpper(strings.Replace(long, " ", "\u00a0", 3)) + "**: пилот": {"notes", "**: пилот"},
		// The head (32 runes) is the long label's, the rest is not: the
		// shorter label it starts with is the match.
		"Какую задачу решил сегодня и что она даст завтра: X": {"notes", " и что она даст завтра: X"},
		// More markers than the head holds: the line is folded whole.
		strings.Repeat("* ", 25) + "Оплаты: 1":            {"payments", ": 1"},
		strings.Repeat("1. ", 15) + "Оплаты: 1":           {"payments", ": 1"},
		strings.Repeat("\u200b", 50) + "Оплаты: 1":        {"payments", ": 1"},
		"Новые звонки: 12 " + note:                        {"new_calls", ": 12 " + note},
		"Новые звонки":                                    {"new_calls", ""},
		"НОВЫЕ ЗВОНКИ:12":                                 {"new_calls", ":12"},
		"Выставлено  счетов\tи договоров — 2":             {"invoices_issued", " — 2"},
		"Звонки по обратной связи\u00a0: 2":               {"feedback_calls", "\u00a0: 2"},
		"Решённые задачи и что это даст: X":               {"notes", ": X"},
		"Что это даст в долгосрочной перспективе:\u00a0Y": {"long_term", ":\u00a0Y"},
		// The long label's head matches, its end does not: the short one.
		"Что это даст в долгосрочной перспективеX: Y": {"long_term", " в долгосрочной перспективеX: Y"},
		"Выставлено счетов и договоровx: 2":           {"", ""},
		strings.Repeat("* ", 25): {"", ""},
	} {
		i, rest, ok := tmpl.labels.match(line)
		got := struct{ key, rest string }{}
		if ok {
			got.key, got.rest = tmpl.Metrics[i].Key, rest
		}
		require.Equal(t, want, got, "%q", line)
	}
}

func TestClosestLabel(t *testing.T) {
	t.Parallel()
	tmpl := MustBuiltin("sales-ru")
	for label, want := range map[string]string{
		"Оплатыы":         "payments",
		"оплатв":          "payments",
		"Новые звонкм":    "new_calls",
		"Поворные звонки": "repeat_calls",
		"Cmpany rating":   "company_rating",
		"Оплаты":          "", // a label itself: nothing closer to suggest
		"КП":              "", // too short for a typo to be told
		"Кпп":             "",
		"Встречи":         "",
		"Звонки клиентам после продажи": "",
	} {
		m, ok := tmpl.labels.closest(label, tmpl.Metrics)
		require.Equal(t, want != "", ok, label)
		require.Equal(t, want, m.Key, label)
	}
}

func TestCountShortcuts(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]struct {
		x       float64
		comment string
	}{
		"НЕТ":             {0, ""},
		"Nil":             {0, ""},
		"NONE, выходной":  {0, "выходной"},
		"0 000":           {0, ""},
		"007":             {7, ""},
		"0 001x5":         {1, "x5"},
		"00x1":            {0, "x1"}, // only a lone 0 starts 0x
		"123456789012345": {123456789012345, ""},
		"12\u00a0345 шт":  {12345, "шт"},
		"1 234 567":       {1234567, ""},
	} {
		x, comment, bad := parseCount(in)
		require.Nil(t, bad, in)
		require.InDelta(t, want.x, x, 0, in)
		require.Equal(t, want.comment, comment, in)
	}
	for _, in := range []string{"1234567890123456", "1 234 567 890 123 456"} {
		x, _, bad := parseCount(in)
		require.Nil(t, bad, in)
		require.True(t, math.IsInf(x, 1), in)
	}
	// ᲄ folds to т but does not lower-case to it: not the zero word «нет».
	for in, code := range map[string]Code{"неᲄ": CodeNotANumber, "0x1F": CodeNotANumber, "0b1": CodeNotANumber, "1e5": CodeNotANumber} {
		_, _, bad := parseCount(in)
		require.NotNil(t, bad, in)
		require.Equal(t, code, bad.code, in)
	}
}

func TestDuplicatesCompareAsBefore(t *testing.T) {
	t.Parallel()
	day := func(body string) *Report {
		return parseText(t, "26.11.2026\n"+body, "ru")
	}
	dups := func(r *Report) []string {
		var out []string
		for _, e := range r.Errors {
			if e.Code == CodeDuplicate {
				out = append(out, e.Field+"@"+e.Location.String())
			}
		}
		return out
	}
	// Numbers agree by value, bad values and empty ones by their text.
	require.Empty(t, dups(day("Оплаты: 1\nОплаты: 1 шт\n")))
	require.Empty(t, dups(day("Оплаты: два\nОплаты: ДВА\n")))
	require.Equal(t, []string{"payments@line 3"}, dups(day("Оплаты: два\nОплаты: три\n")))
	require.Equal(t, []string{"company_rating@line 3"}, dups(day("Оценка работы компании: -\nОценка работы компании: нет\n")))
	require.Empty(t, dups(day("Оценка работы компании: нет\nОценка работы компании: НЕТ\n")))
	// Text by its text, as written.
	require.Empty(t, dups(day("Решённые задачи: демо\n\nРешённые задачи:  демо \n")))
	require.Equal(t, []string{"notes@line 3"}, dups(day("Решённые задачи: демо\nРешённые задачи: Демо\n")))
}

func TestFreeTextRuns(t *testing.T) {
	t.Parallel()
	r := parseText(t, "26.11.2026\nНовые звонки: 3\n"+
		"Какую задачу решил сегодня и что она даст в долгосрочной перспективе: пилот\n"+
		"  на 3 месяца  \n\n\n\tотзыв для сайта\n\n"+
		"Что это даст в долгосрочной перспективе:\n\nменьше дебиторки\n\n"+
		"Оплаты: 1\n", "ru")
	require.Equal(t, "пилот\nна 3 месяца\n\nотзыв для сайта", r.Notes)
	require.Equal(t, "меньше дебиторки", r.LongTerm)
	r = parseText(t, "26.11.2026\nРешённые задачи:   одно дело  \n", "ru")
	require.Equal(t, "одно дело", r.Notes)
}

func TestSectionDateShortcuts(t *testing.T) {
	t.Parallel()
	ref := day.MustParse("2026-11-26")
	for line, want := range map[string]string{
		// ᲂ folds to о, but is a byte longer: the prefix's bytes are not
		// the line's, and strings.EqualFold never said yes.
		"ᲂтчёт за 26.11.2026":        "",
		"REPORT FOR 26.11.2026":      "2026-11-26",
		"Отчет: 26.11.2026":          "2026-11-26",
		"ВОСКРЕСЕНЬЕ, 29.11.2026":    "2026-11-29",
		"Четверг 26 ноября 2026 г.":  "2026-11-26",
		"Nov 26, 2026":               "2026-11-26",
		"Thu, November 26, 2026":     "2026-11-26",
		"Ноябрь 26, 2026":            "", // month first only in English
		"Отчётный период 26.11.2026": "",
		"Новые звонки: 12":           "",
		"Воскресенья 29.11.2026":     "",
		"ѐ 26.11.2026":               "",
		"\u00a0\u200b- 26.11.2026":   "2026-11-26",
		"26.11.2026 созвонился с Петровым по договору": "",
	} {
		d, ok, _ := document.SectionDate(document.Block{Text: line}, ref)
		got := ""
		if ok {
			got = d.String()
		}
		require.Equal(t, want, got, "%q", line)
	}
}

// A template of more metrics than the parser keeps in itself (16) keeps
// them apart: duplicates, empty and missing values, and alternatives are
// told the same.
func TestManyMetrics(t *testing.T) {
	t.Parallel()
	var y strings.Builder
	y.WriteString("name: big\nmetrics:\n")
	for i := range 20 {
		fmt.Fprintf(&y, "  - {key: m%02d, type: count, labels: [Метрика %02d], min: 0, max: 100, required: %v}\n", i, i, i%3 == 0)
	}
	y.WriteString("  - {key: note, type: text, labels: [Заметки], max_len: 100}\n")
	y.WriteString("one_of:\n  - [m17, m19]\nfunnel:\n  - {key: s, label: S, metrics: [m01]}\n")
	tmpl, err := ParseTemplate([]byte(y.String()))
	require.NoError(t, err)
	secs, _ := document.FromText("26.11.2026\nМетрика 00: 1\nМетрика 01: 2\nМетрика 01: 2 шт\n" +
		"Метрика 02: 3\nМетрика 02: 4\nМетрика 03:\nМетрика 18: 5\nМетрика 19: -\n" +
		"Заметки: раз\nдва\nЗаметки: три\n").Sections(ref)
	require.Len(t, secs, 1)
	r := Parse(tmpl, secs[0], Options{Lang: "en"})
	require.Equal(t, map[string]float64{"m00": 1, "m01": 2, "m18": 5, "m19": 0}, r.Metrics)
	require.Equal(t, []string{
		"missing:m06@line 1", "missing:m09@line 1", "missing:m12@line 1", "missing:m15@line 1",
		"duplicate:m02@line 6", "missing:m03@line 7", "duplicate:note@line 12",
	}, codes(r.Errors))
	require.Empty(t, r.Notes, "two different notes: neither is kept")
}
