package app

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSummaryRowsInRosterOrder: the Сводка rows of each date follow the
// roster, not the employees' ids, and the days of an employee no longer
// listed come after everyone listed, by id.
func TestSummaryRowsInRosterOrder(t *testing.T) {
	t.Parallel()
	roster := "  - {id: zoe, name: Зоя}\n  - {id: anna, name: Анна}\n  - {id: mark, name: Марк}\n"
	tm := newTeam(t, "employees:\n"+roster+"  - {id: boris, name: Борис}\n  - {id: alex, name: Алекс}\n")
	for _, id := range []string{"zoe", "anna", "mark", "boris", "alex"} {
		tm.Write(t, id+".txt", reportText("26.11.2026", 10)+"\n"+reportText("25.11.2026", 11))
	}
	clk := newClock(msk("2026-11-26", 22, 0))
	a := openApp(t, tm.Cfg, Options{Now: clk.Now})
	_, err := a.sync(t.Context(), day26)
	require.NoError(t, err)
	require.NoError(t, a.Close())

	// boris and alex leave the roster; their days stay in the state.
	fewer := newTeam(t, "employees:\n"+roster)
	fewer.Cfg.State = tm.Cfg.State
	b := openApp(t, fewer.Cfg, Options{Now: clk.Now})
	m, err := b.Summary(t.Context(), day26)
	require.NoError(t, err)
	got := map[string][]string{}
	for _, r := range m.Days {
		got[r.Date.String()] = append(got[r.Date.String()], r.Employee)
	}
	want := []string{"zoe", "anna", "mark", "alex", "boris"}
	require.Contains(t, got, "2026-11-26")
	for date, ids := range got {
		require.Equal(t, want, ids, date)
	}
}
