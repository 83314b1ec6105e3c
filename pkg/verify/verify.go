// Package verify checks what an employee reported against what the CRM
// recorded and against the employee's own history, and raises flags (SPEC §7):
// "even the most detailed report cannot protect the company from deceit, so
// everything must be checked". A flag informs the manager; it never changes
// a reported number.
//
// The package is pure: it is given the day, the history and the facts.
package verify

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// Flag codes (SPEC §7).
const (
	Overstated   = "overstated"
	Inconsistent = "inconsistent"
	Outlier      = "outlier"
	CopyPaste    = "copy_paste"
	EditedLate   = "edited_late"
)

// Options are the thresholds; zero values take the defaults of SPEC §7.
type Options struct {
	Lang string
	// ToleranceAbs and TolerancePct: a reported number is overstated when it
	// exceeds the recorded one by more than max(abs, pct % of recorded).
	ToleranceAbs, TolerancePct float64
	// OutlierWindow working days of history are looked at (20); at least
	// OutlierMinHistory of them must have data (10); a value above
	// median + OutlierK × MAD is an outlier (5), the MAD scaled to σ.
	OutlierWindow, OutlierMinHistory int
	OutlierK                         float64
	// CopyRun is how many identical days in a row make copy_paste (3).
	CopyRun int
	// ConsistencyDays is the window of the inconsistency sums (5 working days).
	ConsistencyDays int
	// Pairs are (earlier, later) metrics where the later cannot exceed the
	// earlier over ConsistencyDays: default invoices → signed → payments.
	Pairs [][2]string
}

func (o Options) withDefaults() Options {
	if o.ToleranceAbs <= 0 {
		o.ToleranceAbs = 2
	}
	if o.TolerancePct <= 0 {
		o.TolerancePct = 20
	}
	if o.OutlierWindow <= 0 {
		o.OutlierWindow = 20
	}
	if o.OutlierMinHistory <= 0 {
		o.OutlierMinHistory = 10
	}
	if o.OutlierK <= 0 {
		o.OutlierK = 5
	}
	if o.CopyRun <= 0 {
		o.CopyRun = 3
	}
	if o.ConsistencyDays <= 0 {
		o.ConsistencyDays = 5
	}
	if o.Pairs == nil {
		o.Pairs = [][2]string{{"invoices_issued", "contracts_signed"}, {"contracts_signed", "payments"}}
	}
	return o
}

// Day is one working day of an employee: its metrics when there was a
// report with data, nil when there was none (absent, invalid, on leave).
type Day struct {
	Date    day.Date
	Metrics map[string]float64
}

// Edit is a change of a day's report made after the day's deadline.
type Edit struct {
	// At is when the changed version was first seen.
	At time.Time
	// Before and After are the numbers before and after the change.
	Before, After map[string]float64
}

// Input is what a day is checked with.
type Input struct {
	// Today is the day checked.
	Today Day
	// History holds the working days before Today, oldest first, the last
	// one being the working day just before (nil Metrics where no data).
	History []Day
	// Facts are what the CRM recorded for the employee that day, by metric
	// key; nil when the adapter reads no facts.
	Facts map[string]float64
	// LateEdit is set when the report was changed after the deadline.
	LateEdit *Edit
}

// Check returns the flags of a day, in a stable order: overstated,
// inconsistent, outlier, copy_paste, edited_late, metrics in template order.
func Check(t *report.Template, in Input, opts Options) []crm.Flag {
	opts = opts.withDefaults()
	c := checker{t: t, in: in, o: opts, lang: opts.Lang}
	c.overstated()
	c.inconsistent()
	c.outliers()
	c.copyPaste()
	c.editedLate()
	return c.flags
}

type checker struct {
	t     *report.Template
	in    Input
	o     Options
	lang  string
	flags []crm.Flag
}

// counts are the template's count metrics in order.
func (c *checker) counts() []report.Metric {
	var out []report.Metric
	for _, m := range c.t.Metrics {
		if m.Type == report.Count {
			out = append(out, m)
		}
	}
	return out
}

func (c *checker) add(code, metric string, reported, recorded *float64, msg string) {
	c.flags = append(c.flags, crm.Flag{Code: code, Metric: metric, Reported: reported, Recorded: recorded, Message: msg})
}

func ptr(x float64) *float64 { return &x }

// overstated: a number above what the CRM recorded by more than the tolerance.
func (c *checker) overstated() {
	if c.in.Facts == nil || c.in.Today.Metrics == nil {
		return
	}
	for _, m := range c.counts() {
		rec, ok := c.in.Facts[m.Key]
		rep, given := c.in.Today.Metrics[m.Key]
		if !ok || !given {
			continue
		}
		if rep-rec > math.Max(c.o.ToleranceAbs, rec*c.o.TolerancePct/100) {
			c.add(Overstated, m.Key, ptr(rep), ptr(rec), c.msg(
				fmt.Sprintf("«%s»: в отчёте %s, в CRM %s", m.Label("ru"), num(rep, "ru"), num(rec, "ru")),
				fmt.Sprintf("%q: reported %s, the CRM recorded %s", m.Label("en"), num(rep, "en"), num(rec, "en"))))
		}
	}
}

