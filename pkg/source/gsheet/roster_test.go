package gsheet

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/source"
)

// TestParseRoster: Russian headers, dates as people type them, a start
// column, and each bad row reported alone with its number.
func TestParseRoster(t *testing.T) {
	t.Parallel()
	rows := [][]any{
		{"id", "Имя", "Отчёт", "Часовой пояс", "Отпуск с", "Отпуск по", "Начало"},
		{"ivanov", "Иван Иванов", "1docA", "", "01.12.2026", "14.12.2026", "2026-03-01"},
		{"petrova", "", "1docB", "Asia/Vladivostok", "", "", ""},
		{"", "", "", "", "", "", ""},
		{"bad", "Плохой", "1docC", "Mars/Base", "", "", "вчера"},
		{"ivanov", "Дубль", "1docD", "", "", "", ""},
		{"", "Без id", "1docE", "", "", "", ""},
	}
	emps, probs := ParseRoster(rows, config.SourceGDoc)
	require.Equal(t, []config.Employee{
		{ID: "ivanov", Name: "Иван Иванов", Report: "1docA", LeaveFrom: day.MustParse("2026-12-01"),
			LeaveTo: day.MustParse("2026-12-14"), Start: day.MustParse("2026-03-01")},
		{ID: "petrova", Name: "petrova", Report: "1docB", Timezone: "Asia/Vladivostok"},
	}, emps)
	require.Equal(t, []source.RosterProblem{
		{Row: 5, ID: "bad", Message: `start "вчера" is not a date; unknown time zone "Mars/Base"`},
		{Row: 6, ID: "ivanov", Message: "duplicate id (also row 2)"},
		{Row: 7, Message: "no id"},
	}, probs)

	_, probs = ParseRoster([][]any{{"name", "report"}}, config.SourceGDoc)
	require.Equal(t, []source.RosterProblem{{Row: 1, Message: "the header has no id column"}}, probs)
	emps, probs = ParseRoster([][]any{{"id"}, {"anna"}}, config.SourceLocal)
	require.Empty(t, probs, "a local roster needs no report link")
	require.Len(t, emps, 1)
}
