package report

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxErrors is how many errors (and, apart, warnings) a report lists: the
// first ones in reading order, then one more line, «и ещё N», at the first
// one left out. A report of 200 000 bad lines used to make 200 005 errors:
// 35 MB in the store, an 18 MB CRM record, and an error list in 4 593
// Telegram messages.
const MaxErrors = 50

// keepWhileParsing bounds the errors the parser holds before sorting them
// into place; what it finds after that is only counted.
const keepWhileParsing = 4 * MaxErrors

// MaxQuoted is how many characters of a bad value an error quotes (and
// keeps in its Value); a longer one ends in «…».
const MaxQuoted = 200

// CodeMore is the last line of a list cut at MaxErrors: how many more.
const CodeMore Code = "more"

// capped keeps the first MaxErrors of list and says how many more there
// are (those past it and dropped, found after the parser stopped keeping
// them), at the place of the first one left out.
func (m message) capped(list []FieldError, dropped int, errs bool) []FieldError {
	more := dropped + max(0, len(list)-MaxErrors)
	if more == 0 {
		return list
	}
	at := list[len(list)-1].Location
	if len(list) > MaxErrors {
		at = list[MaxErrors].Location
	}
	list = list[:min(len(list), MaxErrors):min(len(list), MaxErrors)]
	return append(list, FieldError{Code: CodeMore, Location: at, Value: fmt.Sprint(more), Message: m.more(more, errs)})
}

func (m message) more(n int, errs bool) string {
	if m.ru() {
		what := pluralRU(n, "предупреждение", "предупреждения", "предупреждений")
		if errs {
			what = pluralRU(n, "ошибка", "ошибки", "ошибок")
		}
		return fmt.Sprintf("и ещё %d %s (исправьте эти и проверьте отчёт снова)", n, what)
	}
	what := "warnings"
	if errs {
		what = "errors"
	}
	return fmt.Sprintf("and %d more %s (fix these and check the report again)", n, what)
}

// pluralRU picks the Russian form for n: 1 ошибка, 2 ошибки, 5 ошибок.
func pluralRU(n int, one, few, many string) string {
	switch n10, n100 := n%10, n%100; {
	case n10 == 1 && n100 != 11:
		return one
	case n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14):
		return few
	}
	return many
}

// cut cuts s to MaxQuoted characters, ending it in «…» when cut (a copy:
// never a slice of the document's text).
func cut(s string) string {
	if len(s) <= MaxQuoted || utf8.RuneCountInString(s) <= MaxQuoted {
		return strings.Clone(s)
	}
	n := 0
	for i := range s {
		if n == MaxQuoted {
			return strings.Clone(s[:i]) + "…"
		}
		n++
	}
	return strings.Clone(s)
}
