package pass

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/store"
)

// encoderText is what FinishPass stored before: json.Encoder's text
// without its newline.
func encoderText(t *testing.T, m markedResult) string {
	t.Helper()
	var b strings.Builder
	require.NoError(t, json.NewEncoder(&b).Encode(m))
	return strings.TrimSuffix(b.String(), "\n")
}

// messyLine is an employee's line as passes make them, and worse: numbers
// that encode in other forms (-0, 1e21, 1e-7), text with what JSON escapes
// (quotes, HTML, U+2028, broken UTF-8, control characters), lists nil,
// empty and full.
func messyLine(rng *rand.Rand, i int) EmployeeResult {
	texts := []string{"", "Договорился о пилоте", `"кавычки" и \ слеш`, "<b>&amp;</b>", "line\u2028sep\u2029", "bad \xff utf8",
		"tab\tnew\nline\r", "\x01\x1f", "ё и е", "  "}
	nums := []float64{0, math.Copysign(0, -1), 1, 4.5, 1e21, 1e-7, 123456789.125, 0.1, -3, 1e20}
	l := EmployeeResult{ID: fmt.Sprintf("e%03d", i), Status: []report.Status{report.Submitted, report.Absent, report.Missing, report.Invalid}[rng.IntN(4)]}
	if rng.IntN(4) == 0 {
		l.Date = "2026-11-25"
	}
	if rng.IntN(5) > 0 {
		l.Metrics = map[string]float64{}
		for _, k := range []string{"new_calls", "kp_sent", "rating", "payments"}[:rng.IntN(5)] {
			l.Metrics[k] = nums[rng.IntN(len(nums))]
		}
	}
	l.Notes, l.LongTerm = texts[rng.IntN(len(texts))], texts[rng.IntN(len(texts))]
	switch rng.IntN(3) {
	case 0:
		l.Errors = []report.FieldError{}
	case 1:
		l.Errors = []report.FieldError{{Code: report.Code("range"), Field: "new_calls", Location: document.Location{Line: 3}, Value: "-2", Message: texts[rng.IntN(len(texts))]}}
	}
	if rng.IntN(3) == 0 {
		l.Warnings = []report.FieldError{{Code: report.Code("unknown_label"), Message: "Звонки <клиентам>"}}
	} else if rng.IntN(2) == 0 {
		l.Warnings = []report.FieldError{}
	}
	switch rng.IntN(3) {
	case 0:
		l.Flags = []crm.Flag{}
	case 1:
		v, w := nums[rng.IntN(len(nums))], nums[rng.IntN(len(nums))]
		at := time.Date(2026, 11, 25, 21, 30, 0, 5, time.UTC)
		l.Flags = []crm.Flag{{Code: "overstated", Metric: "new_calls", Reported: &v, Recorded: &w, Message: "reported", EditedAt: &at}}
	}
	l.Error = []string{"", "", "read: permission denied"}[rng.IntN(3)]
	l.Queued = rng.IntN(3) == 0
	return l
}

// nudge changes a line a little, as the next pass might: or not at all.
func nudge(rng *rand.Rand, l EmployeeResult) EmployeeResult {
	switch rng.IntN(12) {
	case 0:
		m := map[string]float64{}
		for k, v := range l.Metrics {
			m[k] = v
		}
		if v, ok := m["new_calls"]; ok && v == 0 {
			m["new_calls"] = -v // 0 and -0 are equal numbers, not equal text
		} else {
			m["new_calls"] = 7
		}
		l.Metrics = m
	case 1:
		if l.Metrics == nil {
			l.Metrics = map[string]float64{}
		} else {
			l.Metrics = nil
		}
	case 2:
		if l.Errors == nil {
			l.Errors = []report.FieldError{}
		} else if len(l.Errors) == 0 {
			l.Errors = nil
		}
	case 3:
		l.Notes += "."
	case 4:
		l.Queued = !l.Queued
	case 5:
		l.Status = report.Late
	case 6:
		if l.Warnings == nil {
			l.Warnings = []report.FieldError{}
		} else {
			l.Warnings = nil
		}
	case 7:
		l.Flags = nil
	case 8:
		l.Date = ""
	}
	return l
}

