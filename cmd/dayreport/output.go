package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/dayreport/dayreport/pkg/app"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// Output formats of --format.
const (
	formatText = "text"
	formatJSON = "json"
)

// writeJSON prints exactly one indented JSON document.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// tr picks the Russian or English wording.
func tr(lang, ru, en string) string {
	if lang == "ru" {
		return ru
	}
	return en
}

// writeCheck prints a check result as text for people or as the JSON of SPEC §2.
func writeCheck(w io.Writer, res *app.CheckResult, t *report.Template, lang, format string) error {
	if format == formatJSON {
		return writeJSON(w, res)
	}
	var b strings.Builder
	date := res.Date
	if d, err := day.Parse(res.Date); err == nil && lang == "ru" {
		date = d.Russian()
	}
	if date == "" {
		date = tr(lang, "—", "-")
	}
	fmt.Fprintf(&b, "%s: %s   %s: %s   %s: %s\n",
		tr(lang, "Сотрудник", "Employee"), res.Employee,
		tr(lang, "Дата", "Date"), date,
		tr(lang, "Статус", "Status"), res.Status.Label(lang))
	if res.Status == report.Missing {
		b.WriteString(tr(lang, "Отчёта за этот день в файле нет.\n", "The file has no report for this day.\n"))
	}
	width := 0
	for _, mt := range t.Metrics {
		width = max(width, utf8.RuneCountInString(mt.Label(lang)))
	}
	if res.Status != report.Missing {
		b.WriteByte('\n')
		for _, mt := range t.Metrics {
			if mt.Type == report.Text {
				continue
			}
			x, ok := res.Metrics[mt.Key]
			if !ok {
				continue
			}
			line := fmt.Sprintf("  %s%s  %s", mt.Label(lang), strings.Repeat(" ", width-utf8.RuneCountInString(mt.Label(lang))), report.FormatValue(x, lang))
			if c := res.Comments[mt.Key]; c != "" {
				line += "  (" + c + ")"
			}
			b.WriteString(line + "\n")
		}
		notesDone := false
		for _, mt := range t.Metrics {
			if mt.Type != report.Text || mt.Key != report.LongTermKey && notesDone {
				continue
			}
			text := res.LongTerm
			if mt.Key != report.LongTermKey {
				text, notesDone = res.Notes, true
			}
			if text == "" {
				continue
			}
			b.WriteString("  " + mt.Label(lang) + ":\n")
			for _, l := range strings.Split(text, "\n") {
				b.WriteString("    " + l + "\n")
			}
		}
	}
	writeProblems(&b, tr(lang, "Ошибки", "Errors"), res.Errors, lang)
	writeProblems(&b, tr(lang, "Предупреждения", "Warnings"), res.Warnings, lang)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeProblems(b *strings.Builder, title string, list []report.FieldError, lang string) {
	if len(list) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s (%d):\n", title, len(list))
	for _, e := range list {
		fmt.Fprintf(b, "  %-14s %s\n", e.Location.Format(lang), e.Message)
	}
}
