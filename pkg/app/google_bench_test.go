package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dayreport/dayreport/pkg/google"
	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
)

// BenchmarkGooglePass1000 runs a pass over 1000 employees against the fake
// with Google's quotas enforced and time-scaled (a minute lasts 6 s): 900
// write in Docs, 100 in 10 shared spreadsheets. It reports the Google
// requests of a full pass and of a poll where nothing changed, and the full
// pass's wall time over the quota floor (Docs reads ÷ 300 a minute).
//
//	go test ./pkg/app -run '^$' -bench GooglePass1000 -benchtime 1x
func BenchmarkGooglePass1000(b *testing.B) {
	const (
		docsN, sheetsN, perSheet = 900, 10, 10
		scale                    = 10.0
	)
	for b.Loop() {
		fake := googlefake.New(b, googlefake.Options{TimeScale: scale})
		var roster strings.Builder
		for i := range docsN {
			id := fmt.Sprintf("1d%04d", i)
			fake.PutDoc(id, textDoc(id, reportText("Четверг, 26 ноября", 10+i%30)))
			fake.SetFileParent(id, "folder1")
			fmt.Fprintf(&roster, "  - {id: d%04d, name: d%04d, report: %s}\n", i, i, gdoc.URL(id))
		}
		for s := range sheetsN {
			id := fmt.Sprintf("1s%02d", s)
			var tabs []googlefake.Tab
			for j := range perSheet {
				tab := fmt.Sprintf("Сотрудник %d", j)
				tabs = append(tabs, rowSheet(tab, int64(j), float64(20+j)))
				fmt.Fprintf(&roster, "  - {id: s%02d%02d, name: s%02d%02d, report: \"%s#%s\"}\n", s, j, s, j, id, tab)
			}
			fake.PutSheet(id, "Отдел", tabs)
			fake.SetFileParent(id, "folder1")
		}
		require := func(err error) {
			if err != nil {
				b.Fatal(err)
			}
		}
		tm := newTeam(b, "source: {kind: gdoc}\ngoogle: {endpoint: \""+fake.URL+"\", folder: folder1}\nemployees:\n"+roster.String())
		clk := newClock(msk("2026-11-26", 18, 0))
		a := openApp(b, tm.Cfg, Options{Now: clk.Now, Google: func(o *google.Options) {
			o.HTTPClient = fake.Client()
			// The client's limiters, scaled like the fake's clock.
			o.DocsReadsPerMinute = int(google.DefaultDocsReadsPerMinute * scale)
			o.ReadsPerMinute = int(google.DefaultSheetsReadsPerMinute * scale)
			o.DriveQueriesPerMinute = int(google.DefaultDriveQueriesPerMinute * scale)
		}})

		started := time.Now()
		res, err := a.sync(b.Context(), day26)
		require(err)
		wall := time.Since(started)
		full := len(fake.Requests())
		if res.Failed > 0 || res.CRM.Pushed != docsN+sheetsN*perSheet {
			b.Fatalf("failed %d, pushed %d", res.Failed, res.CRM.Pushed)
		}
		floor := time.Duration(float64(docsN) / (google.DefaultDocsReadsPerMinute * scale) * float64(time.Minute))

		fake.ResetRequests()
		clk.Set(msk("2026-11-26", 18, 20))
		_, err = a.sync(b.Context(), day26)
		require(err)
		poll := len(fake.Requests())

		b.ReportMetric(float64(full), "requests/full-pass")
		// The goal: a read per Doc and per spreadsheet, Drive's start
		// token and listing, and 3 to spare.
		b.ReportMetric(float64(docsN+sheetsN+2+3), "goal-requests/full-pass")
		b.ReportMetric(float64(poll), "requests/unchanged-poll")
		b.ReportMetric(wall.Seconds()/floor.Seconds(), "wall/floor")
		b.ReportMetric(wall.Seconds(), "pass-s")
	}
}
