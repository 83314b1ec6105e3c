package report

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The methodology's free text: what was solved today (notes) and what it
// gives in the long term (long_term), however the senior labels it.
func TestLongTerm(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, text, notes, longTerm string
		warnings                    []string
	}{
		{
			name:  "the methodology's combined prompt goes to notes",
			text:  fullDay + "Что решил сегодня и что это даст в долгосрочной перспективе: договорился о пилоте с «Ромашкой»\n",
			notes: "договорился о пилоте с «Ромашкой»",
		},
		{
			name:  "the combined prompt, its text on the next lines",
			text:  fullDay + "**Какую задачу решил сегодня и что она даст в долгосрочной перспективе?**\n  договорился о пилоте\n  — это выход на сеть\n",
			notes: "договорился о пилоте\n— это выход на сеть",
		},
		{
			name:     "both parts labelled split",
			text:     fullDay + "Что решил сегодня: договорился о пилоте с «Ромашкой»\nи отправил КП\nЧто это даст в долгосрочной перспективе —  сеть из 40 магазинов\n",
			notes:    "договорился о пилоте с «Ромашкой»\nи отправил КП",
			longTerm: "сеть из 40 магазинов",
		},
		{
			name:     "English labels",
			text:     fullDay + "Tasks solved: pilot with Romashka\nLong-term effect: a chain of 40 shops\n",
			notes:    "pilot with Romashka",
			longTerm: "a chain of 40 shops",
		},
		{
			name:  "a label that goes on past the template's keeps its value whole",
			text:  fullDay + "Решённые задачи и что это даст: X\n",
			notes: "X",
		},
		{
			name:  "a longer label the template does not know still reads its value",
			text:  fullDay + "- Решённые задачи и как это поможет отделу: пилот с «Ромашкой»\n",
			notes: "пилот с «Ромашкой»",
		},
		{
			name:  "words after a label without a joiner are the value",
			text:  fullDay + "Решённые задачи договорился о поставке (см. письмо: вчера)\n",
			notes: "договорился о поставке (см. письмо: вчера)",
		},
		{
			name:     "an over-long unknown label is a located warning, never silence",
			text:     fullDay + "Что я сделал сегодня такого, чего не было в плане у отдела продаж: пилот с «Ромашкой»\n",
			warnings: []string{"unknown_label:@line 9"},
		},
		{
			name:  "prose with a dash is not a label",
			text:  fullDay + "Сегодня был очень длинный и тяжёлый день у всего отдела - но справились\n",
			notes: "",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := parseText(t, c.text, "ru")
			require.Empty(t, r.Errors)
			require.Equal(t, c.notes, r.Notes)
			require.Equal(t, c.longTerm, r.LongTerm)
			require.Equal(t, c.warnings, codes(r.Warnings))
		})
	}
	r := parseText(t, cases[len(cases)-2].text, "ru")
	require.Contains(t, r.Warnings[0].Message, "Что я сделал сегодня такого")
	require.Contains(t, r.Warnings[0].Message, "строка не прочитана")
}

func TestRenderLongTerm(t *testing.T) {
	t.Parallel()
	tmpl := MustBuiltin("sales-ru")
	r := parseText(t, fullDay+"Решённые задачи: пилот\nДолгосрочный эффект: сеть\n", "ru")
	back := parseText(t, Render(tmpl, r, "ru"), "ru")
	require.Equal(t, "пилот", back.Notes)
	require.Equal(t, "сеть", back.LongTerm)
}
