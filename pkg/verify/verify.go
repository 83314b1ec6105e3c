// Package verify checks what an employee reported against what the CRM
// recorded and against the employee's own history, and raises flags (SPEC §7):
// "even the most detailed report cannot protect the company from deceit, so
// everything must be checked". A flag informs the manager; it never changes
// a reported number.
//
// Every flag carries its evidence: the numbers compared, the days looked at
// and the limit the number crossed, in its fields and in its one-sentence
// message (what the CRM record, the «Проверка» tab and the digest show).
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

// Options are the thresholds; zero values take the defaults.
type Options struct {
	Lang string
	// ToleranceAbs and TolerancePct: a reported number is overstated when it
	// exceeds the recorded one by more than max(abs, pct % of recorded),
	// on its day and together with each neighbouring day.
	ToleranceAbs, TolerancePct float64
	// OutlierWindow working days of history are looked at (20); at least
	// OutlierMinHistory of them must have unflagged data (10); a value above
	// median + OutlierK × σ is an outlier (5), σ being the larger of the
	// robust σ (1.4826 × MAD) and √median (the spread of a count).
	OutlierWindow, OutlierMinHistory int
	OutlierK                         float64
	// CopyRun is how many identical days in a row make copy_paste (3).
	CopyRun int
	// Lag is how many working days a deal may take from one stage to the
	// next (15): a payment belongs to a contract signed that day or up to
	// Lag working days before. Slack is how many later-stage events beyond
	// that balance are tolerated (1).
	Lag, Slack int
	// OverstatedWindow is how many working days with the CRM's facts a
	// running excess is summed over (5): a number overstated a little every
	// day, each day within the tolerance, is overstated over the days.
	OverstatedWindow int
	// Pairs are (earlier, later) stages: default invoices → signed → payments.
	Pairs [][2]string
	// ConversionWindow, ConversionMinHistory and ConversionAlpha are the
	// employee's own conversion check (see conversion): stretches of up to
	// 10 known days, at least 15 known days before them, flagged when a
	// count that high has a chance under 0.001.
	ConversionWindow, ConversionMinHistory int
	ConversionAlpha                        float64
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
	if o.Lag <= 0 {
		o.Lag = DefaultLag
	}
	if o.Slack <= 0 {
		o.Slack = 1
	}
	if o.OverstatedWindow <= 0 {
		o.OverstatedWindow = DefaultOverstatedWindow
	}
	if o.ConversionWindow <= 0 {
		o.ConversionWindow = 10
	}
	if o.ConversionMinHistory <= 0 {
		o.ConversionMinHistory = 15
	}
	if o.ConversionAlpha <= 0 {
		o.ConversionAlpha = 0.001
	}
	if o.Pairs == nil {
		o.Pairs = [][2]string{{"invoices_issued", "contracts_signed"}, {"contracts_signed", "payments"}}
	}
	return o
}

// DefaultOverstatedWindow is the default Options.OverstatedWindow: the pass
// reads the CRM's facts of that many working days up to the day judged.
const DefaultOverstatedWindow = 5

// DefaultLag is the default Options.Lag; the pass reads at least this much
// history more than the outlier window.
const DefaultLag = 15

// Day is one working day of an employee: its metrics when there was a
// report with data, nil when there was none (absent, invalid, on leave, or
// before the employee's history began).
type Day struct {
	Date    day.Date
	Metrics map[string]float64
	// Facts are what the CRM recorded that day by check key (see Input.Facts);
	// nil when unknown.
	Facts map[string]float64
	// Flagged: the day carries a flag that puts its numbers in doubt
	// (overstated, inconsistent, outlier, copy_paste); it is left out of the
	// outlier baseline.
	Flagged bool
}

