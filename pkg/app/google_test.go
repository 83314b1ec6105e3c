package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/google"
	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
)

var (
	thursday = msk("2026-11-26", 0, 0)
	day26    = day.MustParse("2026-11-26")
)

// textDoc is a Google Doc whose paragraphs are the lines of text; a line
// holding only a date is a heading, as people format their day titles.
func textDoc(id, text string) *docs.Document {
	var content []*docs.StructuralElement
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		style := "NORMAL_TEXT"
		if line != "" && !strings.Contains(line, ":") {
			style = "HEADING_2"
		}
		content = append(content, &docs.StructuralElement{Paragraph: &docs.Paragraph{
			Elements:       []*docs.ParagraphElement{{TextRun: &docs.TextRun{Content: line + "\n"}}},
			ParagraphStyle: &docs.ParagraphStyle{NamedStyleType: style},
		}})
	}
	return &docs.Document{DocumentId: id, Title: "Отчёты", Body: &docs.Body{Content: content}}
}

// fixtureDoc is one of the Docs fixtures of pkg/source/gdoc (tabs, chips, tables).
func fixtureDoc(t *testing.T, name string) *docs.Document {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "source", "gdoc", "testdata", name+".json"))
	require.NoError(t, err)
	var d docs.Document
	require.NoError(t, json.Unmarshal(b, &d))
	return &d
}

// serial is a spreadsheet serial date (days since 30.12.1899), counted in
// UTC: Moscow's 1899 local mean time would shift it by a fraction.
func serial(t time.Time) float64 {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return d.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
}

var sheetLabels = []any{"Дата", "Новые звонки", "Повторные звонки", "Отправлено КП", "Выставлено счетов и договоров",
	"Подписано договоров", "Оплаты", "Звонки по обратной связи", "Оценка работы компании"}

// rowSheet is a tab in row layout: a header row, then a day a row.
func rowSheet(title string, gid int64, calls float64) googlefake.Tab {
	return googlefake.Tab{Title: title, SheetID: gid, Rows: [][]any{
		sheetLabels,
		{serial(thursday.AddDate(0, 0, -1)), 9, 3, 2, 1, 0, 0, 1, 4},
		{serial(thursday), calls, 6, 3, 2, 1, 1, 2, "4,5"},
	}}
}

// transposedSheet has the days across the first row.
func transposedSheet(title string, calls float64) googlefake.Tab {
	rows := [][]any{{"Показатель", serial(thursday.AddDate(0, 0, -1)), serial(thursday)}}
	vals := []any{calls, 7, 4, 3, 1, 1, 3, 5.0}
	for i, l := range sheetLabels[1:] {
		rows = append(rows, []any{l, 1, vals[i]})
	}
	return googlefake.Tab{Title: title, SheetID: 0, Rows: rows}
}

