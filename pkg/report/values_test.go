package report

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseCount(t *testing.T) {
	t.Parallel()
	good := []struct {
		in      string
		want    float64
		comment string
	}{
		{"12", 12, ""},
		{"0", 0, ""},
		{"1 234", 1234, ""},
		{"1\u00a0234", 1234, ""},
		{"1\u202f234", 1234, ""},
		{"1\u2009234\u2009567", 1234567, ""},
		{"12 шт", 12, "шт"},
		{"12шт", 12, "шт"},
		{"12 (ООО Ромашка)", 12, "(ООО Ромашка)"},
		{"3, из них 2 новых", 3, ", из них 2 новых"},
		{"-", 0, ""},
		{"—", 0, ""},
		{"–", 0, ""},
		{"нет", 0, ""},
		{"Нет", 0, ""},
		{"none", 0, ""},
		{"нет (выходной у клиентов)", 0, "(выходной у клиентов)"},
		{"— клиенты не отвечали", 0, "клиенты не отвечали"},
		{"12.", 12, "."},
		{"1 200 звонков", 1200, "звонков"},
	}
	for _, c := range good {
		x, comment, bad := parseCount(c.in)
		require.Nil(t, bad, c.in)
		require.InDelta(t, c.want, x, 0, c.in)
		require.Equal(t, c.comment, comment, c.in)
	}
	bad := map[string]Code{
		"2.5":   CodeNotWhole,
		"2,5":   CodeNotWhole,
		"два":   CodeNotANumber,
		"-3":    CodeNegative,
		"−3":    CodeNegative,
		"12-15": CodeRange,
		// Found by FuzzParseValue: a zero word or dash next to a number, and a
		// second number behind Markdown emphasis, are not a plain count.
		"- 0":      CodeNegative,
		"--0":      CodeNegative,
		"нет 5":    CodeNotANumber,
		"NO-0":     CodeNotANumber,
		"12*3":     CodeAmbiguous,
		"12** 3":   CodeAmbiguous,
		"12 - 15":  CodeRange,
		"12–15":    CodeRange,
		"~10":      CodeNotANumber,
		"+3":       CodeNotANumber,
		"около 10": CodeNotANumber,
		"12 34":    CodeAmbiguous,
		"1 23":     CodeAmbiguous,
		"1 2345":   CodeAmbiguous,
		"１２":       CodeNotANumber, // full-width digits are not ASCII digits
	}
	for in, code := range bad {
		_, _, e := parseCount(in)
		require.NotNil(t, e, in)
		require.Equal(t, code, e.code, in)
	}
	x, _, e := parseCount("99999999999999999999999")
	require.Nil(t, e)
	require.True(t, math.IsInf(x, 1), "a huge count is out of bounds, not an overflow")
}

func TestParseRating(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]float64{"4,5": 4.5, "4.5": 4.5, "5": 5, "4,5/5": 4.5, "4,5 из 5": 4.5, "4.75 (по 3 звонкам)": 4.75} {
		x, _, given, bad := parseRating(in)
		require.Nil(t, bad, in)
		require.True(t, given, in)
		require.InDelta(t, want, x, 1e-9, in)
	}
	for _, in := range []string{"-", "—", "нет", "none"} {
		_, _, given, bad := parseRating(in)
		require.Nil(t, bad, in)
		require.False(t, given, in)
	}
	for in, code := range map[string]Code{"отлично": CodeNotANumber, "4 5": CodeAmbiguous, ",5": CodeNotANumber} {
		_, _, _, bad := parseRating(in)
		require.NotNil(t, bad, in)
		require.Equal(t, code, bad.code, in)
	}
}

func TestNormalizeLabel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Новые звонки:":              "новые звонки",
		"  НОВЫЕ\u00a0\u00a0звонки ": "новые звонки",
		"Решённые задачи":            "решенные задачи",
		"КП (заинтересованные)":      "кп (заинтересованные)",
		"**Оплаты**:":                "оплаты",
		"Обрат\u00adная связь":       "обратная связь",
		"- Оплаты —":                 "оплаты",
	} {
		require.Equal(t, want, NormalizeLabel(in), in)
	}
}

func TestValueAfterLabel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		": 12":       "12",
		" : 12":      "12",
		":12":        "12",
		" — 12":      "12",
		" - 12":      "12",
		" -12":       "-12",
		" 12":        "12",
		":** 12":     "12",
		"**: 12":     "12",
		"\t12":       "12",
		" —":         "",
		": —":        "—",
		" = 5":       "5",
		" | 5 |":     "5 |",
		"":           "",
		":  12  шт ": "12  шт",
	} {
		require.Equal(t, want, valueAfterLabel(in), "%q", in)
	}
}

func TestLabelMatch(t *testing.T) {
	t.Parallel()
	tmpl := MustBuiltin("sales-ru")
	key := func(line string) string {
		i, _, ok := tmpl.labels.match(line)
		if !ok {
			return ""
		}
		return tmpl.Metrics[i].Key
	}
	for line, want := range map[string]string{
		"Новые звонки: 12":                      "new_calls",
		"Количество новых звонков: 12":          "new_calls",
		"- **НОВЫЕ  ЗВОНКИ**: 12":               "new_calls",
		"1. Новые звонки 12":                    "new_calls",
		"• Первичный прозвон после продажи — 4": "primary_calls",
		"Первичный прозвон: 4":                  "primary_calls",
		"КП (заинтересованные): 3":              "proposals_sent",
		"Решенные задачи: x":                    "notes",
		"Repeat calls: 3":                       "repeat_calls",
		"Обратная связь: 2":                     "feedback_calls",
		"Звонки по обратной связи: 2":           "feedback_calls",
		"Оплатыы: 2":                            "",
		"Новые звонкиx: 2":                      "",
		"Встречи: 2":                            "",
		"":                                      "",
	} {
		require.Equal(t, want, key(line), line)
	}
}

func TestTemplateValidation(t *testing.T) {
	t.Parallel()
	_, err := ParseTemplate([]byte("name: x\nmetrics:\n  - {key: a, type: count, labels: [A], min: 5, max: 1}\n  - {key: a, type: money, labels: [a]}\nfunnel:\n  - {key: s, label: S, metrics: [zz]}\n"))
	var te *TemplateError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Problems, 4, te.Problems) // min>max, dup key, bad type, unknown funnel metric
	_, err = ParseTemplate([]byte("name: x\nmetrics: []\nbogus: 1\n"))
	require.ErrorContains(t, err, "bogus")
	_, err = Builtin("nope")
	require.ErrorIs(t, err, ErrUnknownTemplate)
	require.Contains(t, BuiltinNames(), "sales-ru")
}
