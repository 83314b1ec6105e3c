package main

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/app/apptest"
)

// keptReadsUsed is the debug line of a sync that took the reads the state
// kept for it (pkg/pass/reuse.go).
const keptReadsUsed = "what it kept in the state is used"

// cronLine is what TestCronSyncTakesKeptReads compares of an employee's
// line.
type cronLine struct {
	Status  string             `json:"status"`
	Metrics map[string]float64 `json:"metrics"`
	Notes   string             `json:"notes"`
}

// cronPass runs `dayreport sync` at now, as a cron does (a new process
// each time): the lines by employee, whether it was quiet and whether it
// took the reads the state kept.
func (c *cliTeam) cronPass(t *testing.T, now string) (lines map[string]cronLine, quiet, kept bool) {
	t.Helper()
	code, out, stderr := c.run(t, now, "sync", "--format", "json", "--log-level", "debug")
	require.Equal(t, 0, code, stderr)
	var res struct {
		Employees []struct {
			ID string `json:"id"`
			cronLine
		} `json:"employees"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	lines = map[string]cronLine{}
	for _, e := range res.Employees {
		lines[e.ID] = e.cronLine
	}
	return lines, strings.Contains(stderr, "quiet pass: nothing changed"), strings.Contains(stderr, keptReadsUsed)
}

// TestCronSyncTakesKeptReads: a cron's `dayreport sync` is a new process
// each poll. A sync leaves in the state what the next one reads of every
// employee at once (first days, documents' last reads, the pass date's
// days), at the change count they hold at; the next sync takes them when
// it reads that count under the pass lock, and its result is what reading
// the tables gives. Whatever writes to those tables in between is seen: a
// stored day's notes edited by another program (the count moves: the
// tables are read, and kept anew for the sync after), a new employee in
// the configuration, a corrected report. A quiet sync that took them
// writes nothing to the state.
func TestCronSyncTakesKeptReads(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "employees:\n  - {id: anna, name: Анна}\n  - {id: boris, name: Борис}\n  - {id: vera, name: Вера}\n")
	c.write(t, "anna.txt", apptest.ReportText("25.11.2026", 40)+"Решённые задачи: договорился о пилоте\n")
	c.write(t, "boris.txt", apptest.ReportText("25.11.2026", 12))
	saved := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	for _, name := range []string{"anna.txt", "boris.txt"} {
		require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", name), saved, saved))
	}
	db := filepath.Join(c.dir, "state.db")

	first, quiet, kept := c.cronPass(t, rfc("2026-11-25", 12, 0))
	require.False(t, quiet)
	require.False(t, kept, "nothing kept before the first sync")
	require.Equal(t, "submitted", first["anna"].Status)
	require.Equal(t, "missing", first["vera"].Status)
	before := dumpState(t, db)
	require.Len(t, before["pass_reads"], 1, "the first sync keeps its reads for the next")

	second, quiet, kept := c.cronPass(t, rfc("2026-11-25", 12, 20))
	require.True(t, quiet)
	require.True(t, kept, "nothing was written since: the kept reads are taken")
	require.Equal(t, first, second)
	require.Equal(t, before, dumpState(t, db), "a quiet sync that took them writes nothing")

	// Another program edits Anna's stored notes: the count moves with it.
	hand, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	_, err = hand.ExecContext(t.Context(), `UPDATE days SET notes = 'исправлено вручную' WHERE employee = 'anna' AND date = '2026-11-25'`)
	require.NoError(t, err)
	require.NoError(t, hand.Close())
	edited, quiet, kept := c.cronPass(t, rfc("2026-11-25", 12, 40))
	require.False(t, kept, "written to since they were kept")
	require.True(t, quiet, "no pass in between: still quiet, from the tables")
	require.Equal(t, "исправлено вручную", edited["anna"].Notes, "the sync says what the store holds now")
	again, quiet, kept := c.cronPass(t, rfc("2026-11-25", 13, 0))
	require.True(t, quiet)
	require.True(t, kept, "kept anew at the new count")
	require.Equal(t, edited, again)

	// A new employee in the configuration.
	conf, err := os.ReadFile(c.config)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(c.config, append(conf, "  - {id: gleb, name: Глеб}\n"...), 0o644))
	withGleb, quiet, _ := c.cronPass(t, rfc("2026-11-25", 13, 20))
	require.False(t, quiet, "the configuration changed")
	require.Equal(t, "missing", withGleb["gleb"].Status)
	require.Len(t, withGleb, 4)
	next, quiet, kept := c.cronPass(t, rfc("2026-11-25", 13, 40))
	require.True(t, quiet)
	require.True(t, kept)
	require.Equal(t, withGleb, next)

	// Boris corrects his calls.
	c.write(t, "boris.txt", apptest.ReportText("25.11.2026", 15))
	require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", "boris.txt"), saved.Add(time.Hour), saved.Add(time.Hour)))
	corrected, quiet, kept := c.cronPass(t, rfc("2026-11-25", 14, 0))
	require.False(t, quiet)
	require.InDelta(t, 15, corrected["boris"].Metrics["new_calls"], 0)
	require.NotEqual(t, next["boris"].Metrics, corrected["boris"].Metrics)
	// The others' lines, taken from the kept reads and given their own
	// copies before the summary was built (detachLines), are as they were.
	require.True(t, kept)
	for _, id := range []string{"anna", "vera", "gleb"} {
		require.Equal(t, next[id], corrected[id], id)
	}
	last, quiet, kept := c.cronPass(t, rfc("2026-11-25", 14, 20))
	require.True(t, quiet)
	require.True(t, kept)
	require.Equal(t, corrected, last)
}