// TestGooglePass is a pass over 20 employees whose reports live in Google
// Docs (plain, with tabs, chips and tables) and Sheets (a shared spreadsheet
// with a tab each, and sheets of their own in both layouts), read through the
// real Google clients against pkg/googlefake, with quota hits and server
// errors injected on the way.
func TestGooglePass(t *testing.T) {
	t.Parallel()
	fake := googlefake.New(t, googlefake.Options{})
	var roster strings.Builder
	add := func(id, report string) { fmt.Fprintf(&roster, "  - {id: %s, name: %s, report: %q}\n", id, id, report) }
	want := map[string]string{}
	calls := map[string]float64{}
	for i := range 8 { // plain documents
		id := fmt.Sprintf("doc%d", i)
		fake.PutDoc("1"+id, textDoc("1"+id, reportText("Среда, 25 ноября", 5)+"\n"+reportText("Четверг, 26 ноября", 10+i)))
		add(id, gdoc.URL("1"+id))
		want[id], calls[id] = "submitted", float64(10+i)
	}
	for _, name := range []string{"table_report", "date_chips", "suggestions"} { // tables, chips, suggestions
		fake.PutDoc("1"+name, fixtureDoc(t, name))
		add(name, "https://docs.google.com/document/d/1"+name+"/edit?tab=t.0")
		want[name] = "submitted"
	}
	fake.PutDoc("1nested", fixtureDoc(t, "nested_tabs")) // three tabs: 25.11, 26.11 (new calls 6), 01.12
	add("nested", "1nested")
	want["nested"], calls["nested"] = "submitted", 6
	shared := []googlefake.Tab{rowSheet("Иванов", 0, 21), rowSheet("Петрова", 11, 22), rowSheet("Q1/Q2", 22, 23), rowSheet("It's", 33, 24)}
	fake.PutSheet("1shared", "Отдел продаж", shared)
	for i, link := range []string{"1shared#Иванов", "https://docs.google.com/spreadsheets/d/1shared/edit#gid=11", "1shared#Q1/Q2", "https://docs.google.com/spreadsheets/d/1shared/edit?gid=33#gid=33"} {
		id := fmt.Sprintf("tab%d", i)
		add(id, link)
		want[id], calls[id] = "submitted", float64(21+i)
	}
	for i := range 2 { // transposed sheets of their own
		id := fmt.Sprintf("own%d", i)
		fake.PutSheet("1"+id, "Мои отчёты", []googlefake.Tab{transposedSheet("Лист1", float64(30+i))})
		add(id, "https://docs.google.com/spreadsheets/d/1"+id+"/edit")
		want[id], calls[id] = "submitted", float64(30+i)
	}
	fake.PutDoc("1late", textDoc("1late", reportText("Среда, 25 ноября", 5))) // yesterday only
	add("yesterday", "1late")
	want["yesterday"] = "absent"
	add("gone", gdoc.URL("1deleted"))
	want["gone"] = "missing" // unreadable: nothing is concluded, not even absence

	tm := newTeam(t, "source: {kind: gdoc}\ngoogle: {endpoint: \""+fake.URL+"\"}\nemployees:\n"+roster.String())
	require.Len(t, tm.Cfg.Employees, 20)
	// Quota hits and server errors on the way: retried by the clients.
	fake.Inject(googlefake.APIDocs, googlefake.RateLimited, 2)
	fake.Inject(googlefake.APISheets, googlefake.Unavailable, 1)
	fake.Inject(googlefake.APIDocs, googlefake.ServerError, 1)
	a := openApp(t, tm.Cfg, Options{Now: newClock(msk("2026-11-26", 22, 0)).Now, Google: fastGoogle(fake)})
	res, err := a.sync(t.Context(), day26)
	require.NoError(t, err)
	for _, e := range res.Employees {
		if e.Error != "" && e.ID != "gone" {
			t.Errorf("%s: %s", e.ID, e.Error)
		}
	}
	require.Equal(t, want, statuses(res))
	require.Equal(t, 1, res.Failed, "the deleted document")
	for _, e := range res.Employees {
		if c, ok := calls[e.ID]; ok {
			require.InDelta(t, c, e.Metrics["new_calls"], 0, e.ID)
			require.InDelta(t, 1, e.Metrics["payments"], 0, e.ID)
		}
		if e.Status == report.Submitted {
			require.Empty(t, e.Errors, e.ID)
		}
		if e.ID == "gone" {
			require.Contains(t, e.Error, "1deleted")
		}
	}
	require.Len(t, builtinRecords(t, a), 19)

	// What it cost: a documents.get per document (13 read, 1 not found),
	// one spreadsheets.get for the #gid links and one values:batchGet per
	// spreadsheet (3); the injected faults each cost one retry.
	// Drive: the change log's start token, then one metadata call per
	// file (16 files and the deleted one).
	c := countRequests(fake)
	require.Equal(t, 4, c.failed, "2 quota hits, a 503 and a 500, each retried")
	require.Equal(t, 2, c.notFound, "the deleted document, in Drive and in Docs: a 404 is not retried")
	require.Equal(t, 13, c.docs)
	require.Equal(t, 4, c.sheets, "1 get for the gids + 3 batchGets")
	require.Equal(t, 1+16, c.drive)

	// A rerun: nothing changed in Drive (one changes.list says so), so
	// nothing is read but the deleted document, which Drive is asked
	// about again; nothing is pushed.
	fake.ResetRequests()
	res, err = a.sync(t.Context(), day26)
	require.NoError(t, err)
	require.Zero(t, res.CRM.Pushed)
	require.Equal(t, want, statuses(res))
	c = countRequests(fake)
	require.Equal(t, requestCount{drive: 1, notFound: 2}, c)
}

// fastGoogle points the Google clients at the fake without waits: no
// backoff sleeps, no client-side quota (the fake's own still applies).
func fastGoogle(fake *googlefake.Server) func(*google.Options) {
	return func(o *google.Options) {
		o.HTTPClient = fake.Client()
		o.Sleep = func(context.Context, time.Duration) error { return nil }
		o.ReadsPerMinute, o.DocsReadsPerMinute, o.DriveQueriesPerMinute = -1, -1, -1
	}
}

type requestCount struct{ docs, sheets, drive, notFound, failed int }

