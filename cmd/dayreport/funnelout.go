package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/report"
)

// barWidth is the width of the longest bar of a funnel table.
const barWidth = 30

// writeFunnel prints a funnel: JSON (SPEC §2), or for a person a table of
// stage, count, conversion and a bar, the weakest transition, the rating and
// the change since the previous window; byEmployee adds a table per employee.
func writeFunnel(w io.Writer, res *funnel.Result, names map[string]string, lang, format string, byEmployee bool) error {
	if format == formatJSON {
		return writeJSON(w, res)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s — %s (%s: %d)\n\n", tr(lang, "Воронка", "Funnel"), displayDate(res.From, lang),
		displayDate(res.To, lang), tr(lang, "дней с отчётами", "days with reports"), res.Days)
	writeStages(&b, res.Funnel, lang)
	if res.Previous != nil {
		fmt.Fprintf(&b, "\n%s %s — %s:\n", tr(lang, "Предыдущий период", "Previous window"),
			displayDate(res.Previous.From, lang), displayDate(res.Previous.To, lang))
		fmt.Fprintf(&b, "  %s\n", funnel.WeakestLine(res.Previous.Weakest, lang))
		tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  "+strings.Join([]string{tr(lang, "Переход", "Transition"), tr(lang, "Сейчас", "Now"), tr(lang, "Было", "Before"), tr(lang, "Изменение", "Change")}, "\t"))
		for i, c := range res.Trend {
			from := res.Stages[i].Label
			fmt.Fprintln(tw, "  "+strings.Join([]string{from + " → " + c.Label, funnel.Percent(c.Conversion, lang), funnel.Percent(c.Previous, lang), funnel.Points(c.Delta, lang)}, "\t"))
		}
		_ = tw.Flush()
	}
	if byEmployee {
		for _, e := range res.Employees {
			name := e.ID
			if n := names[e.ID]; n != "" {
				name = n + " (" + e.ID + ")"
			}
			fmt.Fprintf(&b, "\n%s — %s: %d\n", name, tr(lang, "дней с отчётами", "days with reports"), e.Days)
			writeStages(&b, e.Funnel, lang)
			if e.Behind != nil {
				fmt.Fprintf(&b, "%s: %s → %s: %s, %s %s\n", tr(lang, "Отстаёт от команды", "Behind the team"),
					e.Behind.FromLabel, e.Behind.ToLabel, funnel.Percent(&e.Behind.Conversion, lang),
					tr(lang, "у команды", "the team"), funnel.Percent(&e.Behind.Team, lang))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeStages prints one funnel: the table, the weakest transition, the rating.
func writeStages(b *strings.Builder, f funnel.Funnel, lang string) {
	top := 0.0
	for _, s := range f.Stages {
		top = max(top, s.Count)
	}
	tw := tabwriter.NewWriter(b, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  "+strings.Join([]string{tr(lang, "Этап", "Stage"), tr(lang, "Количество", "Count"), tr(lang, "Конверсия", "Conversion"), ""}, "\t"))
	for _, s := range f.Stages {
		bar := ""
		if top > 0 {
			bar = strings.Repeat("█", int(s.Count/top*barWidth+0.5))
		}
		mark := ""
		if f.Weakest != nil && s.Key == f.Weakest.To {
			mark = " ◀"
		}
		fmt.Fprintln(tw, "  "+strings.Join([]string{s.Label, report.FormatValue(s.Count, lang), funnel.Percent(s.Conversion, lang), bar + mark}, "\t"))
	}
	_ = tw.Flush()
	b.WriteString(funnel.WeakestLine(f.Weakest, lang) + "\n")
	if f.Rating != nil {
		fmt.Fprintf(b, "%s: %s\n", tr(lang, "Оценка компании (взвешенная по звонкам обратной связи)", "Company rating (weighted by feedback calls)"),
			report.FormatValue(*f.Rating, lang))
	}
}
