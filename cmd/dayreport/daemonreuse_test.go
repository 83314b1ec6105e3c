package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/app"
	"github.com/dayreport/dayreport/pkg/app/apptest"
	"github.com/dayreport/dayreport/pkg/pass"
)

// The daemon keeps what a quiet poll read of the store while nothing is
// written to it (pkg/pass/reuse.go) and the text of the result lines it
// stored (resultjson.go). These tests run it as users do and write the
// store from elsewhere between its polls.

// finishedPasses counts the passes of a state database that finished.
func finishedPasses(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	var n int
	require.NoError(t, db.QueryRowContext(t.Context(), `SELECT count(*) FROM passes WHERE finished_at IS NOT NULL`).Scan(&n))
	return n
}

// lastStoredResult is the result the last finished pass stored, as the
// pass history keeps it.
func lastStoredResult(t *testing.T, path string) (kind string, res storedPass) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	var text string
	require.NoError(t, db.QueryRowContext(t.Context(), `SELECT kind, summary FROM passes WHERE finished_at IS NOT NULL
		ORDER BY id DESC LIMIT 1`).Scan(&kind, &text))
	require.NoError(t, json.Unmarshal([]byte(text), &res), text)
	return kind, res
}

// storedPass is what these tests read of a stored pass result.
type storedPass struct {
	Employees []struct {
		ID      string             `json:"id"`
		Status  string             `json:"status"`
		Metrics map[string]float64 `json:"metrics"`
		Notes   string             `json:"notes"`
	} `json:"employees"`
	Closed int            `json:"closed"`
	CRM    pass.CRMResult `json:"crm"`
}

// line finds an employee's line.
func (p storedPass) line(t *testing.T, id string) (status string, calls float64, notes string) {
	t.Helper()
	for _, e := range p.Employees {
		if e.ID == id {
			return e.Status, e.Metrics["new_calls"], e.Notes
		}
	}
	require.Failf(t, "no line", "%s", id)
	return "", 0, ""
}

