package app

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/pass"
	"github.com/dayreport/dayreport/pkg/report"
)

const trio = `
company: {timezone: Europe/Moscow, language: ru}
deadline: {time: "19:00", grace: 2h}
employees:
  - {id: anna, name: Анна}
  - {id: boris, name: Борис}
  - {id: vera, name: Вера, timezone: Asia/Vladivostok}
`

var wednesday = day.MustParse("2026-11-25")

// TestPassLifecycle follows one day: a report before the deadline, a rerun,
// an edit, the close (absences, with a Vladivostok deadline 7 hours earlier
// than Moscow's), a late report, and a report for yesterday written the next
// morning.
func TestPassLifecycle(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, trio)
	clk := newClock(msk("2026-11-25", 12, 0))
	a := openApp(t, tm.Cfg, Options{Now: clk.Now})
	ctx := t.Context()
	sync := func() *pass.Result {
		t.Helper()
		res, err := a.sync(ctx, wednesday)
		require.NoError(t, err)
		require.False(t, res.Partial())
		return res
	}

	tm.Write(t, "anna.txt", reportText("25.11.2026", 10))
	res := sync()
	require.Equal(t, map[string]string{"anna": "submitted", "boris": "missing", "vera": "missing"}, statuses(res))
	require.Equal(t, 1, res.CRM.Pushed)

	res = sync()
	require.Zero(t, res.CRM.Pushed, "nothing changed, nothing pushed")
	require.Equal(t, 1, res.CRM.Unchanged)

	tm.Write(t, "anna.txt", reportText("25.11.2026", 12))
	res = sync()
	require.Equal(t, 1, res.CRM.Pushed, "an edit updates the record")
	recs := builtinRecords(t, a)
	require.Len(t, recs, 1)
	require.InDelta(t, 12, recs[crm.Key("anna", wednesday)].Metrics["new_calls"], 0)
	versions, err := a.Store().Versions(ctx, "anna", wednesday)
	require.NoError(t, err)
	require.Len(t, versions, 2, "both versions are kept as the audit trail")

	// 14:30 in Moscow is 21:30 in Vladivostok: vera's deadline (19:00 + 2h) has
	// passed, boris's has not.
	clk.Set(msk("2026-11-25", 14, 30))
	res = sync()
	require.Equal(t, map[string]string{"anna": "submitted", "boris": "missing", "vera": "absent"}, statuses(res))
	require.Equal(t, 1, res.CRM.Pushed)

	// Vera writes at 23:30 her time: after her deadline, so late.
	clk.Set(msk("2026-11-25", 16, 30))
	tm.Write(t, "vera.txt", reportText("25.11.2026", 7))
	res = sync()
	require.Equal(t, "late", statuses(res)["vera"])
	require.Equal(t, 1, res.CRM.Pushed)

	// 21:01 Moscow: boris is absent.
	clk.Set(msk("2026-11-25", 21, 1))
	res = sync()
	require.Equal(t, map[string]string{"anna": "submitted", "boris": "absent", "vera": "late"}, statuses(res))
	require.Equal(t, 1, res.CRM.Pushed)

	// Next morning boris writes yesterday's report; today's pass finds it.
	clk.Set(msk("2026-11-26", 9, 0))
	tm.Write(t, "boris.txt", reportText("25.11.2026", 3))
	res, err = a.sync(ctx, wednesday.AddDays(1))
	require.NoError(t, err)
	require.Len(t, res.Earlier, 1)
	require.Equal(t, "boris", res.Earlier[0].ID)
	require.Equal(t, report.Late, res.Earlier[0].Status)

	recs = builtinRecords(t, a)
	require.Len(t, recs, 3, "one record per employee-day")
	for _, id := range []string{"anna", "boris", "vera"} {
		require.Contains(t, recs, crm.Key(id, wednesday))
	}
	require.Equal(t, report.Late, recs[crm.Key("boris", wednesday)].Status)
	require.InDelta(t, 3, recs[crm.Key("boris", wednesday)].Metrics["new_calls"], 0)
}

