package xlsx_test

import (
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/plan"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/dayreport/dayreport/pkg/summary/xlsx"
)

// largeModel is a team of n employees over days days, with every tab full:
// nine metric columns, a note on every third day, an absence or a late day
// for every fifth, a verification flag for every seventh, and a funnel per
// employee.
func largeModel(n, days int) *summary.Model {
	keys := []string{"calls", "repeat", "proposals", "invoices", "signed", "paid", "meetings", "emails", "rating"}
	var cols []summary.Column
	for _, k := range keys {
		cols = append(cols, summary.Column{Key: k, Label: k, Rating: k == "rating"})
	}
	from := day.New(2026, time.March, 2)
	m := &summary.Model{
		Lang: "ru", From: from, To: from.AddDays(days - 1),
		Generated: time.Date(2026, time.March, 12, 18, 0, 0, 0, time.UTC),
		Columns:   cols,
		Names:     map[string]string{},
	}
	statuses := []report.Status{report.Submitted, report.Submitted, report.Late, report.Submitted, report.Absent}
	res := &funnel.Result{From: "2026-03-02", To: "2026-03-11",
		Funnel:   funnel.Funnel{Stages: stages(stageLabels, 1000, 400, 200, 100, 30, 20), Days: days},
		Statuses: map[report.Status]int{}}
	for e := range n {
		id := fmt.Sprintf("emp%05d", e)
		name := fmt.Sprintf("Сотрудник Номер %d", e)
		m.Names[id] = name
		emp := funnel.Employee{ID: id, Funnel: funnel.Funnel{Stages: stages(stageLabels, 100, 40, 20, 10, 3, 2), Days: days},
			Statuses: map[report.Status]int{}}
		for d := range days {
			st := statuses[(e+d)%len(statuses)]
			r := summary.DayRow{Date: from.AddDays(d), Employee: id, Name: name, Status: st,
				StatusLabel: st.Label("ru"), Metrics: map[string]float64{}}
			if st != report.Absent {
				for i, k := range keys {
					r.Metrics[k] = float64((e + d + i) % 50)
				}
				r.Metrics["rating"] = 4.5
			}
			if (e+d)%3 == 0 {
				r.Notes = "Клиент просит скидку, перезвонить в пятницу"
			}
			if (e+d)%7 == 0 {
				r.Flags = []string{"звонков больше, чем в CRM"}
				m.Checks = append(m.Checks, summary.CheckRow{Date: r.Date, Employee: id, Name: name,
					Code: "more_than_crm", Metric: "calls", MetricLabel: "Звонки", Reported: ptr(60), Recorded: ptr(48),
					Message: "в отчёте 60 звонков, в CRM 48"})
			}
			m.Days = append(m.Days, r)
			if st == report.Absent || st == report.Late {
				m.Absences = append(m.Absences, r)
			}
			emp.Statuses[st]++
			res.Statuses[st]++
		}
		res.Employees = append(res.Employees, emp)
	}
	m.Funnel = res
	return m
}

// monthReviews are the Итоги месяца of n employees (those of largeModel)
// for November 2026 to the 17th and for October: days by status, totals,
// flags and, for every every-th employee, notes on notes days of November
// (every other one with a long-term text too, one a formula to stay text).
func monthReviews(n, every, notes int) []*plan.Review {
	cur := &plan.Review{Month: "2026-11", Date: "2026-11-17"}
	prev := &plan.Review{Month: "2026-10", Date: "2026-10-31"}
	for e := range n {
		id := fmt.Sprintf("emp%05d", e)
		r := plan.EmployeeReview{ID: id, Name: fmt.Sprintf("Сотрудник Номер %d", e),
			Days:   map[report.Status]int{report.Submitted: 10 + e%7, report.Absent: e % 3},
			Totals: map[string]float64{"calls": float64(100 + e), "signed": float64(e % 9)}, Flags: map[string]int{}}
		if e%7 == 0 {
			r.Flags["more_than_crm"] = 1 + e%3
		}
		prev.Employees = append(prev.Employees, r)
		if e%every == 0 {
			for d := range notes {
				note := plan.Note{Date: day.New(2026, time.November, 2+d).String(), Notes: "договорился о пилоте с новым клиентом"}
				if d%2 == 1 {
					note.LongTerm = "это даёт рост повторных продаж"
				}
				if e == 0 && d == 0 {
					note.Notes = "=HYPERLINK(\"x\")"
				}
				r.Notes = append(r.Notes, note)
			}
		}
		cur.Employees = append(cur.Employees, r)
	}
	return []*plan.Review{cur, prev}
}

