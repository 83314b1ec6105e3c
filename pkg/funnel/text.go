package funnel

import (
	"fmt"
	"strings"

	"github.com/dayreport/dayreport/pkg/report"
)

// Percent prints a conversion as "30,8 %" (ru) or "30.8%"; "—" when unknown.
func Percent(x *float64, lang string) string { return hundredths(x, "%.1f", lang, " %", "%") }

// Points prints a change of conversion in percentage points: "+5,0 п.п.".
func Points(x *float64, lang string) string { return hundredths(x, "%+.1f", lang, " п.п.", " pp") }

// hundredths prints x×100 in format, with a decimal comma and ru's unit in
// Russian, en's unit otherwise; "—" when x is unknown.
func hundredths(x *float64, format, lang, ru, en string) string {
	if x == nil {
		return "—"
	}
	s := fmt.Sprintf(format, *x*100)
	if lang == "ru" {
		return strings.Replace(s, ".", ",", 1) + ru
	}
	return s + en
}

// WeakestLine names the weakest transition for people, or says that no
// stage has enough to tell.
func WeakestLine(t *Transition, lang string) string {
	head, none := "Weakest transition", "not enough data (10 or more at a stage needed)"
	if lang == "ru" {
		head, none = "Слабое место", "недостаточно данных (нужно от 10 на этапе)"
	}
	if t == nil {
		return head + ": " + none
	}
	return fmt.Sprintf("%s: %s → %s: %s", head, t.FromLabel, t.ToLabel, Percent(&t.Conversion, lang))
}

// Line is a funnel on one line, for messages: each stage with its count and
// conversion, then the weakest transition.
func Line(stages []Stage, weakest *Transition, lang string) string {
	parts := make([]string, 0, len(stages))
	for _, s := range stages {
		p := s.Label + " " + report.FormatValue(s.Count, lang)
		if s.Conversion != nil {
			p += " (" + Percent(s.Conversion, lang) + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " → ") + ". " + WeakestLine(weakest, lang)
}
