package app

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
)

// TestGoogleChangeLogTab: the manager keeps the change log in the Изменения
// tab of the manager spreadsheet, next to the configuration's. Its changes
// are followed like those of the file; a stage by its label is understood;
// an unknown stage, an unknown employee and a missing date are each
// reported at their cell, and only that row is left out.
func TestGoogleChangeLogTab(t *testing.T) {
	t.Parallel()
	fake := googlefake.New(t, googlefake.Options{})
	for i := range 2 {
		id := fmt.Sprintf("1c%d", i)
		fake.PutDoc(id, textDoc(id, reportText("Четверг, 26 ноября", 10+i)))
	}
	fake.PutSheet("1boss", "Отдел продаж", []googlefake.Tab{
		{Title: "Сводка", SheetID: 0},
		{Title: "Изменения", SheetID: 9, Rows: [][]any{
			{"Дата", "Этап", "Что изменили", "Сотрудники"},
			{"23.11.2026", "Подписано договоров", "новый шаблон договора", ""},
			{"24.11.2026", "contract_signed", "опечатка в этапе", ""},
			{"25.11.2026", "payments", "звонок после счёта", "anna, zoya"},
			{"", "payments", "без даты", ""},
		}},
	})
	tm := newTeam(t, "source: {kind: gdoc}\nsummary: {spreadsheet: \"1boss\"}\ngoogle: {endpoint: \""+fake.URL+"\"}\n"+
		"employees:\n  - {id: anna, name: Анна, report: \""+gdoc.URL("1c0")+"\"}\n  - {id: boris, name: Борис, report: 1c1}\n"+
		"changes:\n  - {date: 2026-11-16, stage: payments, note: из файла}\n")
	a := openApp(t, tm.Cfg, Options{Now: newClock(msk("2026-11-26", 22, 0)).Now, Google: fastGoogle(fake)})
	_, err := a.sync(t.Context(), day26)
	require.NoError(t, err)

	res, err := a.FollowChanges(t.Context())
	require.NoError(t, err)
	var got []string
	for _, c := range res.Changes {
		got = append(got, c.Date+" "+c.Stage+" "+c.Note)
	}
	require.Equal(t, []string{"2026-11-16 payments из файла", "2026-11-23 contracts_signed новый шаблон договора"}, got)
	require.Equal(t, []string{
		`'Изменения'!B3: unknown stage "contract_signed" (did you mean "contracts_signed"?)`,
		`'Изменения'!D4: no employee "zoya"`,
		`'Изменения'!A5: required (the first day the change applies, YYYY-MM-DD)`,
	}, res.Problems)
	// After the change of the 23rd: 23 to 26 November, the newest day stored.
	require.Equal(t, 4, res.Changes[1].After.Days)
}
