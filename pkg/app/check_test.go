package app

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

const reportsDir = "../../testdata/reports"

// fixtureToday is "today" for every fixture: year-less dates resolve around it.
var fixtureToday = day.MustParse("2026-11-26")

func reportFixtures(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, ext := range []string{"*.txt", "*.md", "*.csv"} {
		m, err := filepath.Glob(filepath.Join(reportsDir, ext))
		require.NoError(t, err)
		files = append(files, m...)
	}
	sort.Strings(files)
	require.GreaterOrEqual(t, len(files), 40, "the fixture corpus shrank")
	return files
}

// TestReportGoldens runs `check` on every fixture (newest day) and compares the
// JSON with testdata/reports/<file>.golden.json; -update rewrites them.
func TestReportGoldens(t *testing.T) {
	t.Parallel()
	tmpl := report.MustBuiltin("sales-ru")
	for _, file := range reportFixtures(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			res, err := CheckFile(CheckRequest{File: file, Today: fixtureToday, Lang: "ru", Template: tmpl})
			require.NoError(t, err)
			var got bytes.Buffer
			enc := json.NewEncoder(&got)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			require.NoError(t, enc.Encode(res))
			golden := file + ".golden.json"
			if *update {
				require.NoError(t, os.WriteFile(golden, got.Bytes(), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./pkg/app -run TestReportGoldens -update")
			require.JSONEq(t, string(want), got.String())
		})
	}
}

// expectation is one hand-written entry of testdata/reports/expect.yaml: what a
// correct parser must return, written from the spec independently of the code.
type expectation struct {
	File     string             `yaml:"file"`
	Date     string             `yaml:"date"`
	Status   string             `yaml:"status"`
	Metrics  map[string]float64 `yaml:"metrics"`
	Notes    *string            `yaml:"notes"`
	Errors   []expectedProblem  `yaml:"errors"`
	Warnings []expectedProblem  `yaml:"warnings"`
}

type expectedProblem struct {
	Field    string `yaml:"field"`
	Location string `yaml:"location"`
}

func TestReportExpectations(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(reportsDir, "expect.yaml"))
	require.NoError(t, err)
	var all []expectation
	require.NoError(t, yaml.Unmarshal(data, &all))
	require.NotEmpty(t, all)
	tmpl := report.MustBuiltin("sales-ru")
	covered := map[string]bool{}
	for _, e := range all {
		covered[e.File] = true
		t.Run(e.File+"@"+e.Date, func(t *testing.T) {
			t.Parallel()
			req := CheckRequest{File: filepath.Join(reportsDir, e.File), Today: fixtureToday, Lang: "en", Template: tmpl}
			if e.Date != "" {
				req.Date = day.MustParse(e.Date)
			}
			res, err := CheckFile(req)
			require.NoError(t, err)
			require.Equal(t, e.Status, string(res.Status), "status; errors: %v", res.Errors)
			want := e.Metrics
			if want == nil {
				want = map[string]float64{}
			}
			require.Equal(t, want, res.Metrics)
			if e.Notes != nil {
				require.Equal(t, *e.Notes, res.Notes)
			} else {
				require.Empty(t, res.Notes)
			}
			var gotErrs, wantErrs []string
			for _, p := range res.Errors {
				gotErrs = append(gotErrs, p.Field+" @ "+p.Location.String())
			}
			for _, p := range e.Errors {
				wantErrs = append(wantErrs, p.Field+" @ "+p.Location)
			}
			require.ElementsMatch(t, wantErrs, gotErrs, "errors: %v", res.Errors)
			var gotWarn, wantWarn []string
			for _, p := range res.Warnings {
				gotWarn = append(gotWarn, p.Location.String())
			}
			for _, p := range e.Warnings {
				wantWarn = append(wantWarn, p.Location)
			}
			require.ElementsMatch(t, wantWarn, gotWarn, "warnings: %v", res.Warnings)
		})
	}
	for _, file := range reportFixtures(t) {
		require.True(t, covered[filepath.Base(file)], "%s has no entry in expect.yaml", filepath.Base(file))
	}
}

func TestEmployeeFromFile(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ivanov.txt":                "ivanov",
		"dir/ivanov__basic.md":      "ivanov",
		"petrova.v2.csv":            "petrova.v2",
		"__odd.txt":                 "__odd",
		strings.Repeat("a", 3) + "": "aaa",
	} {
		require.Equal(t, want, EmployeeFromFile(in), in)
	}
}
