// Package feedback tells employees what is wrong with their reports: the
// wording of a report's errors, shared by the invalid-report reminder and
// the Doc comment, and the Doc comment itself (Commenter), one per report
// day, kept up to date and resolved once the report is fixed.
package feedback

import (
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// ErrorLines are a report's errors as people read them, one a line, each
// with its location: "• строка 27: «Оплаты»: «1,5» — нужно целое число".
func ErrorLines(lang string, errs []report.FieldError) []string {
	lines := make([]string, 0, len(errs))
	for _, e := range errs {
		lines = append(lines, "• "+e.Location.Format(lang)+": "+e.Message)
	}
	return lines
}

// InvalidSubject names the errors of a day's report: "Ошибки в отчёте за
// 26.11.2026".
func InvalidSubject(lang string, d day.Date) string {
	if lang == "en" {
		return "Problems in the report for " + d.String()
	}
	return "Ошибки в отчёте за " + d.Russian()
}