// BenchmarkWriteLarge encodes the workbook of 10 000 employees over 10 days,
// with the month reviews of the Итоги месяца tab (a note on each of 12 days
// of every employee).
// Both metrics count the heap above what the model held before the write
// began: MiB-peak-heap is the most heap in use (runtime.MemStats.HeapInuse,
// garbage not yet collected included: what the process's memory follows),
// MiB-peak-live the most heap a collection found still reachable.
func BenchmarkWriteLarge(b *testing.B) {
	m := largeModel(10000, 10)
	m.Plan = &summary.PlanModel{Reviews: monthReviews(10000, 1, 12), NotesLabel: "Решённые задачи", LongTermLabel: "Что это даст"}
	b.ReportAllocs()
	b.ResetTimer()
	var (
		peak heapPeak
		size countingWriter
	)
	for range b.N {
		b.StopTimer()
		runtime.GC()
		base := readHeap()
		stop, top := sampleHeap()
		b.StartTimer()

		size = 0
		if err := xlsx.Encode(&size, m); err != nil {
			b.Fatal(err)
		}

		b.StopTimer()
		close(stop)
		p := <-top
		peak.inuse = max(peak.inuse, p.inuse-min(p.inuse, base.inuse))
		peak.live = max(peak.live, p.live-min(p.live, base.live))
		b.StartTimer()
	}
	b.ReportMetric(float64(peak.inuse)/(1<<20), "MiB-peak-heap")
	b.ReportMetric(float64(peak.live)/(1<<20), "MiB-peak-live")
	b.ReportMetric(float64(size)/(1<<20), "MiB-workbook")
}

// BenchmarkRewriteOneChanged: the workbook of BenchmarkWriteLarge written
// again over itself with one employee's number changed, as a pass that
// read one changed report does: every segment of rows but that row's is
// copied (segments.go).
func BenchmarkRewriteOneChanged(b *testing.B) {
	m := largeModel(10000, 10)
	m.Plan = &summary.PlanModel{Reviews: monthReviews(10000, 1, 12), NotesLabel: "Решённые задачи", LongTermLabel: "Что это даст"}
	path := filepath.Join(b.TempDir(), "summary.xlsx")
	if err := xlsx.Write(path, m); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	copied := 0
	for b.Loop() {
		m.Days[len(m.Days)/2].Metrics["calls"]++
		n, err := xlsx.WriteCopying(path, m)
		if err != nil {
			b.Fatal(err)
		}
		copied = n
	}
	b.ReportMetric(float64(copied), "segments-copied")
}

// countingWriter counts what is written to it, and keeps none of it.
type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

type heapPeak struct{ inuse, live uint64 }

// readHeap reads the heap in use and the heap live at the last collection.
func readHeap() heapPeak {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	h := heapPeak{inuse: ms.HeapInuse}
	if live[0].Value.Kind() == metrics.KindUint64 {
		h.live = live[0].Value.Uint64()
	}
	return h
}

// sampleHeap reads the heap every 20 ms until stop is closed, then sends
// the highest readings on top.
func sampleHeap() (stop chan struct{}, top chan heapPeak) {
	stop, top = make(chan struct{}), make(chan heapPeak, 1)
	go func() {
		var peak heapPeak
		read := func() {
			h := readHeap()
			if h.live > peak.live {
				peakProfile()
			}
			peak.inuse, peak.live = max(peak.inuse, h.inuse), max(peak.live, h.live)
		}
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				read()
			case <-stop:
				read()
				top <- peak
				return
			}
		}
	}()
	return stop, top
}