// Edit is a change of a day's report made after the deadline.
type Edit struct {
	// At is when the changed version was first seen, or when the source
	// says the document was last modified before that; By is who last
	// modified it then ("Анна Петрова <anna@example.ru>"), when the source
	// says.
	At time.Time
	By string
	// Baseline says which version the change is measured from: the one seen
	// by the deadline, the one the day was closed with, or the first one.
	Baseline Baseline
	// BaselineAt is when the baseline version was seen or the day closed.
	BaselineAt time.Time
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
	// Next is the working day after Today when its report is known (a
	// carry-over between the two days is not overstatement); nil otherwise.
	Next *Day
	// Facts are what the CRM recorded for the employee that day, by check
	// key: a metric key, or metric keys joined by "+" when the fact counts
	// them together (calls: new_calls+primary_calls, compared with the sum
	// of whichever of them the employee reports). Nil when the adapter
	// reads no facts; Today.Facts is used when Facts is nil.
	Facts map[string]float64
	// LateEdit is set when the report was changed after the deadline.
	LateEdit *Edit
}

// Check returns the flags of a day, in a stable order: overstated,
// inconsistent, outlier, copy_paste, edited_late, metrics in template order.
func Check(t *report.Template, in Input, opts Options) []crm.Flag {
	opts = opts.withDefaults()
	if in.Facts == nil {
		in.Facts = in.Today.Facts
	}
	in.Today.Facts = in.Facts
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

func ptr(x float64) *float64 { return &x }

func datePtr(d day.Date) *day.Date {
	if d.IsZero() {
		return nil
	}
	return &d
}

// SplitCheck returns the metric keys of a check key ("new_calls+primary_calls").
func SplitCheck(key string) []string {
	parts := strings.Split(key, "+")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// reported is the sum of a check's metrics a day reports; ok is false when
// it reports none of them.
func reported(metrics map[string]float64, keys []string) (sum float64, ok bool) {
	for _, k := range keys {
		if v, given := metrics[k]; given {
			sum, ok = sum+v, true
		}
	}
	return sum, ok
}

// checkLabel is a check's display label: its metrics' labels joined by " + ".
func (c *checker) checkLabel(keys []string, lang string) string {
	var parts []string
	for _, k := range keys {
		m, ok := c.t.Metric(k)
		if !ok {
			continue
		}
		if lang == "en" {
			parts = append(parts, fmt.Sprintf("%q", m.Label("en")))
		} else {
			parts = append(parts, "«"+m.Label("ru")+"»")
		}
	}
	return strings.Join(parts, " + ")
}

// excess is a day's reported minus recorded for a check; ok is false when
// the day has either side missing.
func excess(d *Day, key string, keys []string) (rep, rec float64, ok bool) {
	if d == nil || d.Metrics == nil || d.Facts == nil {
		return 0, 0, false
	}
	rec, okF := d.Facts[key]
	rep, okR := reported(d.Metrics, keys)
	return rep, rec, okF && okR
}

func (c *checker) tolerance(rec float64) float64 {
	return math.Max(c.o.ToleranceAbs, rec*c.o.TolerancePct/100)
}

// overstated: a number above what the CRM recorded by more than the
// tolerance, on the day and together with the day before and the day after
// (a deal reported a day before or after the CRM logged it is a carry-over,
// not overstatement).
func (c *checker) overstated() {
	if c.in.Facts == nil || c.in.Today.Metrics == nil {
		return
	}
	var prev *Day
	if n := len(c.in.History); n > 0 {
		prev = &c.in.History[n-1]
	}
	for _, key := range c.checkKeys() {
		keys := SplitCheck(key)
		rep, rec, ok := excess(&c.in.Today, key, keys)
		if !ok {
			continue
		}
		if rep-rec <= c.tolerance(rec) {
			c.overstatedRun(key, keys)
			continue
		}
		balanced := false
		for _, nb := range []*Day{prev, c.in.Next} {
			// The neighbour must fall short of the CRM by what today
			// exceeds it (within today's tolerance): a neighbour on the
			// mark balances nothing, however large the two days' sum.
			nrep, nrec, ok := excess(nb, key, keys)
			if ok && nrep < nrec && rep+nrep-(rec+nrec) <= c.tolerance(rec) {
				balanced = true
				break
			}
		}
		if balanced {
			c.overstatedRun(key, keys)
			continue
		}
		// The metrics the employee reports of the check: a junior's new
		// calls, a senior's primary calls, or both.
		var shown []string
		for _, k := range keys {
			if _, ok := c.in.Today.Metrics[k]; ok {
				shown = append(shown, k)
			}
		}
		tol := c.tolerance(rec)
		d := c.in.Today.Date
		c.flags = append(c.flags, crm.Flag{Code: Overstated, Metric: strings.Join(shown, "+"), Reported: ptr(rep), Recorded: ptr(rec),
			From: datePtr(d), To: datePtr(d), Threshold: ptr(rec + tol),
			Message: c.msg(
				fmt.Sprintf("%s: в отчёте %s, в CRM %s — больше допуска (%s), и соседние дни разницу не покрывают",
					c.checkLabel(shown, "ru"), num(rep, "ru"), num(rec, "ru"), c.tolText("ru")),
				fmt.Sprintf("%s: reported %s, the CRM recorded %s — beyond the tolerance (%s), and the neighbouring days do not make up for it",
					c.checkLabel(shown, "en"), num(rep, "en"), num(rec, "en"), c.tolText("en")))})
	}
}

func (c *checker) tolText(lang string) string {
	if lang == "en" {
		return fmt.Sprintf("%s or %s %%", num(c.o.ToleranceAbs, "en"), num(c.o.TolerancePct, "en"))
	}
	return fmt.Sprintf("%s или %s %%", num(c.o.ToleranceAbs, "ru"), num(c.o.TolerancePct, "ru"))
}

// checkKeys are the fact keys whose metrics the template has, in template
// order of their first metric.
func (c *checker) checkKeys() []string {
	type kv struct {
		key string
		pos int
	}
	var out []kv
	for key := range c.in.Facts {
		pos := -1
		for _, k := range SplitCheck(key) {
			for i, m := range c.t.Metrics {
				if m.Key == k && m.Type == report.Count && (pos < 0 || i < pos) {
					pos = i
				}
			}
		}
		if pos >= 0 {
			out = append(out, kv{key, pos})
		}
	}
	slices.SortFunc(out, func(a, b kv) int {
		if a.pos != b.pos {
			return a.pos - b.pos
		}
		return strings.Compare(a.key, b.key)
	})
	keys := make([]string, len(out))
	for i, x := range out {
		keys[i] = x.key
	}
	return keys
}

// inconsistent: more of a later stage than the earlier stage can explain.
// A payment belongs to a contract signed the same day or up to Lag working
// days before (a contract to an invoice likewise), so for every stretch of
// days ending today, the payments of the stretch cannot exceed the
// contracts of the stretch and the Lag days before it (by more than the
// slack). Only stretches whose days are all known are judged (an absent day
// may hide the contracts). The flag is raised on the day the balance breaks
// or grows worse, not again on every day after. When the CRM records the
// later stage itself, overstated compares with that instead.
func (c *checker) inconsistent() {
	if c.in.Today.Metrics == nil {
		return
	}
	for _, p := range c.o.Pairs {
		a, okA := c.t.Metric(p[0])
		b, okB := c.t.Metric(p[1])
		if !okA || !okB {
			continue
		}
		if _, recorded := c.in.Facts[p[1]]; recorded {
			continue
		}
		earlier := func(d Day) float64 {
			if v, ok := d.Facts[p[0]]; ok {
				return v // what the CRM recorded beats what was reported
			}
			return d.Metrics[p[0]]
		}
		if !c.balance(p, a, b, earlier) {
			c.conversion(p, a, b, earlier)
		}
	}
}

// balance is the first half of inconsistent: the running balance between
// two stages; true when it flagged the day.
func (c *checker) balance(p [2]string, a, b report.Metric, earlier func(Day) float64) bool {
	days := append(slices.Clone(c.in.History), c.in.Today)
	n, lag := len(days), c.o.Lag
	// Prefix sums: of the later stage, the earlier stage and the
	// unknown days (no data).
	pb, pa, pu := make([]float64, n+1), make([]float64, n+1), make([]int, n+1)
	for i, d := range days {
		pb[i+1], pa[i+1], pu[i+1] = pb[i], pa[i], pu[i]
		if d.Metrics == nil {
			pu[i+1]++
			continue
		}
		pb[i+1] += d.Metrics[p[1]]
		pa[i+1] += earlier(d)
	}
	// worst returns the largest excess over the known stretches ending
	// at e: the later stage from u to e against the earlier stage from
	// u-lag to e.
	worst := func(e int) (best float64, u int) {
		best, u = math.Inf(-1), -1
		for i := e; i >= lag; i-- {
			if pu[e+1]-pu[i-lag] > 0 {
				if pu[e+1]-pu[i] > 0 {
					break // the stretch itself covers an unknown day
				}
				continue
			}
			if x := pb[e+1] - pb[i] - (pa[e+1] - pa[i-lag]); x > best {
				best, u = x, i
			}
		}
		return best, u
	}
	now, u := worst(n - 1)
	if u < 0 || now <= float64(c.o.Slack) {
		return false
	}
	before := math.Inf(-1)
	for e := n - 2; e >= lag && e >= n-1-3*lag; e-- {
		if w, _ := worst(e); w > before {
			before = w
		}
	}
	if now <= before {
		return false
	}
	var sumB, sumA float64
	for _, d := range days[u:] {
		sumB += d.Metrics[p[1]]
	}
	for _, d := range days[u-lag:] {
		sumA += earlier(d)
	}
	from, aFrom, to := days[u].Date, days[u-lag].Date, c.in.Today.Date
	c.flags = append(c.flags, crm.Flag{Code: Inconsistent, Metric: p[1], Reported: ptr(sumB), Recorded: ptr(sumA),
		From: datePtr(from), To: datePtr(to), Threshold: ptr(sumA + float64(c.o.Slack)),
		Message: c.msg(
			fmt.Sprintf("«%s» %s: %s — больше, чем «%s» %s: %s, при сроке до %d раб. дн. между этапами (допуск %d); баланс нарушен %s",
				b.Label("ru"), span(from, to, "ru"), num(sumB, "ru"), a.Label("ru"), span(aFrom, to, "ru"), num(sumA, "ru"), lag, c.o.Slack, shortDate(to, "ru")),
			fmt.Sprintf("%q %s: %s exceeds %q %s: %s, with up to %d working days between the stages (slack %d); the balance broke on %s",
				b.Label("en"), span(from, to, "en"), num(sumB, "en"), a.Label("en"), span(aFrom, to, "en"), num(sumA, "en"), lag, c.o.Slack, shortDate(to, "en")))})
	return true
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
		var from, to day.Date
		for _, d := range hist {
			if d.Metrics == nil || d.Flagged {
				continue
			}
			if v, ok := d.Metrics[m.Key]; ok {
				vals = append(vals, v)
				if from.IsZero() {
					from = d.Date
				}
				to = d.Date
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
		// The MAD is scaled to a standard deviation (×1.4826, the usual
		// robust estimate). A count spreads at least like a Poisson count,
		// σ ≥ √median, and by at least one unit: a MAD of 0 (the same
		// number most days) would otherwise flag any change.
		sigma := math.Max(median(dev)*madToSigma, math.Max(math.Sqrt(med), 1))
		limit := math.Round((med+c.o.OutlierK*sigma)*10) / 10
		if x > limit {
			c.flags = append(c.flags, crm.Flag{Code: Outlier, Metric: m.Key, Reported: ptr(x), Recorded: ptr(med),
				From: datePtr(from), To: datePtr(to), Threshold: ptr(limit),
				Message: c.msg(
					fmt.Sprintf("«%s»: %s при обычных %s (медиана за %d дн. %s), порог %s = медиана + %s σ",
						m.Label("ru"), num(x, "ru"), num(med, "ru"), len(vals), span(from, to, "ru"), num(limit, "ru"), num(c.o.OutlierK, "ru")),
					fmt.Sprintf("%q: %s against a usual %s (median of %d days %s), limit %s = median + %s σ",
						m.Label("en"), num(x, "en"), num(med, "en"), len(vals), span(from, to, "en"), num(limit, "en"), num(c.o.OutlierK, "en")))})
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
	run, from := 1, c.in.Today.Date
	for i := len(c.in.History) - 1; i >= 0; i-- {
		if c.vector(c.in.History[i].Metrics) != today {
			break
		}
		run, from = run+1, c.in.History[i].Date
	}
	if run >= c.o.CopyRun {
		c.flags = append(c.flags, crm.Flag{Code: CopyPaste, From: datePtr(from), To: datePtr(c.in.Today.Date), Threshold: ptr(float64(c.o.CopyRun)),
			Message: c.msg(
				fmt.Sprintf("те же цифры, что и в предыдущие дни, %d рабочих дня подряд%s; флаг — от %d дней", run, spaced(from, c.in.Today.Date, "ru"), c.o.CopyRun),
				fmt.Sprintf("the same numbers as the days before, %d working days in a row%s; flagged from %d days", run, spaced(from, c.in.Today.Date, "en"), c.o.CopyRun))})
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

// editedLate: the report's numbers changed after the deadline.
func (c *checker) editedLate() {
	e := c.in.LateEdit
	if e == nil {
		return
	}
	var ru, en []string
	var changes []crm.Change
	for _, m := range c.t.Metrics {
		if m.Type == report.Text {
			continue
		}
		b, okB := e.Before[m.Key]
		a, okA := e.After[m.Key]
		if okA == okB && a == b {
			continue
		}
		ch := crm.Change{Metric: m.Key}
		if okB {
			ch.Before = ptr(b)
		}
		if okA {
			ch.After = ptr(a)
		}
		changes = append(changes, ch)
		ru = append(ru, fmt.Sprintf("«%s» %s → %s", m.Label("ru"), optNum(b, okB, "ru"), optNum(a, okA, "ru")))
		en = append(en, fmt.Sprintf("%q %s → %s", m.Label("en"), optNum(b, okB, "en"), optNum(a, okA, "en")))
	}
	if len(ru) == 0 {
		return
	}
	at := e.At.Format("02.01.2006 15:04")
	whoRU, whoEN := "", ""
	if e.By != "" {
		whoRU, whoEN = ", кто изменил: "+e.By, ", by "+e.By
	}
	baseAt := ""
	if !e.BaselineAt.IsZero() {
		baseAt = " " + e.BaselineAt.Format("02.01.2006 15:04")
	}
	f := crm.Flag{Code: EditedLate, Changes: changes, EditedBy: e.By,
		Message: c.msg(
			"отчёт изменён после срока ("+at+whoRU+"): "+strings.Join(ru, ", ")+"; сравнение с "+e.Baseline.text("ru")+baseAt,
			"the report was changed after the deadline ("+at+whoEN+"): "+strings.Join(en, ", ")+"; compared with "+e.Baseline.text("en")+baseAt)}
	if !e.At.IsZero() {
		at := e.At
		f.EditedAt = &at
	}
	c.flags = append(c.flags, f)
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

func shortDate(d day.Date, lang string) string {
	if lang == "en" {
		return d.String()
	}
	return fmt.Sprintf("%02d.%02d.%d", d.Day, d.Month, d.Year)
}

// span is "с 03.11.2026 по 26.11.2026" / "from 2026-11-03 to 2026-11-26".
func span(from, to day.Date, lang string) string {
	if from.IsZero() || to.IsZero() {
		return ""
	}
	if lang == "en" {
		return "from " + shortDate(from, lang) + " to " + shortDate(to, lang)
	}
	return "с " + shortDate(from, lang) + " по " + shortDate(to, lang)
}

func spaced(from, to day.Date, lang string) string {
	if s := span(from, to, lang); s != "" {
		return ", " + s
	}
	return ""
}

// HistoryDays is how many working days before a day its check needs: the
// outlier window and the stretches of the pipeline balance with their lag.
const HistoryDays = 45
