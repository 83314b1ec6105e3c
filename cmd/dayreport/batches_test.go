package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/app/apptest"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/store/storetest"
)

// TestSyncOverSeveralBatches: a first sync of 1 201 employees stages more
// days than one batch holds (500), so the pass writes batches in the
// background while it judges the next employees, and plans the employees
// side by side. Every employee comes out as the report says (messy
// labels, no-break spaces, a decimal comma, a report without a file, a
// number that is not one), each day stored once, one CRM record each; the
// next sync finds every record unchanged. On SQLite and, with a DSN, on
// PostgreSQL.
func TestSyncOverSeveralBatches(t *testing.T) {
	t.Parallel()
	const n = 1201
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			state := fmt.Sprintf("{path: %q}", filepath.Join(dir, "state.db"))
			if driver == "postgres" {
				state = fmt.Sprintf("{driver: postgres, dsn: %q}", storetest.Schema(t))
			}
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "reports"), 0o755))
			var roster strings.Builder
			want := map[string]report.Status{}
			for i := range n {
				id := fmt.Sprintf("e%04d", i)
				fmt.Fprintf(&roster, "  - {id: %s, name: Сотрудник %d}\n", id, i)
				switch {
				case i%50 == 7:
					want[id] = report.Absent // no file at all
					continue
				case i%97 == 3:
					want[id] = report.Invalid
				default:
					want[id] = report.Submitted
				}
				calls := fmt.Sprint(10 + i%23)
				if want[id] == report.Invalid {
					calls = "много"
				}
				sep := ": "
				if i%3 == 1 {
					sep = ":\u00a0"
				}
				text := "26.11.2026\nНовые звонки" + sep + calls + "\nПовторные  звонки: 5\nОтправлено КП: 3\nВыставлено счетов и договоров: 2\n" +
					"Подписано договоров: 1\nОплаты: 1\nЗвонки по обратной связи: 2\nОценка работы компании: 4,5\n"
				require.NoError(t, os.WriteFile(filepath.Join(dir, "reports", id+".txt"), []byte(text), 0o644))
			}
			cfg := filepath.Join(dir, "dayreport.yaml")
			require.NoError(t, os.WriteFile(cfg, []byte("company: {timezone: Europe/Moscow, language: ru}\nlocal: {dir: reports}\n"+
				"state: "+state+"\nsummary: {xlsx: summary.xlsx}\nlog: {level: warn}\nemployees:\n"+roster.String()), 0o644))
			sync := func() passJSON {
				code, out, stderr := execCLI(t, "sync", "--config", cfg, "--now", rfc("2026-11-26", 22, 0), "--format", "json")
				require.Equal(t, 0, code, stderr)
				var res passJSON
				require.NoError(t, json.Unmarshal([]byte(out), &res))
				return res
			}
			first := sync()
			require.Len(t, first.Employees, n)
			got := map[string]report.Status{}
			for _, e := range first.Employees {
				got[e.ID] = e.Status
			}
			require.Equal(t, want, got)
			require.Equal(t, n, first.CRM.Pushed, "one record per employee")
			require.Zero(t, first.CRM.Failed)

			if driver == "sqlite" {
				days := map[string]float64{}
				for k, d := range apptest.StoredDays(t, filepath.Join(dir, "state.db")) {
					require.Equal(t, want[d.Employee], d.Status, k)
					if d.Status == report.Submitted {
						days[d.Employee] = d.Metrics["new_calls"]
					}
				}
				submitted := 0
				for _, st := range want {
					if st == report.Submitted {
						submitted++
					}
				}
				require.Len(t, days, submitted)
				for id, calls := range days {
					var i int
					_, err := fmt.Sscanf(id, "e%d", &i)
					require.NoError(t, err)
					require.InDelta(t, float64(10+i%23), calls, 0, id)
				}
			}

			second := sync()
			require.Zero(t, second.CRM.Pushed, "a rerun pushes nothing")
			require.Equal(t, n, second.CRM.Unchanged)
		})
	}
}