// countRequests sorts the fake's requests: successful reads per API, 404s,
// and other failures.
func countRequests(fake *googlefake.Server) requestCount {
	var c requestCount
	for _, r := range fake.Requests() {
		switch {
		case r.Status == 404:
			c.notFound++
		case r.Status >= 400 || r.Status == 0:
			c.failed++
		case r.API == googlefake.APIDocs:
			c.docs++
		case r.API == googlefake.APISheets:
			c.sheets++
		case r.API == googlefake.APIDrive:
			c.drive++
		}
	}
	return c
}

// TestGoogleUnchangedPoll: with the reports in a Drive folder, the first
// poll costs a start token and one files.list call; a poll where nothing
// changed costs one changes.list call and no Docs or Sheets read; a
// changed document costs its own read only.
func TestGoogleUnchangedPoll(t *testing.T) {
	t.Parallel()
	fake := googlefake.New(t, googlefake.Options{})
	var roster strings.Builder
	for i := range 12 {
		id := fmt.Sprintf("e%02d", i)
		fake.PutDoc("1"+id, textDoc("1"+id, reportText("Четверг, 26 ноября", 10+i)))
		fake.SetFileParent("1"+id, "folder1")
		fmt.Fprintf(&roster, "  - {id: %s, name: %s, report: %s}\n", id, id, gdoc.URL("1"+id))
	}
	fake.PutSheet("1team", "Отдел", []googlefake.Tab{rowSheet("Иванов", 0, 21), rowSheet("Петрова", 11, 22)})
	fake.SetFileParent("1team", "folder1")
	fmt.Fprintf(&roster, "  - {id: s1, name: s1, report: \"1team#Иванов\"}\n  - {id: s2, name: s2, report: \"1team#Петрова\"}\n")
	tm := newTeam(t, "source: {kind: gdoc}\ngoogle: {endpoint: \""+fake.URL+"\", folder: \"https://drive.google.com/drive/folders/folder1?usp=sharing\"}\nemployees:\n"+roster.String())
	clk := newClock(msk("2026-11-26", 18, 0))
	a := openApp(t, tm.Cfg, Options{Now: clk.Now, Google: fastGoogle(fake)})

	res, err := a.sync(t.Context(), day26)
	require.NoError(t, err)
	require.Equal(t, 14, res.CRM.Pushed)
	require.Equal(t, requestCount{drive: 2, docs: 12, sheets: 1}, countRequests(fake), "full pass: a start token, 1 list, a read per document, 1 batchGet")

	fake.ResetRequests()
	clk.Set(msk("2026-11-26", 18, 20))
	res, err = a.sync(t.Context(), day26)
	require.NoError(t, err)
	require.Zero(t, res.CRM.Pushed)
	require.Equal(t, 14, res.CRM.Unchanged)
	require.Equal(t, requestCount{drive: 1}, countRequests(fake), "unchanged poll: one changes.list")

	fake.ResetRequests()
	fake.PutDoc("1e03", textDoc("1e03", reportText("Четверг, 26 ноября", 99)))
	res, err = a.sync(t.Context(), day26)
	require.NoError(t, err)
	require.Equal(t, 1, res.CRM.Pushed)
	require.Equal(t, requestCount{drive: 1, docs: 1}, countRequests(fake), "one changed document: one read")
	for _, e := range res.Employees {
		if e.ID == "e03" {
			require.InDelta(t, 99, e.Metrics["new_calls"], 0)
		}
	}
}

