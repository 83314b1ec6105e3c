package pass

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"math"
	"slices"
	"time"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/store"
	"github.com/dayreport/dayreport/pkg/summary"
)

// Summary builds the manager summary (SPEC §8) of the window ending on `to`,
// held whole.
func (e *Engine) Summary(ctx context.Context, to day.Date) (*summary.Model, error) {
	m, _, err := e.summaryModel(ctx, to, false)
	return m, err
}

// summaryModel builds the manager summary of the window ending on `to`, and
// the digests of its largest parts for the fingerprint. Built for writers
// that stream (lazy), the model holds none of those parts: its Сводка rows
// are read from the store each time they are written (Model.DaysFrom), and
// its funnel and plan are built for their tabs (FunnelFrom, PlanFrom) and
// digested as they are built. For 10 000 employees the rows are 100 000,
// the funnel and the month reviews some 10 MiB each: held together while
// the workbook was written, they were most of a pass's peak memory. The
// price: a workbook written from nothing reads the window's days twice
// (measured, then written; a rewrite reads them once), and a writer that
// must know the fingerprint before it writes (not a KeepingWriter) has
// every part built twice.
func (e *Engine) summaryModel(ctx context.Context, to day.Date, lazy bool) (*summary.Model, *partDigests, error) {
	from := e.WindowEnding(to)
	m := &summary.Model{Lang: e.Lang(), From: from, To: to, Generated: e.Now().In(e.Config.CompanyLocation()), Names: map[string]string{}}
	for _, mt := range e.Template.Metrics {
		if mt.Type == report.Count || mt.Type == report.Rating {
			m.Columns = append(m.Columns, summary.Column{Key: mt.Key, Label: mt.Label(e.Lang()), Rating: mt.Type == report.Rating})
		}
		if mt.Key == report.LongTermKey {
			m.LongTermLabel = mt.Label(e.Lang())
		}
	}
	rank := map[string]int{}
	for i, e := range e.Employees() {
		m.Names[e.ID] = e.Name
		rank[e.ID] = i
	}
	parts := &partDigests{}
	var err error
	if lazy {
		// Each built when the writer comes to its tabs, and digested then.
		m.PlanFrom = func() (*summary.PlanModel, error) {
			pl, err := e.planModel(ctx, to)
			if err == nil {
				parts.plan = digestOf(pl)
			}
			return pl, err
		}
		m.DaysFrom = e.daysFrom(ctx, m, parts, from, to, rank)
		m.FunnelFrom = func() (*funnel.Result, error) {
			f, err := e.funnelStream(ctx, from, to)
			if err == nil {
				parts.streamed = newFunnelDigest(f)
			}
			return f, err
		}
	} else {
		if m.Plan, err = e.planModel(ctx, to); err != nil {
			return nil, nil, err
		}
		if err = e.eachDayRow(ctx, m, from, to, rank, func(row summary.DayRow) error { m.Days = append(m.Days, row); return nil }, nil); err != nil {
			return nil, nil, err
		}
		if m.Funnel, err = e.Funnel(ctx, from, to); err != nil {
			return nil, nil, err
		}
	}
	if m.Trend, err = e.Trend(ctx, to); err != nil {
		return nil, nil, err
	}
	return m, parts, nil
}

// daysChunk is how many Сводка rows the first read of a lazy model's days
// hands over at a time.
const daysChunk = 512

// daysFrom is a lazy model's Model.DaysFrom: the Сводка rows read from the
// store a date at a time. The first read to the end (the one that
// measures the tab, or a rewrite's only one) also gathers the model's
// absences and checks and digests the rows for the fingerprint
// (parts.days): the tabs of those come after Сводка, and the fingerprint
// is taken once the summary is written (KeepingWriter), so no read is made
// for them alone.
func (e *Engine) daysFrom(ctx context.Context, m *summary.Model, parts *partDigests, from, to day.Date, rank map[string]int) func(func([]summary.DayRow) error) error {
	return func(yield func([]summary.DayRow) error) error {
		if parts.days != nil {
			row := func(d store.Day) summary.DayRow { return e.dayRow(d, m.Names) }
			err := windowDays(ctx, e, from, to, rank, row, func(r *summary.DayRow) string { return r.Employee }, yield)
			if err != nil {
				return fmt.Errorf("state: %w", err)
			}
			return nil
		}
		got := *m
		got.Absences, got.Checks = nil, nil
		digest := newDaysDigest()
		// Handed over a few hundred at a time, as the writer lays them out,
		// not a date at a time: a date's rows were held twice, as the store
		// gave them (to be sorted) and as rows.
		rows := make([]summary.DayRow, 0, daysChunk)
		give := func() error {
			if len(rows) == 0 {
				return nil
			}
			err := yield(rows)
			clear(rows)
			rows = rows[:0]
			return err
		}
		err := e.eachDayRow(ctx, &got, from, to, rank, func(row summary.DayRow) error {
			digest.add(&row)
			if rows = append(rows, row); len(rows) == daysChunk {
				return give()
			}
			return nil
		}, give)
		if err != nil {
			return err
		}
		m.Absences, m.Checks, parts.days = got.Absences, got.Checks, digest
		return nil
	}
}