// TestStoredResultIsTheEncoders: the text a long-lived engine stores for a
// pass, made of the lines it stored before and the lines that changed, is
// byte for byte json.Encoder's text of the same result, over passes whose
// lines change a little or not at all; the mark and the result's other
// fields are encoded as before. An engine's first pass (a process of one
// pass) writes every line with appendLine, and keeps none. A result that does not encode is handed
// to the store as it is (which fails as it did).
func TestStoredResultIsTheEncoders(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 16))
	e := &Engine{}
	lines := make([]EmployeeResult, 300)
	for i := range lines {
		lines[i] = messyLine(rng, i)
	}
	at := time.Date(2026, 11, 25, 12, 20, 0, 0, time.FixedZone("MSK", 3*3600))
	reused := 0
	for pass := range 40 {
		if pass > 0 {
			for i := range lines {
				lines[i] = nudge(rng, lines[i])
			}
			if pass%7 == 0 { // the roster changed: one left, one came
				lines = append(slices.Clone(lines[1:]), messyLine(rng, 1000+pass))
			}
		}
		res := &Result{Date: "2026-11-25", Employees: slices.Clone(lines), Closed: pass % 3, CRM: CRMResult{Adapter: "builtin", Unchanged: 290},
			PassID: int64(100 + pass), Failed: pass % 2}
		if pass%3 == 0 {
			res.Summary = &SummaryResult{Path: "/tmp/summary <1>.xlsx", From: "2026-11-12", To: "2026-11-25"}
			res.Earlier = []EmployeeResult{messyLine(rng, 7)}
			res.Strays = []source.Stray{{File: "ivanv.txt", ID: "ivanv", Closest: "ivanov"}}
			res.Sent = []Sent{{Key: "k", To: "m@x", Subject: "Итоги & <дня>"}}
		}
		var mark *quietMark
		if pass%2 == 0 {
			mark = &quietMark{Key: "abc", At: at.Add(time.Duration(pass) * 20 * time.Minute), Summary: "fp", To: "2026-11-25"}
		}
		m := markedResult{Quiet: mark, Result: res}
		before := e.stored.lines
		for _, l := range res.Employees {
			if p, ok := before[l.ID]; ok && sameLine(p.line, l) {
				reused++
			}
		}
		got := e.storedResult(m)
		if pass == 0 {
			require.Nil(t, e.stored.lines, "an engine's first pass keeps no lines")
		}
		text, ok := got.(store.JSONText)
		require.True(t, ok, "pass %d: made as text", pass)
		require.Equal(t, encoderText(t, m), string(text), "pass %d", pass)
	}
	require.Greater(t, reused, 2000, "lines were taken as stored")

	// Nothing to make it of, or a line that does not encode: the result
	// itself, for the store to encode.
	noLines := markedResult{Result: &Result{Date: "2026-11-25"}}
	require.Equal(t, noLines, e.storedResult(noLines))
	bad := markedResult{Result: &Result{Date: "2026-11-25", Employees: []EmployeeResult{{ID: "x", Metrics: map[string]float64{"n": math.NaN()}}}}}
	require.Equal(t, bad, e.storedResult(bad))
	_, err := json.Marshal(bad)
	require.Error(t, err)
}

// TestSameLineKnowsEveryField: sameLine compares every field of a line
// (a field added to EmployeeResult must be added there too, or a stored
// result could keep its old text), and tells apart what encodes apart.
func TestSameLineKnowsEveryField(t *testing.T) {
	var names []string
	for f := range reflect.TypeFor[EmployeeResult]().Fields() {
		names = append(names, f.Name)
	}
	require.Equal(t, []string{"ID", "Date", "Status", "Metrics", "Notes", "LongTerm", "Errors", "Warnings", "Flags", "Error", "Queued",
		"unchanged", "factsMissing", "kept"}, names, "a new field of EmployeeResult: compare it in sameLine (the unexported ones do not encode)")

	base := EmployeeResult{ID: "anna", Status: report.Submitted, Metrics: map[string]float64{"new_calls": 0}, Errors: []report.FieldError{}, Flags: []crm.Flag{}}
	require.True(t, sameLine(base, base))
	same := base
	same.Metrics = map[string]float64{"new_calls": 0}
	same.unchanged, same.factsMissing = true, true // not encoded
	require.True(t, sameLine(base, same))
	for name, change := range map[string]func(*EmployeeResult){
		"id":             func(l *EmployeeResult) { l.ID = "boris" },
		"date":           func(l *EmployeeResult) { l.Date = "2026-11-24" },
		"status":         func(l *EmployeeResult) { l.Status = report.Late },
		"-0":             func(l *EmployeeResult) { l.Metrics = map[string]float64{"new_calls": math.Copysign(0, -1)} },
		"another metric": func(l *EmployeeResult) { l.Metrics = map[string]float64{"kp_sent": 0} },
		"no metrics":     func(l *EmployeeResult) { l.Metrics = nil },
		"notes":          func(l *EmployeeResult) { l.Notes = "x" },
		"long term":      func(l *EmployeeResult) { l.LongTerm = "x" },
		"errors nil":     func(l *EmployeeResult) { l.Errors = nil },
		"an error":       func(l *EmployeeResult) { l.Errors = []report.FieldError{{Message: "x"}} },
		"a warning":      func(l *EmployeeResult) { l.Warnings = []report.FieldError{{Message: "x"}} },
		"flags nil":      func(l *EmployeeResult) { l.Flags = nil },
		"a flag":         func(l *EmployeeResult) { l.Flags = []crm.Flag{{Code: "overstated"}} },
		"error":          func(l *EmployeeResult) { l.Error = "x" },
		"queued":         func(l *EmployeeResult) { l.Queued = true },
	} {
		other := base
		change(&other)
		require.False(t, sameLine(base, other), name)
		require.False(t, sameLine(other, base), name)
	}
	// A line with lists is never taken as stored, even when equal.
	full := base
	full.Errors = []report.FieldError{{Message: "x"}}
	require.False(t, sameLine(full, full))
	nan := EmployeeResult{ID: "x", Metrics: map[string]float64{"n": math.Inf(1)}}
	require.False(t, sameLine(nan, nan))
}