// TestGoogleRoster: the employees come from the manager spreadsheet's
// Сотрудники tab; a bad row fails that row alone, with its row number.
func TestGoogleRoster(t *testing.T) {
	t.Parallel()
	fake := googlefake.New(t, googlefake.Options{})
	for i := range 3 {
		id := fmt.Sprintf("1r%d", i)
		fake.PutDoc(id, textDoc(id, reportText("Четверг, 26 ноября", 10+i)))
	}
	fake.PutSheet("1manager", "Отдел продаж", []googlefake.Tab{
		{Title: "Сводка", SheetID: 0},
		{Title: "Сотрудники", SheetID: 7, Rows: [][]any{
			{"id", "Имя", "report", "crm_user_id", "timezone", "Отпуск с", "Отпуск по"},
			{"anna", "Анна", gdoc.URL("1r0"), "17", "", "", ""},
			{"boris", "Борис", "https://docs.google.com/document/d/1r1/edit", "18", "Asia/Vladivostok", "", ""},
			{"vera", "Вера", "1r2", "19", "", "01.12.2026", "14.12.2026"},
			{},
			{"anna", "Анна 2", "1r2"},
			{"gleb", "Глеб", "1r2", "", "Mars/Olympus"},
		}},
	})
	tm := newTeam(t, "source: {kind: gdoc}\nroster: sheet\nsummary: {spreadsheet: \"https://docs.google.com/spreadsheets/d/1manager/edit#gid=7\"}\ngoogle: {endpoint: \""+fake.URL+"\"}\n")
	a := openApp(t, tm.Cfg, Options{Now: newClock(msk("2026-11-26", 12, 0)).Now, Google: fastGoogle(fake)})
	res, err := a.sync(t.Context(), day26)
	require.NoError(t, err)
	require.Equal(t, 2, res.Failed)
	var problems []string
	for _, e := range res.Employees {
		if e.Error != "" {
			problems = append(problems, e.Error)
		}
	}
	require.Equal(t, []string{"roster row 6: duplicate id (also row 2)", `roster row 7: unknown time zone "Mars/Olympus"`}, problems)
	got := map[string]float64{}
	for _, e := range res.Employees {
		if e.Error == "" {
			got[e.ID] = e.Metrics["new_calls"]
		}
	}
	require.Equal(t, map[string]float64{"anna": 10, "boris": 11, "vera": 12}, got)
	require.Len(t, builtinRecords(t, a), 3)
	// The summary went into the same spreadsheet; the roster tab is untouched.
	require.NotNil(t, res.Summary)
	require.Empty(t, res.Summary.Error)
	require.ElementsMatch(t, []string{"Сводка", "Сотрудники", "Воронка", "Отсутствия", "Проверка", "Динамика", "План-факт", "Итоги месяца"}, fake.SheetTitles("1manager"))
	require.Equal(t, "anna", fake.Cells("1manager", "Сотрудники")[1][0])
	require.Len(t, fake.Cells("1manager", "Сводка"), 4, "a header and three employees")
	emps := a.Employees()
	require.Equal(t, "Asia/Vladivostok", emps[1].Timezone)
	require.Equal(t, day.MustParse("2026-12-01"), emps[2].LeaveFrom)
}

// TestGoogleChipNotRead: an employee picked «Оплаты» from a dropdown chip,
// which the Docs API leaves out of the document. The pass says so, at the
// line, beside the error of the missing value: the employee learns to type
// the number.
func TestGoogleChipNotRead(t *testing.T) {
	t.Parallel()
	fake := googlefake.New(t, googlefake.Options{})
	doc := textDoc("1chip", reportText("Четверг, 26 ноября", 10))
	var kept []*docs.StructuralElement
	index := int64(1)
	for _, el := range doc.Body.Content {
		text := el.Paragraph.Elements[0].TextRun.Content
		if strings.HasPrefix(text, "Оплаты") {
			// "Оплаты: ", then a dropdown chip (an index the API gives no
			// element for), then the paragraph's end.
			el.Paragraph.Elements = []*docs.ParagraphElement{
				{StartIndex: index, EndIndex: index + 8, TextRun: &docs.TextRun{Content: "Оплаты: "}},
				{StartIndex: index + 9, EndIndex: index + 10, TextRun: &docs.TextRun{Content: "\n"}},
			}
			index += 10
		} else {
			n := int64(len([]rune(text)))
			el.Paragraph.Elements[0].StartIndex, el.Paragraph.Elements[0].EndIndex = index, index+n
			index += n
		}
		kept = append(kept, el)
	}
	doc.Body.Content = kept
	fake.PutDoc("1chip", doc)
	tm := newTeam(t, "source: {kind: gdoc}\ngoogle: {endpoint: \""+fake.URL+"\"}\nemployees:\n  - {id: anna, name: Анна, report: "+gdoc.URL("1chip")+"}\n")
	a := openApp(t, tm.Cfg, Options{Now: newClock(msk("2026-11-26", 12, 0)).Now, Google: fastGoogle(fake)})
	res, err := a.sync(t.Context(), day26)
	require.NoError(t, err)
	require.Len(t, res.Employees, 1)
	e := res.Employees[0]
	require.Equal(t, report.Invalid, e.Status, "the value is missing")
	var chip *report.FieldError
	for i := range e.Warnings {
		if e.Warnings[i].Code == report.CodeChipNotRead {
			chip = &e.Warnings[i]
		}
	}
	require.NotNil(t, chip, "%+v", e.Warnings)
	require.Equal(t, "Оплаты:", chip.Value)
	require.Contains(t, chip.Message, "напишите значение текстом")
	require.Positive(t, chip.Location.Line)
}
