package report

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// TestReportHoldsNoPartOfTheDocument: every string of a report is a copy, so
// keeping a report (a pass keeps thousands) does not keep its document's
// whole text alive.
func TestReportHoldsNoPartOfTheDocument(t *testing.T) {
	text := "26.11.2026\nНовые звонки: 20 (ООО Ромашка)\nНепонятная строка: 7\nПовторные звонки: 5\nОтправлено КП: 3\n" +
		"Выставлено счетов и договоров: 2\nПодписано договоров: 1\nОплаты: много\nЗвонки по обратной связи: 4\n" +
		"Решённые задачи: договорился о пилоте\n" + strings.Repeat("\n", 100)
	rep := parseText(t, text, "ru")
	require.NotEmpty(t, rep.Notes)
	require.NotEmpty(t, rep.Errors)
	require.NotEmpty(t, rep.Warnings)
	// parseText builds the document from text: a string inside it would
	// point into text's bytes.
	start := uintptr(unsafe.Pointer(unsafe.StringData(text)))
	inside := func(s string) bool {
		if s == "" {
			return false
		}
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		return p >= start && p < start+uintptr(len(text))
	}
	require.False(t, inside(rep.Notes), "notes")
	for _, v := range rep.Comments {
		require.False(t, inside(v), "comment %q", v)
	}
	for _, e := range append(rep.Errors, rep.Warnings...) {
		for _, s := range []string{e.Field, e.Value, e.Message, e.Location.Tab, e.Location.Cell} {
			require.False(t, inside(s), "%q of %v", s, e)
		}
	}
}