// TestCloseDayForce closes a day before the deadline.
func TestCloseDayForce(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, trio)
	a := openApp(t, tm.Cfg, Options{Now: newClock(msk("2026-11-25", 10, 0)).Now})
	tm.Write(t, "anna.txt", reportText("25.11.2026", 10))
	res, err := a.Run(t.Context(), pass.Request{Date: wednesday, Kind: pass.KindCloseDay})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"anna": "submitted", "boris": "missing", "vera": "missing"}, statuses(res))
	res, err = a.Run(t.Context(), pass.Request{Date: wednesday, Kind: pass.KindCloseDay, Force: true})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"anna": "submitted", "boris": "absent", "vera": "absent"}, statuses(res))
	require.Len(t, builtinRecords(t, a), 3)
}

// TestDaysOffAndLeave: a weekend pass writes nothing; leave is on_leave.
func TestDaysOffAndLeave(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, `
employees:
  - {id: anna, name: Анна, leave_from: 2026-11-23, leave_to: 2026-11-27}
  - {id: boris, name: Борис}
`)
	a := openApp(t, tm.Cfg, Options{Now: newClock(msk("2026-11-30", 12, 0)).Now})
	res, err := a.sync(t.Context(), day.MustParse("2026-11-28"))
	require.NoError(t, err)
	require.Equal(t, map[string]string{"anna": "day_off", "boris": "day_off"}, statuses(res))
	res, err = a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"anna": "on_leave", "boris": "absent"}, statuses(res))
	recs := builtinRecords(t, a)
	require.Equal(t, []string{crm.Key("anna", wednesday), crm.Key("boris", wednesday)}, sortedKeys(recs))
}

// TestBrokenReportDoesNotStopOthers: an unreadable file fails one employee;
// the others are judged and pushed, and the pass is partial.
func TestBrokenReportDoesNotStopOthers(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, trio)
	a := openApp(t, tm.Cfg, Options{Now: newClock(msk("2026-11-25", 22, 0)).Now})
	tm.Write(t, "anna.txt", "25.11.2026\x00\x00\x01binary")
	tm.Write(t, "boris.txt", reportText("25.11.2026", 4))
	tm.Write(t, "vera.txt", "25.11.2026\nНовые звонки: много\n")
	res, err := a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.True(t, res.Partial())
	require.Equal(t, 1, res.Failed)
	got := statuses(res)
	require.Equal(t, "submitted", got["boris"])
	require.Equal(t, "invalid", got["vera"])
	require.Equal(t, "missing", got["anna"], "an unreadable report proves nothing, not even absence")
	require.NotEmpty(t, res.Employees[0].Error)
	recs := builtinRecords(t, a)
	require.Len(t, recs, 2)
	require.NotContains(t, recs, crm.Key("anna", wednesday))
}

// TestDryRunWritesNothing: no database is created, and an existing one is not
// touched.
func TestDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, trio)
	tm.Write(t, "anna.txt", reportText("25.11.2026", 10))
	now := newClock(msk("2026-11-25", 22, 0)).Now
	dry := openApp(t, tm.Cfg, Options{Now: now, DryRun: true})
	res, err := dry.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.True(t, res.DryRun)
	require.Equal(t, map[string]string{"anna": "submitted", "boris": "absent", "vera": "absent"}, statuses(res))
	require.Zero(t, res.CRM.Pushed)
	require.NoError(t, dry.Close())
	_, err = os.Stat(tm.Cfg.State.Path)
	require.ErrorIs(t, err, os.ErrNotExist, "a dry run creates no database")

	wet := openApp(t, tm.Cfg, Options{Now: now})
	_, err = wet.sync(t.Context(), wednesday)
	require.NoError(t, err)
	before := snapshotDB(t, wet)
	require.NoError(t, wet.Close())

	tm.Write(t, "anna.txt", reportText("25.11.2026", 99))
	tm.Write(t, "boris.txt", reportText("25.11.2026", 5))
	stat := fileStamp(t, tm.Cfg.State.Path)
	dry = openApp(t, tm.Cfg, Options{Now: now, DryRun: true})
	res, err = dry.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Equal(t, "late", statuses(res)["boris"], "a dry run judges like a real one")
	require.Zero(t, res.PassID)
	require.Equal(t, before, snapshotDB(t, dry))
	require.NoError(t, dry.Close())
	require.Equal(t, stat, fileStamp(t, tm.Cfg.State.Path))
}

