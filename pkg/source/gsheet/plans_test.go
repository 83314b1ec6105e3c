package gsheet

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/source"
)

var knownMetrics = []string{"new_calls", "primary_calls", "contracts_signed", "payments"}

// TestParsePlans: a План tab as a manager fills it in: Russian headers,
// numbers as the sheet gives them or typed with a comma, a month column,
// and every bad cell reported at its place while the rest is read.
func TestParsePlans(t *testing.T) {
	t.Parallel()
	rows := [][]any{
		{"Сотрудник", "Месяц", "new_calls", "contracts_signd", "Contracts_Signed", "payments", ""},
		{"ivanov", "", 400.0, 9.0, 10.0, "6"},
		{"ivanov", "2026-12", "", "", 6.0, ""},
		{"petrova", "", "", "", "много", "-2"},
		{},
		{"sidorov", "декабрь", 100.0},
		{"ivanov", "2026-12", "", "", 7.0},
		{"", "итого", 500.0},
		{"orlova", "", " 1 200 ", "", "2,5"},
	}
	got, probs := ParsePlans("План", rows, knownMetrics)
	require.Equal(t, []source.PlanRow{
		{Employee: "ivanov", Metrics: map[string]float64{"new_calls": 400, "contracts_signed": 10, "payments": 6}, Row: 2, Cell: "'План'!A2"},
		{Employee: "ivanov", Month: "2026-12", Metrics: map[string]float64{"contracts_signed": 6}, Row: 3, Cell: "'План'!A3"},
		{Employee: "petrova", Metrics: map[string]float64{}, Row: 4, Cell: "'План'!A4"},
		{Employee: "orlova", Metrics: map[string]float64{"new_calls": 1200, "contracts_signed": 2.5}, Row: 9, Cell: "'План'!A9"},
	}, got)
	require.Equal(t, []source.PlanProblem{
		{Cell: "'План'!D1", Message: `unknown metric "contracts_signd" (did you mean "contracts_signed"?); the column is not read`},
		{Cell: "'План'!E4", Employee: "petrova", Message: `"много" is not a number`},
		{Cell: "'План'!F4", Employee: "petrova", Message: "a plan must not be negative"},
		{Cell: "'План'!B6", Employee: "sidorov", Message: `"декабрь" is not a month (want YYYY-MM, e.g. 2026-12); the row is not read`},
		{Cell: "'План'!A7", Employee: "ivanov", Message: "a second row for ivanov in 2026-12 (also row 3); the row is not read"},
	}, probs)

	_, probs = ParsePlans("План", [][]any{{"name", "new_calls"}}, knownMetrics)
	require.Equal(t, []source.PlanProblem{{Cell: "'План'!A1", Message: "the header has no id column"}}, probs)
	got, probs = ParsePlans("План", nil, knownMetrics)
	require.Empty(t, got)
	require.Empty(t, probs, "an empty tab: no plans yet")
	_, probs = ParsePlans("Plan", [][]any{{"id", "calls"}}, knownMetrics)
	require.Equal(t, "unknown metric \"calls\" (want new_calls, primary_calls, contracts_signed, payments); the column is not read", probs[0].Message)
	require.Equal(t, "'Plan'!B1", probs[0].Cell)
}