// TestDaemonPollSeesAnotherWriter: `dayreport run` polls every second at
// one pretended moment; after its first polls its quiet polls use again
// what they read. Between two polls the state database is written from
// elsewhere: by hand (another program's connection edits a stored day's
// notes, no pass recorded, so the next poll is still a quiet one), then by
// a hand-run `dayreport sync` in another process after a report was
// corrected. Each time the daemon's next poll says what the store now
// holds, as a fresh process would, and goes back to reusing its reads
// once nothing more is written.
func TestDaemonPollSeesAnotherWriter(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, fmt.Sprintf("schedule: {poll: \"@every 1s\", close_day: \"0 0 1 1 *\"}\nhttp: {listen: \"127.0.0.1:%d\"}\n", freePort(t))+
		"employees:\n  - {id: anna, name: Анна}\n  - {id: boris, name: Борис}\n  - {id: vera, name: Вера}\n")
	c.write(t, "anna.txt", apptest.ReportText("25.11.2026", 40))
	c.write(t, "boris.txt", apptest.ReportText("25.11.2026", 30))
	saved := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	for _, name := range []string{"anna.txt", "boris.txt"} {
		require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", name), saved, saved))
	}
	db := filepath.Join(c.dir, "state.db")
	now := rfc("2026-11-25", 12, 0)

	ctx, cancel := context.WithCancel(t.Context())
	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"run", "--config", c.config, "--now", now, "--log-level", "debug"}, io.Discard, &stderr)
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			require.Equal(t, 0, <-done, stderr.String())
		}
	}
	defer stop()
	const reused = "what it read is used again"
	waitPasses := func(n int) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			if _, err := os.Stat(db); err == nil && finishedPasses(t, db) >= n {
				return
			}
			require.True(t, time.Now().Before(deadline), "the daemon ran no %d passes: %s", n, tail(stderr.String(), 3000))
			time.Sleep(50 * time.Millisecond)
		}
	}
	// The first poll reads everything, the next reads the store, the one
	// after uses what that one read.
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(stderr.String(), reused); {
		require.True(t, time.Now().Before(deadline), "no poll reused its reads: %s", tail(stderr.String(), 3000))
		time.Sleep(50 * time.Millisecond)
	}
	waitPasses(finishedPasses(t, db) + 1)
	_, res := lastStoredResult(t, db)
	status, calls, notes := res.line(t, "anna")
	require.Equal(t, "submitted", status)
	require.InDelta(t, 40.0, calls, 0)
	require.Equal(t, map[string]string{"anna": "submitted", "boris": "submitted", "vera": "missing"}, storedStatuses(res))

	// Another program edits anna's stored day: no pass, no report changed.
	hand, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	_, err = hand.ExecContext(t.Context(), `UPDATE days SET notes = 'исправлено вручную' WHERE employee = 'anna' AND date = '2026-11-25'`)
	require.NoError(t, err)
	require.NoError(t, hand.Close())
	require.NotEqual(t, "исправлено вручную", notes)
	n := finishedPasses(t, db)
	waitPasses(n + 2) // a poll that started after the edit
	kind, res := lastStoredResult(t, db)
	require.Equal(t, "sync", kind)
	_, _, notes = res.line(t, "anna")
	require.Equal(t, "исправлено вручную", notes, "the poll says what the store holds now, not what it read before")

	// Boris corrects his calls and syncs by hand, in a process of his own
	// (retried while the daemon's poll holds the pass lock).
	c.write(t, "boris.txt", apptest.ReportText("25.11.2026", 33))
	edited := saved.Add(time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", "boris.txt"), edited, edited))
	for attempt := 0; ; attempt++ {
		cmd := exec.CommandContext(t.Context(), os.Args[0], "sync", "--config", c.config, "--now", now, "--format", "json")
		cmd.Env = append(os.Environ(), asMainEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err == nil {
			break
		}
		require.Less(t, attempt, 100, "the hand-run sync never got the pass lock: %s", out)
		time.Sleep(30 * time.Millisecond)
	}
	n = finishedPasses(t, db)
	waitPasses(n + 3)
	kind, res = lastStoredResult(t, db)
	require.Equal(t, "sync", kind)
	_, calls, _ = res.line(t, "boris")
	require.InDelta(t, 33.0, calls, 0, "the daemon's poll has the hand-run sync's numbers")
	_, _, notes = res.line(t, "anna")
	require.Equal(t, "исправлено вручную", notes)
	require.Zero(t, res.CRM.Pushed, "the hand-run sync pushed them")
	reuses := strings.Count(stderr.String(), reused)
	n = finishedPasses(t, db)
	waitPasses(n + 2)
	require.Greater(t, strings.Count(stderr.String(), reused), reuses, "nothing written since: reused again")

	// What the daemon stored last is what a pass of a new process says.
	stop()
	_, daemon := lastStoredResult(t, db)
	fresh := c.pass(t, now, "sync")
	require.Equal(t, storedStatuses(daemon), fresh.statuses())
	_, freshRes := lastStoredResult(t, db)
	require.Equal(t, daemon.Employees, freshRes.Employees)
}

// storedStatuses maps employee id to status.
func storedStatuses(p storedPass) map[string]string {
	out := map[string]string{}
	for _, e := range p.Employees {
		out[e.ID] = e.Status
	}
	return out
}

// TestDaemonPollsAsFreshPasses: one engine kept across a working day's
// polls (as `dayreport run` keeps it: its reads and stored lines reused
// while nothing is written) gives, poll by poll, the result a new
// engine gives at the same moment on the same files and store, and leaves
// the same state database: through quiet polls, deadlines that pass
// between two polls (Vera's in Yekaterinburg, then everyone's), a
// corrected report, a report that appears late, and the next morning.
func TestDaemonPollsAsFreshPasses(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	team := filepath.Join(root, "team")
	setup := func() *cliTeam {
		require.NoError(t, os.RemoveAll(team))
		require.NoError(t, os.MkdirAll(filepath.Join(team, "reports"), 0o755))
		c := &cliTeam{dir: team, config: filepath.Join(team, "dayreport.yaml")}
		text := "company: {timezone: Europe/Moscow, language: ru}\nlocal: {dir: reports}\nstate: {path: state.db}\n" +
			"summary: {xlsx: summary.xlsx}\nlog: {level: warn}\nemployees:\n  - {id: anna, name: Анна}\n  - {id: boris, name: Борис}\n" +
			"  - {id: vera, name: Вера, timezone: Asia/Yekaterinburg}\n  - {id: gleb, name: Глеб}\n"
		require.NoError(t, os.WriteFile(c.config, []byte(text), 0o644))
		c.write(t, "anna.txt", apptest.ReportText("25.11.2026", 40)+"\n"+apptest.ReportText("24.11.2026", 12))
		c.write(t, "vera.txt", "Отчёты\n\n"+apptest.ReportText("20.11.2026", 9))
		c.write(t, "gleb.txt", "25.11.2026\nНовые звонки: двадцать\n")
		saved := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
		for _, name := range []string{"anna.txt", "vera.txt", "gleb.txt"} {
			require.NoError(t, os.Chtimes(filepath.Join(team, "reports", name), saved, saved))
		}
		return c
	}
	type poll struct {
		at     time.Time
		before func(c *cliTeam) // what happens to the files just before
	}
	msk := func(date string, h, m int) time.Time { return apptest.Msk(date, h, m) }
	touch := func(name, text string, at time.Time) func(c *cliTeam) {
		return func(c *cliTeam) {
			c.write(t, name, text)
			require.NoError(t, os.Chtimes(filepath.Join(team, "reports", name), at, at))
		}
	}
	polls := []poll{
		{at: msk("2026-11-25", 12, 0)}, {at: msk("2026-11-25", 12, 20)}, {at: msk("2026-11-25", 12, 40)},
		{at: msk("2026-11-25", 13, 0), before: touch("anna.txt", apptest.ReportText("25.11.2026", 44)+"\n"+apptest.ReportText("24.11.2026", 12),
			time.Date(2026, 11, 25, 9, 50, 0, 0, time.UTC))},
		{at: msk("2026-11-25", 13, 20)}, {at: msk("2026-11-25", 13, 40)},
		{at: msk("2026-11-25", 19, 30)}, // Vera's deadline (19:00 Moscow) passed
		{at: msk("2026-11-25", 19, 50)}, {at: msk("2026-11-25", 20, 10)},
		{at: msk("2026-11-25", 21, 0)}, // Moscow's deadline, this very moment
		{at: msk("2026-11-25", 21, 0).Add(30 * time.Second)},
		{at: msk("2026-11-25", 21, 20)},
		{at: msk("2026-11-25", 21, 40), before: touch("boris.txt", apptest.ReportText("25.11.2026", 25),
			time.Date(2026, 11, 25, 18, 35, 0, 0, time.UTC))}, // late
		{at: msk("2026-11-25", 22, 0)}, {at: msk("2026-11-25", 22, 20)},
		{at: msk("2026-11-26", 9, 0)}, {at: msk("2026-11-26", 9, 20)}, {at: msk("2026-11-26", 9, 40)},
	}
	// Each pass's result as JSON (its id aside), and the store at the end.
	runDay := func(kept bool) ([]string, map[string]map[string]string) {
		c := setup()
		var mu sync.Mutex
		now := polls[0].at
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		cfg, err := app.LoadConfig(c.config, true)
		require.NoError(t, err)
		open := func() *app.App {
			a, err := app.New(t.Context(), cfg, app.Options{Now: clock, Log: zerolog.Nop(), Console: io.Discard})
			require.NoError(t, err)
			return a
		}
		var a *app.App
		if kept {
			a = open()
		}
		var out []string
		for _, p := range polls {
			if p.before != nil {
				p.before(c)
			}
			mu.Lock()
			now = p.at
			mu.Unlock()
			if !kept {
				a = open()
			}
			res, err := a.Run(t.Context(), pass.Request{Kind: pass.KindSync})
			require.NoError(t, err)
			res.PassID = 0
			b, err := json.Marshal(res)
			require.NoError(t, err)
			out = append(out, string(b))
			if !kept {
				require.NoError(t, a.Close())
			}
		}
		if kept {
			require.NoError(t, a.Close())
		}
		state := dumpState(t, filepath.Join(team, "state.db"))
		delete(state, "change_count")   // its epoch is the database's own
		delete(state, "pass_reads")     // kept by an engine's first pass only, at the count's epoch
		delete(state, "summary_stamps") // the workbook's file time is the wall clock's
		return out, state
	}
	keptResults, keptState := runDay(true)
	freshResults, freshState := runDay(false)
	for i := range polls {
		require.Equal(t, freshResults[i], keptResults[i], "poll %d at %s", i, polls[i].at)
	}
	require.Equal(t, freshState, keptState)
	require.Contains(t, keptResults[6], `"id":"vera","status":"absent"`, "vera's deadline passed between two polls")
	require.Contains(t, keptResults[11], `"id":"gleb","status":"invalid"`)
	require.Contains(t, keptResults[12], `"id":"boris","status":"late"`, "a late report turns absent into late")
}
