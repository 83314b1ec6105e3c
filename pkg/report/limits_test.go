package report

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// TestErrorsAreCapped: a day of 200 000 bad lines used to give 200 005
// errors; now the first MaxErrors in reading order, then one line saying
// how many more, at the first one left out. A required metric never given
// (found at the end, placed at the start) is still among them. Warnings the
// same.
func TestErrorsAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("26.11.2026\nНовые звонки: много\n")
	for i := range 100_000 { // 200 000 bad lines
		fmt.Fprintf(&b, "Повторные звонки: %d штук или %d\n", i, i+1)
		fmt.Fprintf(&b, "Непонятно%d: %d\n", i, i)
	}
	r := parseText(t, b.String(), "ru")
	require.Len(t, r.Errors, MaxErrors+1)
	require.Equal(t, CodeMissing, r.Errors[0].Code, "a required metric never given is kept")
	require.Equal(t, CodeNotANumber, r.Errors[5].Code)
	require.Equal(t, CodeDuplicate, r.Errors[6].Code)
	last := r.Errors[MaxErrors]
	require.Equal(t, CodeMore, last.Code)
	total := 0
	fmt.Sscan(last.Value, &total)
	require.Greater(t, total, 99_000)
	require.Equal(t, fmt.Sprintf("и ещё %d ошибок (исправьте эти и проверьте отчёт снова)", total), last.Message)
	require.Greater(t, last.Location.Line, r.Errors[MaxErrors-1].Location.Line, "at the first one left out")
	require.Len(t, r.Warnings, MaxErrors+1)
	require.Equal(t, CodeMore, r.Warnings[MaxErrors].Code)
	require.Contains(t, r.Warnings[MaxErrors].Message, "предупреждений")

	en := parseText(t, "26.11.2026\n"+strings.Repeat("Новые звонки: много\nНовые звонки: мало\n", 80), "en")
	require.Len(t, en.Errors, MaxErrors+1)
	require.Regexp(t, `^and \d+ more errors`, en.Errors[MaxErrors].Message)
}

// TestBadValueQuotedShort: a 10 MB bad value used to be quoted whole in
// the error's message and kept whole in its value; both are now cut to
// MaxQuoted characters.
func TestBadValueQuotedShort(t *testing.T) {
	huge := strings.Repeat("очень много ", 1_000_000)
	r := parseText(t, fullDay+"Оплаты: "+huge+"\n", "ru")
	require.NotEmpty(t, r.Errors)
	for _, e := range r.Errors {
		require.LessOrEqual(t, utf8.RuneCountInString(e.Value), MaxQuoted+1, e.Code)
		require.Less(t, len(e.Message), 4*MaxQuoted+400, e.Code)
	}
	require.Equal(t, "1 ошибка", fmt.Sprint(1, " ", pluralRU(1, "ошибка", "ошибки", "ошибок")))
	require.Equal(t, "ошибки", pluralRU(22, "ошибка", "ошибки", "ошибок"))
	require.Equal(t, "ошибок", pluralRU(12, "ошибка", "ошибки", "ошибок"))
}
