package document

import "fmt"

// Budgets of one report: what a document may hold before it is refused.
// A daily report is a few kilobytes and a year of them a few hundred; the
// budgets are a hundred years and more of a day-per-row sheet, so that no
// real report meets them, while a hostile or broken one (a million pasted
// rows) is refused with its place instead of taking the memory of the
// process: a document costs a few hundred bytes per cell or line, so these
// keep one report under ~100 MB whatever its bytes.
const (
	// MaxLines bounds the lines of a text or Markdown report.
	MaxLines = 200_000
	// MaxCells bounds the cells of a CSV or spreadsheet report.
	MaxCells = 100_000
	// MaxDays bounds the day rows (or columns) of a spreadsheet layout.
	MaxDays = 10_000
)

// LimitError says which budget a report exceeded, and where.
type LimitError struct {
	// What is "lines", "cells" or "days".
	What  string
	Limit int
	// Loc is the line or cell where the budget ran out.
	Loc Location
}

func (e *LimitError) Error() string { return e.Loc.Format("en") + ": " + e.Reason("en") }

// Message says it for people, in lang ("ru" or "en"), with the place.
func (e *LimitError) Message(lang string) string { return e.Loc.Format(lang) + ": " + e.Reason(lang) }

// Reason says which budget ran out, without the place.
func (e *LimitError) Reason(lang string) string {
	if lang == "ru" {
		what := map[string]string{"lines": "строк", "cells": "ячеек", "days": "дней"}[e.What]
		return fmt.Sprintf("отчёт слишком большой: больше %d %s (разделите его, например по годам)", e.Limit, what)
	}
	return fmt.Sprintf("the report is too large: more than %d %s (split it, by year for example)", e.Limit, e.What)
}

// LimitOf is the budget named by what ("lines", "cells", "days").
func LimitOf(what string) int {
	return map[string]int{"lines": MaxLines, "cells": MaxCells, "days": MaxDays}[what]
}
