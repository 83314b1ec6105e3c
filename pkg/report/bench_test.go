package report

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dayreport/dayreport/pkg/document"
)

// BenchmarkParse reads every fixture of testdata/reports from raw bytes: the
// document is built, split into days, and every day parsed. It reports
// day-sections per second (goal: ≥ 20 000 on one core).
func BenchmarkParse(b *testing.B) {
	type fixture struct {
		ext  string
		data []byte
	}
	var fixtures []fixture
	for _, ext := range []string{".txt", ".md", ".csv"} {
		files, _ := filepath.Glob("../../testdata/reports/*" + ext)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			fixtures = append(fixtures, fixture{ext, data})
		}
	}
	if len(fixtures) == 0 {
		b.Skip("no fixtures")
	}
	tmpl := MustBuiltin("sales-ru")
	sections := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, fx := range fixtures {
			var doc *document.Document
			switch fx.ext {
			case ".txt":
				doc = document.FromText(string(fx.data))
			case ".md":
				doc = document.FromMarkdown(string(fx.data), ref)
			default:
				var err error
				if doc, _, err = document.FromCSV(fx.data, ref); err != nil {
					b.Fatal(err)
				}
			}
			secs, _ := doc.Sections(ref)
			for _, s := range secs {
				_ = Parse(tmpl, s, Options{})
			}
			sections += len(secs)
		}
	}
	b.ReportMetric(float64(sections)/b.Elapsed().Seconds(), "sections/s")
}
