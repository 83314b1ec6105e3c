package report

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/dayreport/dayreport/pkg/day"
)

// FormatValue prints a metric value the way a person would type it (a decimal
// comma in Russian).
func FormatValue(x float64, lang string) string {
	return string(AppendValue(nil, x, lang))
}

// AppendValue appends FormatValue(x, lang) to b (the pass's table of
// 10 000 rows writes its numbers in place).
func AppendValue(b []byte, x float64, lang string) []byte {
	at := len(b)
	b = strconv.AppendFloat(b, x, 'f', -1, 64)
	if lang == "ru" {
		if dot := bytes.IndexByte(b[at:], '.'); dot >= 0 {
			b[at+dot] = ','
		}
	}
	return b
}

// Render writes a report back as text in the document format of SPEC §4: a date
// line, then "Label: value" lines in template order, comments after numbers, and
// the text metric last. Parsing the result gives the same metrics and notes;
// with an empty report it is a blank form for employees to fill in.
func Render(t *Template, r *Report, lang string) string {
	var b strings.Builder
	date := r.Date
	if lang == "ru" {
		b.WriteString("Отчёт за " + date.Russian())
	} else {
		b.WriteString("Report for " + date.String())
	}
	b.WriteByte('\n')
	var text []Metric
	for _, mt := range t.Metrics {
		if mt.Type == Text {
			text = append(text, mt)
			continue
		}
		b.WriteString(mt.Label(lang) + ": ")
		if x, ok := r.Metrics[mt.Key]; ok {
			b.WriteString(FormatValue(x, lang))
			if c := r.Comments[mt.Key]; c != "" {
				b.WriteString(" " + c)
			}
		}
		b.WriteByte('\n')
	}
	notesDone := false
	for _, mt := range text {
		b.WriteString(mt.Label(lang) + ":")
		var s string
		switch {
		case mt.Key == LongTermKey:
			s = r.LongTerm
		case !notesDone:
			s, notesDone = r.Notes, true
		}
		if s != "" {
			b.WriteString("\n" + s)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Blank is an empty report form for date.
func Blank(t *Template, date day.Date, lang string) string {
	return Render(t, &Report{Date: date}, lang)
}
