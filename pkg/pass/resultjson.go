package pass

import (
	"encoding/json"
	"math"
	"strings"
	"sync"
	"unsafe"

	"github.com/dayreport/dayreport/pkg/store"
)

// The pass history keeps each pass's result as JSON: for 10 000 employees
// some 5 MB, which encoding/json took a tenth of a CPU-second to write on
// every poll of the daemon, though on a quiet poll every employee's line
// is the one the poll before wrote. A long-lived engine keeps the text of
// the lines it stored last and writes again only the lines that differ;
// the text is byte for byte what json.Encoder gives
// (TestStoredResultIsTheEncoders).

// storedLines are the lines of the previous stored result, by employee
// (mu guards them).
type storedLines struct {
	mu sync.Mutex
	// ran: the engine stored a result before.
	ran   bool
	lines map[string]storedLine
}

// storedLine is one employee's line as stored and its text.
type storedLine struct {
	line EmployeeResult
	text string
}

// employeesNull is the employees' key and value in a result encoded
// without them: the place their text goes. The key comes right after the
// pass date (and dry_run), and what comes before it is the quiet mark's
// and the date's strings, in which a quote is always escaped: the first
// match is the key.
const employeesNull = `,"employees":null,`

// storedResult is what finishPass hands the pass history: the text of m as
// json.Encoder writes it (the newline aside), with the lines the previous
// pass stored taken as they were and the rest written by appendLine; m
// itself when it cannot be made that way (the store then encodes it, and
// fails as it would).
func (e *Engine) storedResult(m markedResult) any {
	lines := m.Employees
	if lines == nil || e.DryRun {
		return m
	}
	// An engine's first pass has no lines stored before, and keeps none:
	// a process that runs one pass (a cron's sync) has no use for the
	// lines' texts. The daemon's second poll keeps them for the third.
	e.stored.mu.Lock()
	first := !e.stored.ran
	e.stored.ran = true
	prev := e.stored.lines
	e.stored.mu.Unlock()
	shell := *m.Result
	shell.Employees = nil
	var head strings.Builder
	if err := json.NewEncoder(&head).Encode(markedResult{Quiet: m.Quiet, Result: &shell}); err != nil {
		return m
	}
	h := strings.TrimSuffix(head.String(), "\n")
	at := strings.Index(h, employeesNull)
	if at < 0 {
		return m
	}
	out := make([]byte, 0, len(h)+512*len(lines))
	out = append(out, h[:at]...)
	out = append(out, `,"employees":[`...)
	var spans [][2]int
	if !first {
		spans = make([][2]int, len(lines))
	}
	for i := range lines {
		if i > 0 {
			out = append(out, ',')
		}
		start := len(out)
		if p, ok := prev[lines[i].ID]; ok && sameLine(p.line, lines[i]) {
			out = append(out, p.text...)
		} else {
			var ok bool
			if out, ok = appendLine(out, &lines[i]); !ok {
				return m
			}
		}
		if spans != nil {
			spans[i] = [2]int{start, len(out)}
		}
	}
	out = append(out, `],`...)
	out = append(out, h[at+len(employeesNull):]...)
	text := unsafe.String(unsafe.SliceData(out), len(out)) // out is not written again
	if first {
		return store.JSONText(text)
	}
	// The lines' texts are kept as pieces of the text stored (one string,
	// no copy of its own).
	next := make(map[string]storedLine, len(lines))
	for i := range lines {
		next[lines[i].ID] = storedLine{line: lines[i], text: text[spans[i][0]:spans[i][1]]}
	}
	e.stored.mu.Lock()
	e.stored.lines = next
	e.stored.mu.Unlock()
	return store.JSONText(text)
}

// sameLine reports whether a and b encode to the same text, comparing what
// costs little: every field but the lists, which only a line with none on
// either side (both nil, or both empty and not nil) passes.
func sameLine(a, b EmployeeResult) bool {
	if a.ID != b.ID || a.Date != b.Date || a.Status != b.Status || a.Notes != b.Notes || a.LongTerm != b.LongTerm ||
		a.Error != b.Error || a.Queued != b.Queued {
		return false
	}
	if !emptyAlike(len(a.Errors), a.Errors == nil, len(b.Errors), b.Errors == nil) ||
		!emptyAlike(len(a.Warnings), a.Warnings == nil, len(b.Warnings), b.Warnings == nil) ||
		!emptyAlike(len(a.Flags), a.Flags == nil, len(b.Flags), b.Flags == nil) {
		return false
	}
	if (a.Metrics == nil) != (b.Metrics == nil) || len(a.Metrics) != len(b.Metrics) {
		return false
	}
	for k, v := range a.Metrics {
		w, ok := b.Metrics[k]
		// The same bits are the same text (-0 is not 0); NaN and the
		// infinities do not encode at all.
		if !ok || math.Float64bits(v) != math.Float64bits(w) || math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// emptyAlike: two lists both empty and encoded alike (null, or []).
func emptyAlike(n int, isNil bool, m int, mNil bool) bool {
	return n == 0 && m == 0 && isNil == mNil
}