// inconsistent: a later funnel stage above the earlier one over the last days.
func (c *checker) inconsistent() {
	if c.in.Today.Metrics == nil {
		return
	}
	days := append(lastN(c.in.History, c.o.ConsistencyDays-1), c.in.Today)
	for _, p := range c.o.Pairs {
		a, okA := c.t.Metric(p[0])
		b, okB := c.t.Metric(p[1])
		if !okA || !okB {
			continue
		}
		var sa, sb float64
		for _, d := range days {
			sa += d.Metrics[p[0]]
			sb += d.Metrics[p[1]]
		}
		if sb > sa {
			c.add(Inconsistent, p[1], ptr(sb), ptr(sa), c.msg(
				fmt.Sprintf("за %d раб. дн.: «%s» %s больше, чем «%s» %s", len(days), b.Label("ru"), num(sb, "ru"), a.Label("ru"), num(sa, "ru")),
				fmt.Sprintf("over %d working days: %q %s exceeds %q %s", len(days), b.Label("en"), num(sb, "en"), a.Label("en"), num(sa, "en"))))
		}
	}
}

// outliers: a value far above the employee's own recent history.
func (c *checker) outliers() {
	if c.in.Today.Metrics == nil {
		return
	}
	hist := lastN(c.in.History, c.o.OutlierWindow)
	for _, m := range c.counts() {
		x, ok := c.in.Today.Metrics[m.Key]
		if !ok {
			continue
		}
		var vals []float64
		for _, d := range hist {
			if v, ok := d.Metrics[m.Key]; ok && d.Metrics != nil {
				vals = append(vals, v)
			}
		}
		if len(vals) < c.o.OutlierMinHistory {
			continue
		}
		med := median(vals)
		dev := make([]float64, len(vals))
		for i, v := range vals {
			dev[i] = math.Abs(v - med)
		}
		// The MAD is scaled to a standard deviation (×1.4826, the usual robust
		// estimate); a MAD of 0 (the same number every day) would flag any
		// change, and one unit is the least a count can move.
		mad := math.Max(median(dev), 1) * madToSigma
		limit := med + c.o.OutlierK*mad
		if x > limit {
			c.add(Outlier, m.Key, ptr(x), ptr(med), c.msg(
				fmt.Sprintf("«%s»: %s при обычных %s (медиана за %d дн.)", m.Label("ru"), num(x, "ru"), num(med, "ru"), len(vals)),
				fmt.Sprintf("%q: %s against a usual %s (median of %d days)", m.Label("en"), num(x, "en"), num(med, "en"), len(vals))))
		}
	}
}

// copyPaste: the same numbers as the previous working days, CopyRun days in
// a row, not all zero.
func (c *checker) copyPaste() {
	today := c.vector(c.in.Today.Metrics)
	if today == "" {
		return
	}
	run := 1
	for i := len(c.in.History) - 1; i >= 0; i-- {
		if c.vector(c.in.History[i].Metrics) != today {
			break
		}
		run++
	}
	if run >= c.o.CopyRun {
		c.add(CopyPaste, "", nil, nil, c.msg(
			fmt.Sprintf("те же цифры, что и в предыдущие дни, %d рабочих дня подряд", run),
			fmt.Sprintf("the same numbers as the days before, %d working days in a row", run)))
	}
}

// vector is a day's count metrics as text, "" when there are none or all are 0.
func (c *checker) vector(m map[string]float64) string {
	if m == nil {
		return ""
	}
	var b strings.Builder
	nonzero := false
	for _, mt := range c.counts() {
		v, ok := m[mt.Key]
		if !ok {
			b.WriteString("-;")
			continue
		}
		nonzero = nonzero || v != 0
		b.WriteString(num(v, "en") + ";")
	}
	if !nonzero {
		return ""
	}
	return b.String()
}

// editedLate: the report changed after the deadline.
func (c *checker) editedLate() {
	e := c.in.LateEdit
	if e == nil {
		return
	}
	var ru, en []string
	for _, m := range c.t.Metrics {
		b, okB := e.Before[m.Key]
		a, okA := e.After[m.Key]
		if okA == okB && a == b {
			continue
		}
		ru = append(ru, fmt.Sprintf("«%s» %s → %s", m.Label("ru"), optNum(b, okB, "ru"), optNum(a, okA, "ru")))
		en = append(en, fmt.Sprintf("%q %s → %s", m.Label("en"), optNum(b, okB, "en"), optNum(a, okA, "en")))
	}
	if len(ru) == 0 {
		return
	}
	at := e.At.Format("02.01.2006 15:04")
	c.add(EditedLate, "", nil, nil, c.msg(
		"отчёт изменён после срока ("+at+"): "+strings.Join(ru, ", "),
		"the report was changed after the deadline ("+at+"): "+strings.Join(en, ", ")))
}

func (c *checker) msg(ru, en string) string {
	if c.lang == "en" {
		return en
	}
	return ru
}

// madToSigma turns a median absolute deviation into a standard deviation for
// normally distributed noise.
const madToSigma = 1.4826

func lastN(days []Day, n int) []Day {
	if n <= 0 {
		return nil
	}
	if len(days) > n {
		return days[len(days)-n:]
	}
	return days
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func num(x float64, lang string) string { return report.FormatValue(x, lang) }

func optNum(x float64, ok bool, lang string) string {
	if !ok {
		return "—"
	}
	return num(x, lang)
}
