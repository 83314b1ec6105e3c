package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
)

// message words a problem for people. lang "ru" gives Russian, anything else English.
type message struct {
	lang string
}

func (m message) ru() bool { return m.lang == "ru" }

func (m message) quote(s string) string {
	s = cut(s)
	if m.ru() {
		return "«" + s + "»"
	}
	return strconv.Quote(s)
}

func formatBound(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func (m message) value(code Code, mt Metric, raw string) string {
	label, v := m.quote(mt.Label(m.lang)), m.quote(raw)
	bounds := formatBound(mt.Min) + "…" + formatBound(mt.Max)
	if m.ru() {
		switch code {
		case CodeMissing:
			return label + ": значение не указано"
		case CodeNotANumber:
			if mt.Type == Rating {
				return fmt.Sprintf("%s: %s — не число; нужна оценка от %s, например 4,5", label, v, bounds)
			}
			return fmt.Sprintf("%s: %s — не число; нужно целое число, например 12", label, v)
		case CodeNotWhole:
			return fmt.Sprintf("%s: %s — нужно целое число", label, v)
		case CodeNegative:
			return fmt.Sprintf("%s: %s — не может быть отрицательным", label, v)
		case CodeRange:
			return fmt.Sprintf("%s: %s — нужно одно число, а не диапазон", label, v)
		case CodeAmbiguous:
			return fmt.Sprintf("%s: %s — непонятно, какое это число (разряды отделяются пробелом по три цифры: 1 234)", label, v)
		case CodeOutOfBounds:
			return fmt.Sprintf("%s: %s — вне допустимых пределов %s", label, v, bounds)
		case CodeTooLong:
			return fmt.Sprintf("%s: текст длиннее %d символов", label, mt.MaxLen)
		}
	}
	switch code {
	case CodeMissing:
		return label + ": no value"
	case CodeNotANumber:
		if mt.Type == Rating {
			return fmt.Sprintf("%s: %s is not a number; want a rating %s such as 4.5", label, v, bounds)
		}
		return fmt.Sprintf("%s: %s is not a number; want a whole number such as 12", label, v)
	case CodeNotWhole:
		return fmt.Sprintf("%s: %s is not a whole number", label, v)
	case CodeNegative:
		return fmt.Sprintf("%s: %s cannot be negative", label, v)
	case CodeRange:
		return fmt.Sprintf("%s: %s is a range; want one number", label, v)
	case CodeAmbiguous:
		return fmt.Sprintf("%s: %s is ambiguous (group thousands by three digits: 1 234)", label, v)
	case CodeOutOfBounds:
		return fmt.Sprintf("%s: %s is outside %s", label, v, bounds)
	case CodeTooLong:
		return fmt.Sprintf("%s: text longer than %d characters", label, mt.MaxLen)
	}
	return label + ": " + string(code)
}

func (m message) duplicate(mt Metric, first, second, firstAt string) string {
	if m.ru() {
		return fmt.Sprintf("%s указано дважды с разными значениями: %s (%s) и %s",
			m.quote(mt.Label(m.lang)), m.quote(first), firstAt, m.quote(second))
	}
	return fmt.Sprintf("%s is given twice with different values: %s (%s) and %s",
		m.quote(mt.Label(m.lang)), m.quote(first), firstAt, m.quote(second))
}

func (m message) oneOf(group []Metric) string {
	labels := make([]string, len(group))
	for i, g := range group {
		labels[i] = m.quote(g.Label(m.lang))
	}
	if m.ru() {
		return "нужно указать " + strings.Join(labels, " или ")
	}
	return "one of " + strings.Join(labels, ", ") + " is required"
}

func (m message) unknownLabel(label string, suggestion *Metric) string {
	var s string
	if m.ru() {
		s = "неизвестная метка " + m.quote(label) + ", строка не прочитана"
		if suggestion != nil {
			s += "; может быть, " + m.quote(suggestion.Label(m.lang)) + "?"
		}
		return s
	}
	s = "unknown label " + m.quote(label) + ", line not read"
	if suggestion != nil {
		s += "; did you mean " + m.quote(suggestion.Label(m.lang)) + "?"
	}
	return s
}

func (m message) repeatedDate(d day.Date) string {
	if m.ru() {
		return "дата " + d.Russian() + " встречается ещё раз; обе части прочитаны как один день"
	}
	return "the date " + d.String() + " appears again; both parts are read as one day"
}

// BadDateMessage words the document warning for a date line naming no real day.
func BadDateMessage(lang, raw string) string {
	m := message{lang}
	if m.ru() {
		return m.quote(raw) + " — такой даты нет; строки ниже не отнесены ни к одному дню"
	}
	return m.quote(raw) + " is not a real date; the lines below belong to no day"
}

// ChipNotReadMessage says that a line ends where the document holds a
// chip the source cannot read (a dropdown or file chip in a Google Doc).
func ChipNotReadMessage(lang, line string) string {
	m := message{lang}
	if m.ru() {
		return m.quote(line) + " — после этого в документе стоит элемент (выпадающий список или файл), " +
			"который не читается; напишите значение текстом"
	}
	return m.quote(line) + " is followed by an element (a dropdown or a file chip) that cannot be read; type the value as text"
}

// DocumentWarnings are the warnings a document's reading gave, for people:
// a date line naming no real day, a chip that could not be read. Other
// warnings of the document are not the report's business.
func DocumentWarnings(lang string, warns []document.Warning) []FieldError {
	var out []FieldError
	for _, w := range warns {
		switch w.Code {
		case document.WarnBadDate:
			out = append(out, FieldError{Code: CodeBadDate, Location: w.Loc, Value: w.Value, Message: BadDateMessage(lang, w.Value)})
		case document.WarnChipNotRead:
			out = append(out, FieldError{Code: CodeChipNotRead, Location: w.Loc, Value: w.Value, Message: ChipNotReadMessage(lang, w.Value)})
		case document.WarnTooLarge:
			le := document.LimitError{What: w.Value, Limit: document.LimitOf(w.Value), Loc: w.Loc}
			out = append(out, FieldError{Code: CodeTooLarge, Location: w.Loc, Message: le.Reason(lang)})
		}
	}
	return out
}
