package app

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/pass"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/summary/xlsx"
)

const demoGolden = "../../testdata/demo/crm.golden.json"

var (
	demoFrom = day.MustParse("2026-10-26")
	demoTo   = day.MustParse("2026-11-06")
	// demoNow is well after the demo fortnight: every day is closed.
	demoNow = msk("2026-11-26", 12, 0)
)

var demoRoster = []string{"ivanov", "petrova", "sidorov", "morozova", "smirnova", "kuznetsov", "popova", "volkov", "orlova"}

// demoExceptions are the employee-days of the demo that are not "submitted".
var demoExceptions = map[string]map[string]report.Status{
	"2026-10-28": {"volkov": report.Invalid},
	"2026-10-29": {"kuznetsov": report.Absent},
	"2026-11-02": {"smirnova": report.OnLeave},
	"2026-11-03": {"smirnova": report.OnLeave},
	"2026-11-05": {"smirnova": report.OnLeave, "popova": report.Late},
	"2026-11-06": {"smirnova": report.OnLeave},
}

// goldenRecord is what the demo's CRM must hold for one key.
type goldenRecord struct {
	Status   report.Status      `json:"status"`
	Metrics  map[string]float64 `json:"metrics"`
	Notes    string             `json:"notes,omitempty"`
	LongTerm string             `json:"long_term,omitempty"`
	Errors   []string           `json:"errors,omitempty"`
	Flags    []crm.Flag         `json:"flags,omitempty"`
}

func runDemo(t *testing.T, a *App) *pass.BackfillResult {
	t.Helper()
	res, err := a.Backfill(t.Context(), demoFrom, demoTo, pass.BackfillOptions{Replay: true})
	require.NoError(t, err)
	return res
}