func fileStamp(t *testing.T, path string) string {
	t.Helper()
	info, err := os.Stat(path)
	require.NoError(t, err)
	return info.ModTime().String() + "/" + strconv.Itoa(int(info.Size()))
}

// snapshotDB is what a test can observe of the state: records, days, passes.
func snapshotDB(t *testing.T, a *App) string {
	t.Helper()
	var b strings.Builder
	for _, k := range sortedKeys(builtinRecords(t, a)) {
		b.WriteString(k + "\n")
	}
	days, err := a.Store().DaysOn(t.Context(), wednesday)
	require.NoError(t, err)
	for _, d := range days {
		b.WriteString(d.Employee + " " + string(d.Status) + " " + d.RecordHash + "\n")
	}
	passes, err := a.Store().LastPasses(t.Context(), 100)
	require.NoError(t, err)
	b.WriteString(strconv.Itoa(len(passes)))
	return b.String()
}

// flakyCRM is an in-memory CRM that can be taken down.
type flakyCRM struct {
	mu      sync.Mutex
	down    bool
	objects map[string]crm.Record
	calls   int
}

func (f *flakyCRM) Name() string  { return "flaky" }
func (f *flakyCRM) MaxBatch() int { return 2 }

func (f *flakyCRM) Upsert(_ context.Context, pushes []crm.Push) []crm.Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	out := make([]crm.Result, len(pushes))
	for i, p := range pushes {
		if f.down {
			out[i].Err = crm.RetryableError(errors.New("connection refused"), 0)
			continue
		}
		f.objects[p.Record.Key] = p.Record
		out[i].ObjectID = "obj-" + p.Record.Key
	}
	return out
}

// TestCRMOutageLosesNothing: records that cannot be pushed stay queued and go
// out on the next pass once the CRM is back, exactly once.
func TestCRMOutageLosesNothing(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, trio)
	fake := &flakyCRM{down: true, objects: map[string]crm.Record{}}
	a := openApp(t, tm.Cfg, Options{Now: newClock(msk("2026-11-25", 22, 0)).Now, Adapter: fake})
	tm.Write(t, "anna.txt", reportText("25.11.2026", 10))
	res, err := a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.True(t, res.Partial())
	require.Equal(t, 3, res.CRM.Failed)
	require.Equal(t, 3, res.CRM.Queued)
	require.Empty(t, fake.objects)

	fake.mu.Lock()
	fake.down = false
	fake.mu.Unlock()
	res, err = a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.False(t, res.Partial())
	require.Equal(t, 3, res.CRM.Pushed)
	require.Zero(t, res.CRM.Queued)
	require.Len(t, fake.objects, 3)
	require.Equal(t, report.Absent, fake.objects[crm.Key("boris", wednesday)].Status)

	res, err = a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Zero(t, res.CRM.Pushed)
	require.Equal(t, 3, res.CRM.Unchanged)
}

// TestSecondPassIsLocked: a pass never runs while another holds the database.
func TestSecondPassIsLocked(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, trio)
	now := newClock(msk("2026-11-25", 12, 0)).Now
	a := openApp(t, tm.Cfg, Options{Now: now})
	unlock, err := a.Store().Lock(t.Context(), "someone else")
	require.NoError(t, err)
	b := openApp(t, tm.Cfg, Options{Now: now})
	_, err = b.sync(t.Context(), wednesday)
	require.ErrorIs(t, err, ErrLocked)
	require.NoError(t, unlock())
	_, err = b.sync(t.Context(), wednesday)
	require.NoError(t, err)
}

