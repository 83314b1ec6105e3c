package app

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source/local"
)

// largestReports writes the largest reports the budgets accept: a text of
// MaxLines lines filling the 32 MiB file cap; a CSV of MaxCells cells with
// long comments filling it; and the costliest bytes a report can have, a
// dense CSV of short numbers at MaxCells (a small file: about half a
// megabyte).
func largestReports(b *testing.B) map[string]string {
	b.Helper()
	dir := b.TempDir()
	files := map[string]string{}
	write := func(name, text string) {
		require.LessOrEqual(b, len(text), local.MaxFileSize, name)
		p := filepath.Join(dir, name)
		require.NoError(b, os.WriteFile(p, []byte(text), 0o644))
		files[name] = p
	}
	var t strings.Builder
	line := strings.Repeat("ж", 80) + "\n"
	for range document.MaxLines - 20 {
		t.WriteString(line)
	}
	t.WriteString(reportText("26.11.2026", 11))
	write("text.txt", t.String())

	head := "Дата;Новые звонки;Повторные звонки;Отправлено КП;Выставлено счетов и договоров;Подписано договоров;Оплаты;Комментарий\n"
	rows := min(document.MaxCells/8-1, document.MaxDays)
	note := strings.Repeat("ж", (local.MaxFileSize/rows-40)/2)
	var c strings.Builder
	c.WriteString(head)
	d := day.MustParse("2000-01-03")
	for i := range rows {
		fmt.Fprintf(&c, "%s;%d;%d;%d;%d;%d;%d;%s\n", d.AddDays(i).Russian(), i%50, i%20, i%7, i%5, i%3, i%2, note)
	}
	write("long.csv", c.String())

	c.Reset()
	c.WriteString(head)
	for i := range rows {
		fmt.Fprintf(&c, "%s;%d;%d;%d;%d;%d;%d;ок\n", d.AddDays(i).Russian(), i%50, i%20, i%7, i%5, i%3, i%2)
	}
	write("dense.csv", c.String())
	return files
}

// peakHeap runs f and returns the most heap its objects held meanwhile
// (sampled every millisecond), and what it allocated in all.
func peakHeap(f func()) (peak, total uint64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(sample)
	base, allocs := sample[0].Value.Uint64(), sample[1].Value.Uint64()
	var (
		mu   sync.Mutex
		high uint64
		stop = make(chan struct{})
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			mu.Lock()
			high = max(high, s[0].Value.Uint64())
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(stop)
	<-done
	metrics.Read(sample)
	mu.Lock()
	defer mu.Unlock()
	high = max(high, sample[0].Value.Uint64())
	return high - min(high, base), sample[1].Value.Uint64() - allocs
}

// BenchmarkCheckFileMemory is `check --file` on the largest reports the
// budgets accept: peak-x is the heap at its peak over the file's size (the
// issue's bar: at most 10 for the largest report), alloc-x what it
// allocated in all.
//
//	go test ./pkg/app -run '^$' -bench CheckFileMemory -benchtime 1x
func BenchmarkCheckFileMemory(b *testing.B) {
	files := largestReports(b)
	tmpl, err := report.Builtin("sales-ru")
	require.NoError(b, err)
	for _, name := range []string{"text.txt", "long.csv", "dense.csv"} {
		path := files[name]
		info, err := os.Stat(path)
		require.NoError(b, err)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				peak, total := peakHeap(func() {
					res, err := CheckFile(CheckRequest{File: path, Today: day.MustParse("2026-11-26"), Lang: "ru", Template: tmpl})
					require.NoError(b, err)
					require.NotEmpty(b, res.Date)
				})
				size := float64(info.Size())
				b.ReportMetric(size/(1<<20), "file-MiB")
				b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
				b.ReportMetric(float64(peak)/size, "peak-x")
				b.ReportMetric(float64(total)/size, "alloc-x")
			}
		})
	}
}
