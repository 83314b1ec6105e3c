package gsheet_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/source/gsheet"
)

// TestChangeLogTab: the manager's Изменения tab read through the Sheets
// client: Russian headers in any order, dates as people type them, ids
// separated by commas or spaces, empty rows skipped, a bad date reported
// at its cell and that row alone left out.
func TestChangeLogTab(t *testing.T) {
	t.Parallel()
	fake := googlefake.New(t, googlefake.Options{})
	svc, err := sheets.NewService(t.Context(),
		option.WithEndpoint(fake.URL+"/"), option.WithoutAuthentication(), option.WithHTTPClient(fake.Client()))
	require.NoError(t, err)
	const id = "1managerSheet"
	fake.PutSheet(id, "Сводка отдела", []googlefake.Tab{
		{Title: "Мои заметки", SheetID: 1, Rows: [][]any{{"дата", "этап"}, {"01.01.2026", "calls"}}},
		{Title: "Изменения", SheetID: 2, Rows: [][]any{
			{"Дата", "Что изменили", "Этап", "Сотрудники"},
			{"10.11.2026", "новый шаблон договора", "contracts_signed", ""},
			{"", "", "", ""},
			{"2026-11-16", "звонок на следующий день", "Оплаты", "ivanov, petrova"},
			{"16.13.2026", "опечатка в дате", "payments", ""},
			{"", "без даты", "payments", "ivanov sidorov"},
		}},
	})
	log := &gsheet.ChangeLog{Sheets: svc, ID: id}
	got, probs, err := log.Changes(t.Context())
	require.NoError(t, err)
	require.Equal(t, []source.LoggedChange{
		{Change: config.Change{Date: day.MustParse("2026-11-10"), Stage: "contracts_signed", Note: "новый шаблон договора"},
			Row: "'Изменения'!2", DateCell: "'Изменения'!A2", StageCell: "'Изменения'!C2", EmployeesCell: "'Изменения'!D2"},
		{Change: config.Change{Date: day.MustParse("2026-11-16"), Stage: "Оплаты", Note: "звонок на следующий день", Employees: []string{"ivanov", "petrova"}},
			Row: "'Изменения'!4", DateCell: "'Изменения'!A4", StageCell: "'Изменения'!C4", EmployeesCell: "'Изменения'!D4"},
		{Change: config.Change{Stage: "payments", Note: "без даты", Employees: []string{"ivanov", "sidorov"}},
			Row: "'Изменения'!6", DateCell: "'Изменения'!A6", StageCell: "'Изменения'!C6", EmployeesCell: "'Изменения'!D6"},
	}, got)
	require.Equal(t, []source.ChangeProblem{
		{Cell: "'Изменения'!A5", Message: "«16.13.2026» is not a date (want 2026-11-10 or 10.11.2026)"},
	}, probs)

	// No such tab: no changes, no error.
	fake.PutSheet("2other", "Другая", []googlefake.Tab{{Title: "Лист1", SheetID: 0}})
	got, probs, err = (&gsheet.ChangeLog{Sheets: svc, ID: "2other"}).Changes(t.Context())
	require.NoError(t, err)
	require.Empty(t, got)
	require.Empty(t, probs)
}

func TestParseChangesHeader(t *testing.T) {
	t.Parallel()
	_, probs := gsheet.ParseChanges("Changes", [][]any{{"date", "note"}, {"2026-11-10", "x"}})
	require.Equal(t, []source.ChangeProblem{{Cell: "'Changes'!1", Message: "the header has no stage column (want date, stage, note, employees)"}}, probs)
	got, probs := gsheet.ParseChanges("Changes", nil)
	require.Empty(t, got)
	require.Empty(t, probs)
}