// TestAppendLineIsTheEncoders: appendLine writes json.Encoder's text of a
// line, over messy lines (numbers in every form, text JSON escapes, lists
// nil, empty and full) and over single values at the edges of its
// shortcuts; a line that does not encode is refused, as the Encoder
// fails on it.
func TestAppendLineIsTheEncoders(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 17))
	encode := func(l EmployeeResult) (string, error) {
		var b strings.Builder
		err := json.NewEncoder(&b).Encode(l)
		return strings.TrimSuffix(b.String(), "\n"), err
	}
	check := func(l EmployeeResult) {
		t.Helper()
		want, err := encode(l)
		got, ok := appendLine(nil, &l)
		if err != nil {
			require.False(t, ok, "%+v encodes with an error: %v", l, err)
			return
		}
		require.True(t, ok)
		require.Equal(t, want, string(got))
	}
	for i := range 3000 {
		l := messyLine(rng, i)
		for range rng.IntN(3) {
			l = nudge(rng, l)
		}
		check(l)
	}
	texts := []string{"", "a", "\x7f", "\u00a0", "é", "\u2027", "\u2028", "\u2029", "\u202a", "\xe2\x80", "\xed\xa0\x80", "\U0001F600",
		"a&b", "<", ">", `\`, `"`, "'", "/", "\x00", "\x1f", " ", "~", "\ufffd", "Сотрудник №5: «ок»"}
	nums := []float64{0, math.Copysign(0, -1), 1e-6, 9.99999e-7, 1e-7, 1.5e-300, 1e21, 9.99e20, 1e20, 123456789012345678, 0.1 + 0.2,
		-1e-7, -1e21, math.MaxFloat64, math.SmallestNonzeroFloat64, 5e-324, 1e100, 1e-100, math.NaN(), math.Inf(1), math.Inf(-1)}
	for _, s := range texts {
		check(EmployeeResult{ID: s, Date: s, Status: report.Status(s), Notes: s, LongTerm: s, Error: s, Metrics: map[string]float64{s: 1, s + "z": 2}})
	}
	for _, f := range nums {
		check(EmployeeResult{ID: "e", Metrics: map[string]float64{"a": f}})
		check(EmployeeResult{ID: "e", Metrics: map[string]float64{"a": 1, "b": f, "c": 2}})
	}
	// Many keys: sorted as encoding/json sorts them.
	many := map[string]float64{}
	for i := range 40 {
		many[fmt.Sprintf("k%d", rng.IntN(1000))] = float64(i)
		many[texts[rng.IntN(len(texts))]+"x"] = float64(i) / 3
	}
	check(EmployeeResult{ID: "e", Metrics: many})
	check(EmployeeResult{})
}

// TestDetachLine: a line made from the reads the state kept is the same
// line after detachLine, with not one string left inside their buffer (one
// left would keep all of it until the pass ends).
func TestDetachLine(t *testing.T) {
	buf := strings.Repeat("x", 1<<10) + `submitted|new_calls|payments|договорились о пилоте|рост повторных продаж`
	piece := func(s string) string {
		i := strings.Index(buf, s)
		require.GreaterOrEqual(t, i, 0)
		return buf[i : i+len(s)]
	}
	inside := func(s string) bool {
		if s == "" {
			return false
		}
		p, lo := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(buf)))
		return p >= lo && p < lo+uintptr(len(buf))
	}
	line := EmployeeResult{ID: "anna", Status: report.Status(piece("submitted")),
		Metrics: map[string]float64{piece("new_calls"): 12, piece("payments"): 0},
		Notes:   piece("договорились о пилоте"), LongTerm: piece("рост повторных продаж"),
		Errors: []report.FieldError{}, Flags: []crm.Flag{}, kept: true}
	want := line
	want.Metrics = maps.Clone(line.Metrics)
	want.kept = false
	r := &run{res: &Result{Employees: []EmployeeResult{line}}}
	r.detachLines()
	got := r.res.Employees[0]
	require.Equal(t, want, got)
	require.False(t, inside(string(got.Status)) || inside(got.Notes) || inside(got.LongTerm))
	for k := range got.Metrics {
		require.False(t, inside(k), k)
	}
	// A line judged from its document is left as it is.
	r.res.Employees[0] = line
	r.res.Employees[0].kept = false
	r.detachLines()
	require.True(t, inside(r.res.Employees[0].Notes))
}