// eachDayRow gives add the Сводка rows of the stored days from..to, by date
// then in roster order, and adds the absences and checks among them to m;
// dateDone, when set, is called after each date's rows.
func (e *Engine) eachDayRow(ctx context.Context, m *summary.Model, from, to day.Date, rank map[string]int,
	add func(summary.DayRow) error, dateDone func() error) error {
	same := func(d store.Day) store.Day { return d }
	err := windowDays(ctx, e, from, to, rank, same, func(d *store.Day) string { return d.Employee }, func(days []store.Day) error {
		for i := range days {
			d := &days[i]
			row := e.dayRow(*d, m.Names)
			if row.Status == report.Absent || row.Status == report.Late {
				m.Absences = append(m.Absences, row)
			}
			for _, f := range d.Flags {
				check := summary.CheckRow{Date: d.Date, Employee: d.Employee, Name: row.Name, Code: f.Code, Metric: f.Metric,
					Reported: f.Reported, Recorded: f.Recorded, Message: f.Message}
				if mt, ok := e.Template.Metric(f.Metric); ok {
					check.MetricLabel = mt.Label(e.Lang())
				}
				m.Checks = append(m.Checks, check)
			}
			if err := add(row); err != nil {
				return err
			}
		}
		if dateDone != nil {
			return dateDone()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return nil
}

// windowDays gives fn the stored days from..to, each as conv makes it, a
// date at a time, by date then in roster order (employees no longer listed
// last, by id), without the days off (a weekend or holiday without a
// report is not a row). Only a date's days are held, as conv keeps them.
func windowDays[T any](ctx context.Context, e *Engine, from, to day.Date, rank map[string]int,
	conv func(store.Day) T, employee func(*T) string, fn func([]T) error) error {
	// A date holds about a row per employee: made room for once, not grown
	// by doubling (8 MB allocated for the first date of 10 000).
	var (
		date  = make([]T, 0, len(rank)+1)
		ranks = make([]ranked, 0, len(rank)+1)
		at    day.Date
	)
	flush := func() error {
		// Each row's rank looked up once, not at each comparison (a date of
		// 10 000 rows was some 280 000 lookups of the roster map).
		slices.SortFunc(ranks, func(x, y ranked) int {
			if c := cmp.Compare(x.rank, y.rank); c != 0 {
				return c
			}
			return cmp.Compare(employee(&date[x.i]), employee(&date[y.i]))
		})
		permute(date, ranks)
		err := fn(date)
		clear(date)
		date, ranks = date[:0], ranks[:0]
		return err
	}
	// The store gives them by date, then employee.
	err := e.Store.EachShownDay(ctx, from, to, func(d store.Day) error {
		if len(date) > 0 && at != d.Date {
			if err := flush(); err != nil {
				return err
			}
		}
		if d.Status != report.DayOff {
			r, ok := rank[d.Employee]
			if !ok {
				r = len(rank) // no longer listed: last, by id
			}
			ranks = append(ranks, ranked{rank: r, i: len(date)})
			date, at = append(date, conv(d)), d.Date
		}
		return nil
	})
	if err == nil && len(date) > 0 {
		err = flush()
	}
	return err
}

// ranked is a row of a date by its place in the roster.
type ranked struct{ rank, i int }

// permute puts rows in the order of by (rows[by[k].i] goes to k) in place,
// a cycle at a time: a second buffer of a date's rows would add to the
// peak of a first pass. by's indexes are used up (-1).
func permute[T any](rows []T, by []ranked) {
	for k := range by {
		if by[k].i < 0 || by[k].i == k {
			by[k].i = -1
			continue
		}
		held := rows[k]
		j := k
		for {
			src := by[j].i
			by[j].i = -1
			if src == k {
				rows[j] = held
				break
			}
			rows[j] = rows[src]
			j = src
		}
	}
}

// dayRow is the Сводка row of a stored day.
func (e *Engine) dayRow(d store.Day, names map[string]string) summary.DayRow {
	row := summary.DayRow{Date: d.Date, Employee: d.Employee, Name: names[d.Employee], Status: d.Status,
		StatusLabel: d.Status.Label(e.Lang()), Metrics: d.Metrics, Notes: d.Notes, LongTerm: d.LongTerm}
	if d.Status == report.Invalid {
		row.Reason = summary.Reason(e.Lang(), d.Errors)
	}
	for _, f := range d.Flags {
		row.Flags = append(row.Flags, f.Message)
	}
	return row
}

// daysDigest digests the Сводка rows one by one, as the fingerprint does:
// each field of the row, length-prefixed, the metrics by key. It was the
// rows' JSON, and encoding 100 000 rows (the map of metrics sorted for
// each) was a tenth of the CPU of a pass that rewrote the workbook of
// 10 000 employees. TestDaysDigestSeesEveryField holds it to every field
// of summary.DayRow.
type daysDigest struct {
	h    hash.Hash
	n    int
	buf  []byte
	keys []string
}

func newDaysDigest() *daysDigest {
	return &daysDigest{h: sha256.New()}
}

func (d *daysDigest) add(r *summary.DayRow) {
	d.n++
	b := binary.AppendUvarint(d.buf[:0], uint64(r.Date.Year))
	b = binary.AppendUvarint(b, uint64(r.Date.Month))
	b = binary.AppendUvarint(b, uint64(r.Date.Day))
	for _, s := range [...]string{r.Employee, r.Name, string(r.Status), r.StatusLabel, r.Notes, r.LongTerm, r.Reason} {
		b = appendString(b, s)
	}
	d.keys = d.keys[:0]
	for k := range r.Metrics {
		d.keys = append(d.keys, k)
	}
	slices.Sort(d.keys)
	b = binary.AppendUvarint(b, uint64(len(d.keys)))
	for _, k := range d.keys {
		b = appendString(b, k)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.Metrics[k]))
	}
	b = binary.AppendUvarint(b, uint64(len(r.Flags)))
	for _, f := range r.Flags {
		b = appendString(b, f)
	}
	d.h.Write(b)
	d.buf = b
}

// appendString appends s with its length before it.
func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// RefreshSummary writes the summary of the configured window ending on the
// newest stored day (never after today) wherever the configuration asks;
// nil when it asks for none, in a dry run, or when nothing is stored yet. A
// pass for a past date never replaces the manager's current window with an
// old one.
func (e *Engine) RefreshSummary(ctx context.Context) *SummaryResult {
	if e.DryRun || len(e.Summaries) == 0 {
		return nil
	}
	e.newPoll() // a summary written apart from a pass asks Drive afresh
	return e.summaryNow(ctx)
}

// newPoll has every Poller forget what the last pass learnt.
func (e *Engine) newPoll() {
	for _, p := range e.Pollers {
		p.NewPoll()
	}
}

// summaryNow is RefreshSummary within a pass (Drive already asked).
func (e *Engine) summaryNow(ctx context.Context) *SummaryResult {
	if e.DryRun || len(e.Summaries) == 0 {
		return nil
	}
	to, ok, err := e.LastDay(ctx)
	if err != nil {
		e.Log.Error().Err(err).Msg("write the summary: the state database did not answer; the next pass writes it again")
		return &SummaryResult{Error: err.Error()}
	}
	if !ok {
		return nil
	}
	return e.writeSummary(ctx, to)
}

// writeSummary writes the summary of the window ending on `to` with every
// writer; a writer's failure does not stop the others.
func (e *Engine) writeSummary(ctx context.Context, to day.Date) *SummaryResult {
	if e.DryRun || len(e.Summaries) == 0 {
		return nil
	}
	res := &SummaryResult{Path: e.Config.Summary.XLSX, Spreadsheet: e.Config.Summary.Spreadsheet,
		From: e.WindowEnding(to).String(), To: to.String()}
	// A writer that lays the model out whole is given it whole.
	lazy := !slices.ContainsFunc(e.Summaries, func(w SummaryWriter) bool {
		_, ok := w.(DaysStreamer)
		return !ok
	})
	m, parts, err := e.summaryModel(ctx, to, lazy)
	if err == nil {
		fp, all := "", true
		for _, w := range e.Summaries {
			sw, stamped := w.(StampedWriter)
			if !stamped {
				all = false
				err = errors.Join(err, w.Write(ctx, m))
				continue
			}
			if kw, ok := w.(KeepingWriter); ok && lazy {
				err = errors.Join(err, e.writeKept(ctx, kw, m, parts, &fp))
				continue
			}
			if fp == "" {
				parts.complete(m)
				fp = fingerprintOf(m, parts)
			}
			err = errors.Join(err, e.writeStamped(ctx, sw, m, fp))
		}
		if all && err == nil {
			res.fingerprint = fp
		}
	}
	if err != nil {
		res.Error = err.Error()
		e.Log.Error().Err(err).Msg("write the summary; the next pass writes it again")
		return res
	}
	e.Log.Debug().Str("path", res.Path).Str("spreadsheet", res.Spreadsheet).Msg("summary written")
	return res
}

// StampedWriter is a SummaryWriter whose target can tell whether it is as
// the writer left it (an xlsx file): a summary whose content did not change
// since it was written there is not written again (the poll that found
// nothing new leaves the file alone, and its "generated" time is that of
// the last change).
type StampedWriter interface {
	SummaryWriter
	// Target names what is written (the store keeps its stamp by it).
	Target() string
	// State describes the target now ("" when it is missing), to compare
	// with its state right after the last write; written: asked right
	// after this pass's write (a Google Sheet asks Drive again then).
	State(ctx context.Context, written bool) (string, error)
}

// DaysStreamer is a SummaryWriter that reads a model's Сводка rows from
// Model.DaysFrom and builds its funnel and plan with Model.FunnelFrom and
// PlanFrom when they are set (the xlsx writer). When any writer is not one,
// every writer is given the model whole.
type DaysStreamer interface {
	SummaryWriter
	StreamsDays()
}

// KeepingWriter is a StampedWriter that writes the summary beside its
// target and replaces the target only when keep, asked once the summary is
// written, says so (the xlsx workbook, written to a temporary file then
// renamed). A lazy model's funnel, plan and Сводка rows are then built
// once, for the write, and digested as they are: the fingerprint is known
// when keep is asked, not before the write. copied counts what the write
// took as it was from the target it replaces (the workbook's segments of
// rows), for the log.
type KeepingWriter interface {
	StampedWriter
	WriteIf(ctx context.Context, m *summary.Model, keep func() bool) (written bool, copied int, err error)
}

// writeKept writes the summary with w and keeps it unless the store's
// stamp says the target holds the same content (the fingerprint, known
// once the parts are built, goes to *fp) and is as w left it. A summary
// that did not change costs a write that is thrown away; one that did —
// what a pass that read something new mostly finds — costs one build
// instead of two (one for the fingerprint, one for the write).
func (e *Engine) writeKept(ctx context.Context, w KeepingWriter, m *summary.Model, parts *partDigests, fp *string) error {
	st, stamped, err := e.Store.SummaryStamp(ctx, w.Target())
	asLeft := false
	if err == nil && stamped {
		now, err := w.State(ctx, false)
		asLeft = err == nil && now != "" && now == st.State
	}
	written, copied, err := w.WriteIf(ctx, m, func() bool {
		if *fp == "" {
			*fp = fingerprintOf(m, parts)
		}
		return !asLeft || *fp == "" || *fp != st.Fingerprint
	})
	if err != nil {
		return err
	}
	if !written {
		e.Log.Debug().Str("target", w.Target()).Msg("summary unchanged; not written again")
		return nil
	}
	e.Log.Debug().Str("target", w.Target()).Int("segments_copied", copied).Msg("summary written, what did not change copied from the file it replaced")
	return e.stamp(ctx, w, *fp)
}

// writeStamped writes the summary with w unless the store's stamp says the
// target holds this content (fingerprint fp) and is as w left it.
func (e *Engine) writeStamped(ctx context.Context, w StampedWriter, m *summary.Model, fp string) error {
	if fp != "" {
		st, ok, err := e.Store.SummaryStamp(ctx, w.Target())
		if err == nil && ok && st.Fingerprint == fp {
			if now, err := w.State(ctx, false); err == nil && now != "" && now == st.State {
				e.Log.Debug().Str("target", w.Target()).Msg("summary unchanged; not written again")
				return nil
			}
		}
	}
	if err := w.Write(ctx, m); err != nil {
		return err
	}
	return e.stamp(ctx, w, fp)
}

// stamp remembers that w's target was just written with the summary of
// fingerprint fp.
func (e *Engine) stamp(ctx context.Context, w StampedWriter, fp string) error {
	state, err := w.State(ctx, true)
	if fp == "" || err != nil || state == "" {
		return nil // written; without a stamp it is written next time too
	}
	if err := e.Store.SaveSummaryStamp(ctx, w.Target(), store.SummaryStamp{Fingerprint: fp, State: state}); err != nil {
		e.Log.Warn().Err(err).Msg("remember the summary written; the next pass writes it again")
	}
	return nil
}

// fingerprint digests what a summary shows but the moment it was built, and
// the build of dayreport that lays it out ("" when it cannot be digested:
// written every time).
func fingerprint(m *summary.Model) string { return fingerprintOf(m, nil) }

// partDigests are the digests of a model's largest parts, taken as they
// were built: the Сводка rows, the funnel and the plan ("" for a part the
// model holds, or that could not be digested).
type partDigests struct {
	days         *daysDigest
	funnel, plan string
	// streamed digests a streamed funnel as the Воронка tab builds it
	// (funnel is "" then).
	streamed *funnelDigest
}

// complete builds, for its digest alone, a part of a lazy model that no
// writer built (its writer is not a KeepingWriter).
func (p *partDigests) complete(m *summary.Model) {
	if m.DaysFrom != nil && p.days == nil {
		_ = m.DaysFrom(func([]summary.DayRow) error { return nil }) // as for the funnel
	}
	if m.FunnelFrom != nil && p.funnel == "" && p.streamed == nil {
		_, _ = m.FunnelFrom() // an error leaves the digest "": no fingerprint
	}
	if m.PlanFrom != nil && p.plan == "" {
		_, _ = m.PlanFrom()
	}
}

// fingerprintOf is fingerprint with the parts the model does not hold
// digested as they were built (parts).
func fingerprintOf(m *summary.Model, parts *partDigests) string {
	if parts == nil {
		parts = &partDigests{}
	}
	days := parts.days
	if days == nil && m.DaysFrom != nil {
		return "" // the rows were not read to the end
	}
	if days == nil {
		days = newDaysDigest()
		for i := range m.Days {
			days.add(&m.Days[i])
		}
	}
	funnelDone, planDone := parts.funnel, parts.plan
	if funnelDone == "" && parts.streamed != nil {
		funnelDone = parts.streamed.digest()
	}
	if m.FunnelFrom == nil {
		funnelDone = digestOf(m.Funnel)
	}
	if m.PlanFrom == nil {
		planDone = digestOf(m.Plan)
	}
	if funnelDone == "" || planDone == "" {
		return ""
	}
	c := *m
	c.Generated = time.Time{}
	h := sha256.New()
	buildStamp(h)
	enc := json.NewEncoder(h)
	c.Days, c.Absences, c.Checks, c.Plan, c.Funnel = nil, nil, nil, nil, nil
	c.DaysFrom, c.FunnelFrom, c.PlanFrom = nil, nil, nil
	if err := enc.Encode(&c); err != nil {
		return ""
	}
	fmt.Fprintln(h, funnelDone, planDone, days.n, hex.EncodeToString(days.h.Sum(nil)))
	fmt.Fprintln(h, len(m.Absences))
	for i := range m.Absences {
		if err := enc.Encode(&m.Absences[i]); err != nil {
			return ""
		}
	}
	fmt.Fprintln(h, len(m.Checks))
	for i := range m.Checks {
		if err := enc.Encode(&m.Checks[i]); err != nil {
			return ""
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// digestOf digests a part of the model built for its tabs (the funnel,
// the plan tabs' model: nil or not, every field) as the digester walks it:
// the month reviews hold every employee's free text of the month, whose
// JSON held at once was the largest thing of a pass of 10 000 employees.
func digestOf(v any) string {
	h := sha256.New()
	newDigester(h).add(v)
	return hex.EncodeToString(h.Sum(nil))
}