// TestDemoBackfill runs README command 1 in-process and checks every status
// of the fortnight, every number the builtin CRM ends up holding, and that a
// second run changes nothing.
func TestDemoBackfill(t *testing.T) {
	t.Parallel()
	_, a, res := replayedDemo(t) // runDemo on a new database, run once for the package

	// Nine working days: 4 November is a public holiday, weekends are off.
	dates := make([]string, 0, len(res.Days))
	for _, d := range res.Days {
		dates = append(dates, d.Date)
	}
	require.Equal(t, []string{"2026-10-26", "2026-10-27", "2026-10-28", "2026-10-29", "2026-10-30",
		"2026-11-02", "2026-11-03", "2026-11-05", "2026-11-06"}, dates)
	for _, d := range res.Days {
		want := map[string]string{}
		for _, id := range demoRoster {
			want[id] = string(report.Submitted)
			if s, ok := demoExceptions[d.Date][id]; ok {
				want[id] = string(s)
			}
		}
		require.Equal(t, want, statuses(d), "statuses on %s", d.Date)
		require.Zero(t, d.Failed, d.Date)
	}
	require.Zero(t, res.Failed)
	require.Zero(t, res.CRM.Failed)
	require.Zero(t, res.CRM.Queued)
	// 81 employee-days + ivanov's holiday report, and popova's 5 November
	// pushed twice: absent at the close, late the next morning.
	require.Equal(t, 83, res.CRM.Pushed)

	records := builtinRecords(t, a)
	require.Len(t, records, 82, "one record per employee-day, nothing duplicated")
	late := records[crm.Key("popova", day.MustParse("2026-11-05"))]
	require.Equal(t, report.Late, late.Status)
	require.Equal(t, map[string]float64{
		"new_calls": 21, "repeat_calls": 7, "proposals_sent": 4, "invoices_issued": 3,
		"contracts_signed": 0, "payments": 0, "feedback_calls": 3, "company_rating": 4.2,
	}, late.Metrics, "the late report's numbers replace the absence")
	holiday := records[crm.Key("ivanov", day.MustParse("2026-11-04"))]
	require.Equal(t, report.Submitted, holiday.Status, "a report on a holiday is kept")
	absent := records[crm.Key("kuznetsov", day.MustParse("2026-10-29"))]
	require.Equal(t, report.Absent, absent.Status)
	require.Empty(t, absent.Metrics)
	invalid := records[crm.Key("volkov", day.MustParse("2026-10-28"))]
	require.Equal(t, report.Invalid, invalid.Status)
	require.NotEmpty(t, invalid.Errors)
	// Verification: volkov's calls against the CRM's telephony, kuznetsov's
	// pasted numbers; everyone else is clean.
	var flagged []string
	for _, k := range sortedKeys(records) {
		for _, f := range records[k].Flags {
			flagged = append(flagged, k+" "+f.Code+" "+f.Metric)
		}
	}
	require.Equal(t, []string{
		"dayreport:kuznetsov:2026-11-05 copy_paste ", "dayreport:kuznetsov:2026-11-06 copy_paste ",
		"dayreport:volkov:2026-11-02 overstated new_calls", "dayreport:volkov:2026-11-03 overstated new_calls",
	}, flagged)
	over := records[crm.Key("volkov", day.MustParse("2026-11-02"))].Flags[0]
	require.InDelta(t, 27, *over.Reported, 0)
	require.InDelta(t, 12, *over.Recorded, 0)
	require.InDelta(t, 27, records[crm.Key("volkov", day.MustParse("2026-11-02"))].Metrics["new_calls"], 0, "a flag never changes the number")
	rating := records[crm.Key("petrova", day.MustParse("2026-11-05"))]
	require.InDelta(t, 4.5, rating.Metrics["company_rating"], 1e-9, "decimal-comma rating")

	// Every number of every record, against the reviewed golden file.
	got := map[string]goldenRecord{}
	for k, r := range records {
		got[k] = goldenRecord{Status: r.Status, Metrics: r.Metrics, Notes: r.Notes, LongTerm: r.LongTerm, Errors: r.Errors, Flags: r.Flags}
	}
	if *update {
		b, err := json.MarshalIndent(got, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(demoGolden, append(b, '\n'), 0o644))
	}
	b, err := os.ReadFile(demoGolden)
	require.NoError(t, err, "run go test ./pkg/app -run TestDemoBackfill -update")
	var want map[string]goldenRecord
	require.NoError(t, json.Unmarshal(b, &want))
	require.Equal(t, want, got)

	// The same backfill again pushes nothing and stores nothing new.
	again := runDemo(t, a)
	require.Zero(t, again.CRM.Pushed)
	require.Equal(t, 81, again.CRM.Unchanged)
	for _, d := range again.Days {
		require.Empty(t, d.Earlier, d.Date)
	}
	require.Equal(t, records, builtinRecords(t, a))
}

// TestDemoWithoutReplay is a first install over a past fortnight: no pass ran
// on those days, so nothing is late (SPEC §5), and what is missing is absent.
func TestDemoWithoutReplay(t *testing.T) {
	t.Parallel()
	cfg := loadDemo(t, filepath.Join(t.TempDir(), "demo.db"))
	a := openApp(t, cfg, Options{Now: newClock(demoNow).Now})
	res, err := a.Backfill(t.Context(), demoFrom, demoTo, pass.BackfillOptions{})
	require.NoError(t, err)
	for _, d := range res.Days {
		for id, s := range statuses(d) {
			want := report.Submitted
			if ex, ok := demoExceptions[d.Date][id]; ok {
				want = ex
			}
			if want == report.Late {
				want = report.Submitted // no evidence of lateness without a replay
			}
			require.Equal(t, string(want), s, "%s on %s", id, d.Date)
		}
	}
	require.Len(t, builtinRecords(t, a), 82)
}