// TestMissingFolderFailsEveryoneButRuns: a wrong report folder is a failed
// fetch for each employee, never absence.
func TestMissingFolderFailsEveryoneButRuns(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, trio)
	require.NoError(t, os.RemoveAll(tm.Dir))
	a := openApp(t, tm.Cfg, Options{Now: newClock(msk("2026-11-25", 22, 0)).Now})
	res, err := a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Equal(t, 3, res.Failed)
	require.Empty(t, builtinRecords(t, a))
}

// TestFirstSyncDoesNotImportLastWeek: days before the first stored day are
// backfill's business; days after it are picked up from the document.
func TestFirstSyncDoesNotImportLastWeek(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, "employees:\n  - {id: anna, name: Анна}\n")
	clk := newClock(msk("2026-11-25", 12, 0))
	a := openApp(t, tm.Cfg, Options{Now: clk.Now})
	tm.Write(t, "anna.txt", reportText("24.11.2026", 1)+"\n"+reportText("25.11.2026", 2))
	_, err := a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	require.Equal(t, []string{crm.Key("anna", wednesday)}, sortedKeys(builtinRecords(t, a)))

	// Thursday: the document now also holds Thursday, and Wednesday was edited.
	clk.Set(msk("2026-11-26", 12, 0))
	tm.Write(t, "anna.txt", reportText("24.11.2026", 1)+"\n"+reportText("25.11.2026", 3)+"\n"+reportText("26.11.2026", 4))
	res, err := a.sync(t.Context(), wednesday.AddDays(1))
	require.NoError(t, err)
	require.Len(t, res.Earlier, 1, "the edit of Wednesday")
	recs := builtinRecords(t, a)
	require.Equal(t, []string{crm.Key("anna", wednesday), crm.Key("anna", wednesday.AddDays(1))}, sortedKeys(recs))
	require.InDelta(t, 3, recs[crm.Key("anna", wednesday)].Metrics["new_calls"], 0)
}

// TestFridayReportFoundOnMonday: Friday is closed without anna's report; she
// writes it over the weekend; Monday's pass turns Friday's absent into late,
// and the weekend itself carries no records.
func TestFridayReportFoundOnMonday(t *testing.T) {
	t.Parallel()
	tm := newTeam(t, "employees:\n  - {id: anna, name: Анна}\n")
	friday := day.MustParse("2026-11-27")
	clk := newClock(msk("2026-11-27", 21, 30))
	a := openApp(t, tm.Cfg, Options{Now: clk.Now})
	res, err := a.Run(t.Context(), pass.Request{Date: friday, Kind: pass.KindCloseDay})
	require.NoError(t, err)
	require.Equal(t, "absent", statuses(res)["anna"])

	clk.Set(msk("2026-11-28", 11, 0))
	tm.Write(t, "anna.txt", reportText("пятница, 27 ноября", 8))
	res, err = a.sync(t.Context(), friday.AddDays(1))
	require.NoError(t, err)
	require.Equal(t, "day_off", statuses(res)["anna"])

	clk.Set(msk("2026-11-30", 10, 0))
	res, err = a.sync(t.Context(), friday.AddDays(3))
	require.NoError(t, err)
	require.Equal(t, "missing", statuses(res)["anna"], "Monday is still open at 10:00")
	recs := builtinRecords(t, a)
	require.Equal(t, []string{crm.Key("anna", friday)}, sortedKeys(recs))
	require.Equal(t, report.Late, recs[crm.Key("anna", friday)].Status)
	require.InDelta(t, 8, recs[crm.Key("anna", friday)].Metrics["new_calls"], 0)
}
