package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"

	"github.com/dayreport/dayreport/pkg/app/apptest"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/store"
	"github.com/dayreport/dayreport/pkg/store/storetest"
	"github.com/dayreport/dayreport/pkg/summary"
)

// editorDoc is a Google Doc of day sections, each a list of lines.
func editorDoc(sections ...string) *docs.Document {
	var content []*docs.StructuralElement
	for _, s := range sections {
		for l := range strings.SplitSeq(strings.TrimRight(s, "\n"), "\n") {
			content = append(content, &docs.StructuralElement{Paragraph: &docs.Paragraph{
				Elements: []*docs.ParagraphElement{{TextRun: &docs.TextRun{Content: l + "\n"}}}}})
		}
		content = append(content, &docs.StructuralElement{Paragraph: &docs.Paragraph{
			Elements: []*docs.ParagraphElement{{TextRun: &docs.TextRun{Content: "\n"}}}}})
	}
	return &docs.Document{Title: "Отчёты — Анна Петрова", Body: &docs.Body{Content: content}}
}

// TestEditedLateNamesTheEditor: a Google Doc report written at 20:45 by its
// employee, before the 21:00 deadline, and first read by the close at 22:01,
// is changed two days later by the manager (2 payments → 3). The flag names
// who changed it and when, as Drive's lastModifyingUser and modifiedTime
// tell: in the pass JSON, the CRM record and the Проверка tab; the e-mail
// stays out of the log. With a reports folder (files.list) on SQLite and
// one files.get per document on PostgreSQL, at the first poll; the later
// one reads Drive's change log.
func TestEditedLateNamesTheEditor(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			t.Setenv("DAYREPORT_CONFIG", "")
			var (
				mu    sync.Mutex
				clock = apptest.Msk("2026-11-24", 20, 45)
			)
			setClock := func(at time.Time) {
				mu.Lock()
				defer mu.Unlock()
				clock = at
			}
			google := googlefake.New(t, googlefake.Options{
				Now: func() time.Time {
					mu.Lock()
					defer mu.Unlock()
					return clock
				},
				Quotas: googlefake.NoQuotas,
			})
			const summarySheet, doc = "1summary", "1anna-doc"
			google.PutSheet(summarySheet, "Отчёты отдела", nil)
			anna := googlefake.User{DisplayName: "Анна Петрова", EmailAddress: "anna@example.ru"}
			google.PutDoc(doc, editorDoc(verifyReport("24.11.2026", "2")), anna)

			dir := t.TempDir()
			state, folder := fmt.Sprintf("{path: %q}", filepath.Join(dir, "state.db")), ""
			if driver == "postgres" {
				state = fmt.Sprintf("{driver: postgres, dsn: %q}", storetest.Schema(t))
			} else {
				google.PutFile("1folder", "Отчёты", googlefake.MIMEFolder)
				google.SetFileParent(doc, "1folder")
				folder = ", folder: \"https://drive.google.com/drive/folders/1folder?usp=sharing\""
			}
			cfg := filepath.Join(dir, "dayreport.yaml")
			require.NoError(t, os.WriteFile(cfg, fmt.Appendf(nil, `company: {timezone: Europe/Moscow, language: ru}
source: {kind: gdoc}
google: {endpoint: %q%s}
state: %s
summary: {spreadsheet: %q}
deadline: {time: "21:00", grace: 0s}
log: {level: info}
employees:
  - {id: anna, name: Анна Петрова, report: "https://docs.google.com/document/d/%s/edit"}
`, google.URL, folder, state, summarySheet, doc), 0o644))
			run := func(now time.Time, args ...string) string {
				t.Helper()
				setClock(now)
				code, out, stderr := execCLI(t, append(args, "--config", cfg, "--now", now.Format(time.RFC3339))...)
				require.Equal(t, 0, code, stderr)
				require.NotContains(t, stderr, "@example.ru", "an address is no business of the log")
				return out
			}
			run(apptest.Msk("2026-11-24", 22, 1), "close-day", "--date", "2026-11-24", "--no-notify")

			// Thursday 11:40: the manager makes the payments 3, below
			// Anna's report of the day written at 10:05.
			setClock(apptest.Msk("2026-11-26", 10, 5))
			google.PutDoc(doc, editorDoc(verifyReport("24.11.2026", "2"), verifyReport("26.11.2026", "0")), anna)
			setClock(apptest.Msk("2026-11-26", 11, 40))
			igor := googlefake.User{DisplayName: "Игорь Сидоров", EmailAddress: "igor@example.ru"}
			google.PutDoc(doc, editorDoc(verifyReport("24.11.2026", "3"), verifyReport("26.11.2026", "0")), igor)

			google.ResetRequests()
			out := run(apptest.Msk("2026-11-26", 12, 0), "sync", "--date", "2026-11-26", "--format", "json")
			// Who edited costs no request of its own: the one Drive call
			// that tells the changed documents says it.
			var drive []string
			for _, r := range google.Requests() {
				if r.API == "drive" {
					drive = append(drive, r.Method+" "+r.Path)
				}
			}
			// With a folder or without: the first poll listed the files
			// (files.list; a files.get each) and kept Drive's change
			// token, so this one asks changes.list, and after writing the
			// changed summary the spreadsheet's version (so that a poll
			// that finds nothing new does not write it again).
			require.Equal(t, []string{"GET /drive/v3/changes", "GET /drive/v3/files/" + summarySheet}, drive)
			var res struct {
				Earlier []struct {
					Date  string     `json:"date"`
					Flags []crm.Flag `json:"flags"`
				} `json:"earlier"`
			}
			require.NoError(t, json.Unmarshal([]byte(out), &res), out)
			var flags []crm.Flag
			for _, e := range res.Earlier {
				if e.Date == "2026-11-24" {
					flags = e.Flags
				}
			}
			require.Len(t, flags, 1, out)
			f := flags[0]
			require.Equal(t, "edited_late", f.Code)
			const who = "Игорь Сидоров <igor@example.ru>"
			require.Equal(t, who, f.EditedBy)
			require.NotNil(t, f.EditedAt)
			require.Equal(t, apptest.Msk("2026-11-26", 11, 40).UTC(), f.EditedAt.UTC(), "Drive's modifiedTime, not the 12:00 read")
			before, after := 2.0, 3.0
			require.Equal(t, []crm.Change{{Metric: "payments", Before: &before, After: &after}}, f.Changes)
			msg := "отчёт изменён после срока (26.11.2026 11:40, кто изменил: " + who + "): «Оплаты» 2 → 3; " +
				"сравнение с версией, которая была к сроку 24.11.2026 20:45"
			require.Equal(t, msg, f.Message, "written at 20:45, it was there by the deadline")
			require.Contains(t, out, `"edited_by": "`+who+`"`)

			// The CRM record carries it; the reported number is the new one.
			var s *store.Store
			var err error
			if driver == "postgres" {
				s, err = store.OpenPostgres(t.Context(), strings.TrimSuffix(strings.TrimPrefix(state, "{driver: postgres, dsn: \""), "\"}"), store.Options{ReadOnly: true})
			} else {
				s, err = store.Open(t.Context(), filepath.Join(dir, "state.db"), store.Options{ReadOnly: true})
			}
			require.NoError(t, err)
			rec := apptest.BuiltinRecords(t, s)["dayreport:anna:2026-11-24"]
			vs, err := s.Versions(t.Context(), "anna", day.MustParse("2026-11-24"))
			require.NoError(t, s.Close())
			require.NoError(t, err)
			require.Len(t, rec.Flags, 1)
			require.Equal(t, who, rec.Flags[0].EditedBy)
			require.Equal(t, msg, rec.Flags[0].Message)
			require.InDelta(t, 3, rec.Metrics["payments"], 0, "a flag never changes a reported number")
			require.Len(t, vs, 2)
			require.Equal(t, "Анна Петрова <anna@example.ru>", vs[0].EditedBy, "the version seen at the close")
			require.Equal(t, apptest.Msk("2026-11-24", 20, 45).UTC(), vs[0].EditedAt)
			require.Equal(t, who, vs[1].EditedBy)

			// The Проверка tab says it in the manager's words.
			var cells []string
			for _, row := range google.Cells(summarySheet, summary.TabNames("ru").Checks) {
				for _, v := range row {
					cells = append(cells, fmt.Sprint(v))
				}
			}
			require.Contains(t, cells, msg)
		})
	}
}