// TestDemoSummary: the backfill ends with the manager's workbook of the
// fortnight, and the model behind it holds every employee-day.
func TestDemoSummary(t *testing.T) {
	t.Parallel()
	cfg, a, res := replayedDemo(t)
	require.NotNil(t, res.Summary)
	require.Empty(t, res.Summary.Error)
	require.Equal(t, "2026-10-26", res.Summary.From)
	require.Equal(t, "2026-11-06", res.Summary.To)

	m, err := a.Summary(t.Context(), demoTo)
	require.NoError(t, err)
	require.Len(t, m.Days, 82, "81 working employee-days and ivanov's holiday report")
	require.Equal(t, "ivanov", m.Days[0].Employee, "by date, then roster order")
	require.Equal(t, "Иван Иванов", m.Days[0].Name)
	for _, r := range m.Days {
		if r.Status == report.Invalid {
			require.Equal(t, "volkov", r.Employee)
			require.Equal(t, "строка 21: «Звонки по обратной связи»: значение не указано (и ещё 1)", r.Reason,
				"an invalid day's row says why")
		} else {
			require.Empty(t, r.Reason)
		}
	}
	require.Len(t, m.Absences, 2)
	require.Equal(t, "kuznetsov", m.Absences[0].Employee)
	require.Equal(t, report.Absent, m.Absences[0].Status)
	require.Equal(t, "popova", m.Absences[1].Employee)
	require.Equal(t, "сдан с опозданием", m.Absences[1].StatusLabel)
	require.Len(t, m.Checks, 4)
	require.Equal(t, "volkov", m.Checks[0].Employee)
	require.Equal(t, "Новые звонки", m.Checks[0].MetricLabel)
	require.Equal(t, "kuznetsov", m.Checks[2].Employee)
	require.Equal(t, "invoices_issued", m.Funnel.Weakest.From)
	require.Equal(t, "company_rating", m.Columns[len(m.Columns)-1].Key)
	require.True(t, m.Columns[len(m.Columns)-1].Rating)

	f, err := excelize.OpenFile(cfg.Summary.XLSX)
	require.NoError(t, err)
	defer func() { require.NoError(t, f.Close()) }()
	require.Equal(t, []string{"Сводка", "Воронка", "Отсутствия", "Проверка", "Динамика", "План-факт", "Итоги месяца"}, f.GetSheetList())
	rows, err := f.GetRows("Сводка")
	require.NoError(t, err)
	require.Len(t, rows, 83, "a header and 82 employee-days")

	// The pass wrote the workbook from a lazy model (its days read from
	// the state as the tabs are written, the absences and checks gathered
	// on the way): every tab shows what the model held whole shows.
	var whole bytes.Buffer
	require.NoError(t, xlsx.Encode(&whole, m))
	w, err := excelize.OpenReader(&whole)
	require.NoError(t, err)
	defer func() { require.NoError(t, w.Close()) }()
	for _, tab := range f.GetSheetList() {
		got, err := f.GetRows(tab)
		require.NoError(t, err)
		want, err := w.GetRows(tab)
		require.NoError(t, err)
		require.Equal(t, want, got, tab)
	}
}

// TestDemoWritesNothingInTheRepository: the demo's configuration names
// ../out/demo.db and ../out/summary.xlsx inside the repository; the tests
// that run it put both in their own temporary folder, and a backfill
// leaves the repository's out/ as it was.
func TestDemoWritesNothingInTheRepository(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := loadDemo(t, filepath.Join(dir, "demo.db"))
	for _, p := range []string{cfg.State.Path, cfg.Summary.XLSX} {
		rel, err := filepath.Rel(dir, p)
		require.NoError(t, err)
		require.False(t, filepath.IsAbs(rel) || rel == ".." || len(rel) > 2 && rel[:3] == "../", "%s is outside the test's folder", p)
	}
	repoOut, err := filepath.Abs("../../out/summary.xlsx")
	require.NoError(t, err)
	before, beforeErr := os.Stat(repoOut)
	a := openApp(t, cfg, Options{Now: newClock(demoNow).Now})
	_, err = a.Backfill(t.Context(), demoFrom, demoFrom.AddDays(1), pass.BackfillOptions{})
	require.NoError(t, err)
	_, err = os.Stat(cfg.Summary.XLSX)
	require.NoError(t, err, "the summary went to the test's folder")
	after, afterErr := os.Stat(repoOut)
	require.Equal(t, beforeErr == nil, afterErr == nil)
	if beforeErr == nil {
		require.Equal(t, before.ModTime(), after.ModTime())
	}
}
