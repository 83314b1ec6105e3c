package config_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
)

var salesStages = []string{"calls", "repeat_calls", "proposals_sent", "invoices_issued", "contracts_signed", "payments"}

func TestChangesLoad(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse([]byte(`
source: {kind: local}
local: {dir: reports}
employees:
  - {id: ivanov, name: Иван}
  - {id: petrova, name: Анна}
changes:
  - {date: 2026-11-10, stage: contracts_signed, note: "новый шаблон договора"}
  - date: 2026-11-16
    stage: payments
    note: звонок клиенту на следующий день после счёта
    employees: [ivanov, petrova]
`), "dayreport.yaml", "/srv", env(nil))
	require.NoError(t, err)
	require.Equal(t, []config.Change{
		{Date: day.MustParse("2026-11-10"), Stage: "contracts_signed", Note: "новый шаблон договора"},
		{Date: day.MustParse("2026-11-16"), Stage: "payments", Note: "звонок клиенту на следующий день после счёта", Employees: []string{"ivanov", "petrova"}},
	}, cfg.Changes)
	require.NoError(t, cfg.CheckChangeStages(salesStages))
}

func TestChangeStagesAreLocated(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse([]byte(`source: {kind: local}
local: {dir: reports}
employees:
  - {id: ivanov, name: Иван}
changes:
  - {date: 2026-11-10, stage: contract_signed}
  - {date: 2026-11-11, stage: calls}
  - {date: 2026-11-12, stage: payments}
  - {date: 2026-11-13, stage: invoices}
`), "dayreport.yaml", "/srv", env(nil))
	require.NoError(t, err)
	cerr := problemsOf(t, cfg.CheckChangeStages(salesStages))
	require.Equal(t, []config.Problem{
		{Path: "changes[0].stage", Line: 6, Message: `unknown stage "contract_signed" (did you mean "contracts_signed"?)`},
		{Path: "changes[1].stage", Line: 7, Message: `"calls" is the first stage of the funnel: no transition leads to it ` +
			`(want one of repeat_calls, proposals_sent, invoices_issued, contracts_signed or payments)`},
		{Path: "changes[3].stage", Line: 9, Message: `unknown stage "invoices" (want one of repeat_calls, proposals_sent, ` +
			`invoices_issued, contracts_signed or payments)`},
	}, cerr.Problems)
	require.Contains(t, cerr.Error(), "dayreport.yaml:6: changes[0].stage: unknown stage")
}

func TestValidateChangeForTheSheet(t *testing.T) {
	t.Parallel()
	ids := map[string]bool{"ivanov": true}
	require.Empty(t, config.ValidateChange(config.Change{Date: day.MustParse("2026-11-10"), Stage: "payments"}, ids))
	got := config.ValidateChange(config.Change{Stage: " ", Employees: []string{"ivanov", "ivanov", "sidorov"}}, ids)
	require.Equal(t, []config.Problem{
		{Path: "date", Message: "required (the first day the change applies, YYYY-MM-DD)"},
		{Path: "stage", Message: "required (the funnel stage the changed transition leads to, e.g. contracts_signed)"},
		{Path: "employees[1]", Message: `"ivanov" is listed twice (also employees[0])`},
		{Path: "employees[2]", Message: `no employee "sidorov"`},
	}, got)
}
