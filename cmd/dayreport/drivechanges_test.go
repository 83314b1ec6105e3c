package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/app/apptest"
	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
)

// TestSyncReadsDriveChanges: `sync --now` run again and again, each a new
// process's worth of state (the store), against Drive with the reports in
// a folder and one outside it, the roster and the План tab in the manager
// spreadsheet. The first poll takes Drive's change token and lists the
// files; an unchanged poll asks Drive once (changes.list) and reads no
// report; an edited report is read on the next poll, and so is one whose
// read failed after the token moved on (a crash at that point loses no
// change), or whose change a dry run saw and did not keep; a token Drive
// no longer honours lists the files again; a trashed report is read, as
// Drive says nothing of it.
func TestSyncReadsDriveChanges(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		clock = apptest.Msk("2026-11-26", 9, 0)
	)
	google := googlefake.New(t, googlefake.Options{
		Now: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			return clock
		},
		Quotas: googlefake.NoQuotas,
	})
	report := func(calls int) string {
		return strings.Replace(verifyReport("26.11.2026", "1"), "Новые звонки: 18", fmt.Sprintf("Новые звонки: %d", calls), 1)
	}
	google.PutFile("1folder", "Отчёты отдела", googlefake.MIMEFolder)
	ids := []string{"anna", "boris", "vera", "gleb", "dina", "egor"}
	doc := func(emp string) string { return "1doc-" + emp }
	for i, emp := range ids {
		google.PutDoc(doc(emp), editorDoc(report(10+i)))
		if emp != "egor" { // Егор keeps his report in his own Drive
			google.SetFileParent(doc(emp), "1folder")
		}
	}
	roster := [][]any{{"id", "Имя", "report"}}
	for _, emp := range ids {
		roster = append(roster, []any{emp, strings.ToUpper(emp[:1]) + emp[1:], gdoc.URL(doc(emp))})
	}
	google.PutSheet("1manager", "Отдел продаж", []googlefake.Tab{
		{Title: "Сотрудники", SheetID: 7, Rows: roster},
		{Title: "План", SheetID: 8, Rows: [][]any{{"id", "new_calls"}, {"anna", 300}, {"boris", 280}}},
	})

	dir := t.TempDir()
	cfg := filepath.Join(dir, "dayreport.yaml")
	require.NoError(t, os.WriteFile(cfg, fmt.Appendf(nil, `company: {timezone: Europe/Moscow, language: ru}
source: {kind: gdoc}
roster: sheet
google: {endpoint: %q, folder: "https://drive.google.com/drive/folders/1folder?usp=sharing", reads_per_minute: 100000, docs_reads_per_minute: 100000}
state: {path: %q}
summary: {spreadsheet: "https://docs.google.com/spreadsheets/d/1manager/edit#gid=7"}
deadline: {time: "21:00", grace: 0s}
`, google.URL, filepath.Join(dir, "state.db")), 0o644))

	type poll struct {
		drive, docs    []string // Drive requests but the manager spreadsheet's version; the documents read
		managerVersion int      // Drive's files.get of the manager spreadsheet
		sheetReads     int      // Sheets GETs
		sheetWrites    int      // Sheets writes (the summary)
		manager        int      // Sheets requests to the manager spreadsheet
		total          int      // every Google request
		calls          map[string]float64
	}
	sync := func(at time.Time, extra ...string) poll {
		t.Helper()
		mu.Lock()
		clock = at
		mu.Unlock()
		google.ResetRequests()
		args := append([]string{"sync", "--format", "json", "--no-notify", "--config", cfg, "--now", at.Format(time.RFC3339)}, extra...)
		_, out, stderr := execCLI(t, args...)
		var p poll
		for _, r := range google.Requests() {
			p.total++
			switch r.API {
			case googlefake.APIDrive:
				if r.Path == "/drive/v3/files/1manager" {
					p.managerVersion++
					continue
				}
				p.drive = append(p.drive, r.Method+" "+strings.TrimPrefix(r.Path, "/drive/v3/"))
			case googlefake.APIDocs:
				p.docs = append(p.docs, strings.TrimPrefix(r.Path, "/v1/documents/1doc-"))
			case googlefake.APISheets:
				if r.Method == "GET" {
					p.sheetReads++
				} else {
					p.sheetWrites++
				}
				if strings.HasPrefix(r.Path, "/v4/spreadsheets/1manager") {
					p.manager++
				}
			}
		}
		sort.Strings(p.docs)
		var res struct {
			Employees []struct {
				ID      string             `json:"id"`
				Metrics map[string]float64 `json:"metrics"`
			} `json:"employees"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &res), "%s\n%s", out, stderr)
		p.calls = map[string]float64{}
		for _, e := range res.Employees {
			p.calls[e.ID] = e.Metrics["new_calls"]
		}
		return p
	}
	moscow := func(hh, mm int) time.Time { return apptest.Msk("2026-11-26", hh, mm) }

	// The first poll: a start token, the folder listed, a files.get for
	// Егор's report outside it and one for the manager spreadsheet; every
	// report read; the summary written, and the spreadsheet's version
	// asked again after the write.
	p := sync(moscow(12, 0))
	require.Equal(t, []string{"GET changes/startPageToken", "GET files", "GET files/" + doc("egor")}, p.drive)
	require.Equal(t, 2, p.managerVersion)
	require.Equal(t, ids2(ids), p.docs)
	require.Equal(t, map[string]float64{"anna": 10, "boris": 11, "vera": 12, "gleb": 13, "dina": 14, "egor": 15}, p.calls)
	require.Positive(t, p.sheetWrites)

	// Nothing changed but dayreport's own write: Drive's change log tells
	// the spreadsheet changed, so its tabs are read again (the write
	// changed its version, and a manager's edit could hide behind it),
	// once; the summary, the same, is not written again.
	p = sync(moscow(12, 20))
	require.Equal(t, []string{"GET changes"}, p.drive)
	require.Empty(t, p.docs, "an unchanged poll reads no report")
	require.Zero(t, p.sheetWrites, "the same summary, in a spreadsheet as dayreport left it")
	require.Positive(t, p.sheetReads, "the tabs read again after dayreport's own write")

	// Nothing changed: one request to Google in all, the change log. The
	// roster, План and Изменения tabs are as the state kept them at the
	// spreadsheet's version, and the summary is as written (this was 9
	// requests a poll: 1 Drive, 6 Sheets reads, 2 Sheets writes).
	p = sync(moscow(12, 25))
	require.Equal(t, []string{"GET changes"}, p.drive, "an unchanged poll asks Drive once")
	require.Empty(t, p.docs)
	require.Equal(t, 1, p.total, "an unchanged poll asks Google once: %+v", p)
	require.InDelta(t, 15, p.calls["egor"], 0)
	p = sync(moscow(12, 28))
	require.Equal(t, 1, p.total, "and again")

	// The manager adds Зоя to the roster, her report in her own Drive,
	// and rewrites the spreadsheet (the summary's tabs are gone): the next
	// poll reads the tabs again, Зоя's report, and writes the summary.
	google.PutDoc(doc("zoya"), editorDoc(report(33)))
	roster = append(roster, []any{"zoya", "Зоя", gdoc.URL(doc("zoya"))})
	google.PutSheet("1manager", "Отдел продаж", []googlefake.Tab{
		{Title: "Сотрудники", SheetID: 7, Rows: roster},
		{Title: "План", SheetID: 8, Rows: [][]any{{"id", "new_calls"}, {"anna", 300}, {"boris", 280}, {"zoya", 200}}},
	})
	p = sync(moscow(12, 29))
	require.Equal(t, []string{"GET changes", "GET files/" + doc("zoya")}, p.drive)
	require.Equal(t, []string{"zoya"}, p.docs)
	require.InDelta(t, 33, p.calls["zoya"], 0)
	require.Positive(t, p.sheetWrites, "the summary written again")
	p = sync(moscow(12, 29))
	require.Zero(t, p.sheetWrites)
	p = sync(moscow(12, 29))
	require.Equal(t, 1, p.total)
	require.InDelta(t, 33, p.calls["zoya"], 0, "the roster as kept")

	// Вера edits her report: read on the next poll, alone.
	mu.Lock()
	clock = moscow(12, 30)
	mu.Unlock()
	google.PutDoc(doc("vera"), editorDoc(report(42)))
	p = sync(moscow(12, 40))
	require.Equal(t, []string{"GET changes"}, p.drive)
	require.Equal(t, []string{"vera"}, p.docs)
	require.InDelta(t, 42, p.calls["vera"], 0)

	// Глеб edits his; the poll that learns it keeps the new token, then
	// fails to read the document (refused once, as if the process died
	// before remembering it). The next poll finds nothing new in Drive's
	// log, yet reads Глеб's report: its version is not the one read.
	google.PutDoc(doc("gleb"), editorDoc(report(77)))
	google.Inject(googlefake.APIDocs, googlefake.PermissionDenied, 1)
	p = sync(moscow(13, 0))
	require.Equal(t, []string{"GET changes"}, p.drive)
	require.Equal(t, []string{"gleb"}, p.docs, "asked, and refused")
	require.InDelta(t, 13, p.calls["gleb"], 0, "the day as stored: the edit is not read yet")
	p = sync(moscow(13, 20))
	require.Equal(t, []string{"GET changes"}, p.drive)
	require.Equal(t, []string{"gleb"}, p.docs)
	require.InDelta(t, 77, p.calls["gleb"], 0)

	// Дина's edit is seen by a dry run, which keeps nothing: the next
	// poll asks Drive from the same token and reads it.
	google.PutDoc(doc("dina"), editorDoc(report(55)))
	p = sync(moscow(13, 30), "--dry-run")
	require.Equal(t, []string{"GET changes"}, p.drive)
	p = sync(moscow(13, 40))
	require.Equal(t, []string{"GET changes"}, p.drive)
	require.Equal(t, []string{"dina"}, p.docs)
	require.InDelta(t, 55, p.calls["dina"], 0)

	// Drive no longer honours the kept token (410): a new start token and
	// the listing again; only the edited report is read.
	google.ExpireChanges()
	google.PutDoc(doc("anna"), editorDoc(report(99)))
	p = sync(moscow(14, 0))
	require.Equal(t, []string{"GET changes", "GET changes/startPageToken", "GET files", "GET files/" + doc("egor"), "GET files/" + doc("zoya")}, p.drive)
	require.Equal(t, []string{"anna"}, p.docs)
	require.InDelta(t, 99, p.calls["anna"], 0)
	p = sync(moscow(14, 20))
	require.Equal(t, []string{"GET changes"}, p.drive)
	require.Empty(t, p.docs)

	// Борис trashes his report: Drive no longer vouches for it, so it is
	// read (still readable from the trash) on every poll; Егор's, outside
	// the folder, is followed through the log too.
	google.Trash(doc("boris"), true)
	google.PutDoc(doc("egor"), editorDoc(report(16)))
	p = sync(moscow(14, 40))
	require.Equal(t, []string{"GET changes"}, p.drive)
	require.Equal(t, []string{"boris", "egor"}, p.docs)
	require.InDelta(t, 16, p.calls["egor"], 0)
	p = sync(moscow(15, 0))
	require.Equal(t, []string{"GET changes"}, p.drive)
	require.Equal(t, []string{"boris"}, p.docs)
}

// ids2 is the documents of ids as the requests name them, sorted.
func ids2(ids []string) []string {
	out := append([]string(nil), ids...)
	sort.Strings(out)
	return out
}

// TestLocalReportsWithTheManagerSpreadsheet: local reports, the roster
// and the plans in the manager spreadsheet, the summary written there.
// Without Drive's change log (the reports are not in Drive), each poll
// asks Drive for the spreadsheet's version (one files.get): an unchanged
// poll asks Google nothing else. A changed report is read and the summary
// written; a Drive that does not answer (its API not enabled for the
// project) costs the tabs read and the summary written every poll, as
// before, and nothing else.
func TestLocalReportsWithTheManagerSpreadsheet(t *testing.T) {
	t.Parallel()
	google := googlefake.New(t, googlefake.Options{
		Now:    func() time.Time { return apptest.Msk("2026-11-26", 12, 0) },
		Quotas: googlefake.NoQuotas,
	})
	google.PutSheet("1manager", "Отдел продаж", []googlefake.Tab{
		{Title: "Сотрудники", SheetID: 7, Rows: [][]any{{"id", "Имя"}, {"anna", "Анна"}, {"boris", "Борис"}}},
		{Title: "План", SheetID: 8, Rows: [][]any{{"id", "new_calls"}, {"anna", 300}}},
		{Title: "Изменения", SheetID: 9, Rows: [][]any{{"Дата", "Этап", "Что изменили"}, {"20.11.2026", "payments", "предоплата"}}},
	})
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "reports"), 0o755))
	write := func(emp, payments string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "reports", emp+".txt"), []byte(verifyReport("26.11.2026", payments)), 0o644))
	}
	write("anna", "1")
	write("boris", "2")
	cfg := filepath.Join(dir, "dayreport.yaml")
	require.NoError(t, os.WriteFile(cfg, fmt.Appendf(nil, `company: {timezone: Europe/Moscow, language: ru}
source: {kind: local}
local: {dir: %q}
roster: sheet
google: {endpoint: %q, reads_per_minute: 100000}
state: {path: %q}
summary: {spreadsheet: "1manager"}
`, filepath.Join(dir, "reports"), google.URL, filepath.Join(dir, "state.db")), 0o644))

	type poll struct{ drive, sheetReads, sheetWrites int }
	at := apptest.Msk("2026-11-26", 12, 0)
	sync := func() poll {
		t.Helper()
		at = at.Add(20 * time.Minute)
		google.ResetRequests()
		code, out, stderr := execCLI(t, "sync", "--format", "json", "--no-notify", "--config", cfg, "--now", at.Format(time.RFC3339))
		require.Zero(t, code, "%s\n%s", out, stderr)
		var p poll
		for _, r := range google.Requests() {
			switch {
			case r.API == googlefake.APIDrive:
				require.Equal(t, "/drive/v3/files/1manager", r.Path)
				p.drive++
			case r.Method == "GET":
				p.sheetReads++
			default:
				p.sheetWrites++
			}
		}
		return p
	}
	p := sync()
	require.Equal(t, 2, p.drive, "the version before the tabs are read, and after the summary is written")
	require.Positive(t, p.sheetWrites)
	p = sync()
	require.Equal(t, poll{drive: 1, sheetReads: 4}, p, "the tabs read again after dayreport's own write; the same summary not written")
	for range 2 {
		require.Equal(t, poll{drive: 1}, sync(), "an unchanged poll: the spreadsheet's version alone")
	}

	// Борис corrects his report: read, and the summary written again.
	write("boris", "3")
	require.NoError(t, os.Chtimes(filepath.Join(dir, "reports", "boris.txt"), at, at.Add(time.Minute)))
	p = sync()
	require.Equal(t, 2, p.drive)
	require.Positive(t, p.sheetWrites)

	// Drive does not answer: the tabs are read and the summary written
	// every poll, as before there was a version to go by.
	google.Inject(googlefake.APIDrive, googlefake.PermissionDenied, 4)
	for range 2 {
		p = sync()
		require.Equal(t, 2, p.drive, "asked before the tabs are read and after the summary is written")
		require.Equal(t, 5, p.sheetReads, "the tab list, the three tabs, the summary's spreadsheet")
		require.Positive(t, p.sheetWrites)
	}
}
