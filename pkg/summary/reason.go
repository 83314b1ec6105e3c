package summary

import (
	"fmt"
	"strings"

	"github.com/dayreport/dayreport/pkg/report"
)

// ReasonLength bounds the reason of an invalid day: a manager reads it in
// a row, and finds the whole list in the report check (`dayreport check`).
const ReasonLength = 120

// Reason is why a day is invalid, for its row in the Сводка tab: the first
// error with its place in the report ("строка 27: «Оплаты»: «1,5» — нужно
// целое число"), how many more there are, cut to ReasonLength characters.
// It is empty when there is no error.
func Reason(lang string, errs []report.FieldError) string {
	if len(errs) == 0 {
		return ""
	}
	e := errs[0]
	s := e.Message
	if !e.Location.IsZero() {
		s = e.Location.Format(lang) + ": " + s
	}
	if n := len(errs) - 1; n > 0 {
		if lang == "en" {
			s += fmt.Sprintf(" (and %d more)", n)
		} else {
			s += fmt.Sprintf(" (и ещё %d)", n)
		}
	}
	return shorten(strings.Join(strings.Fields(s), " "), ReasonLength)
}

// shorten cuts s to at most n characters, marking the cut with "…".
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
