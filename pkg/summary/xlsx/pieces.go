package xlsx

import (
	"errors"
	"iter"

	"github.com/dayreport/dayreport/pkg/summary"
)

// Laid out whole, the four tabs of 10 000 employees over ten days are some
// 300 000 rows and 90 MiB of cells, all held until the workbook is written.
// So a tab is laid out a slice of the model at a time: the tab of a model
// holding only some of its items (employee-days, absences, checks, the
// employees of the funnel) is the tab's leading rows (the header, the team
// part of the funnel), which do not depend on the items, then the rows of
// those items in their order. The leading rows are those of the tab of no
// items. TestPiecesMakeTheLayout checks that the pieces put together are the
// rows of the whole layout.

// pieceItems is how many items one piece lays out.
const pieceItems = 1000

// funnelPieceItems is how many employees one piece of the Воронка tab lays
// out: an employee is a dozen rows of cells there, so a thousand of them
// were 6-10 MiB of cells live at once, at the peak of a first pass of
// 10 000 employees; two hundred are a fifth of that, and the team's rows
// laid out again with each piece cost next to nothing.
const funnelPieceItems = 200

// pieces is one tab laid out piece by piece.
type pieces struct {
	// head is the tab of no items: its leading rows, its table and chart.
	head *summary.Tab
	// n is the number of items; tab lays out items i to j.
	n   int
	tab func(i, j int) *summary.Tab
	// size is how many items a piece holds.
	size int
	// stream, for a tab without items that is still long (Итоги месяца:
	// a row per employee and per note), lays it out handing its rows to
	// sink a few hundred at a time, and returns the tab with the rows not
	// handed over and its blocks. head is then only the tab's name.
	stream func(sink func([]summary.Row)) *summary.Tab
	// each, when set, yields the pieces instead of tab (the Сводка tab of
	// a model whose days come from DaysFrom: read again each time);
	// err is what stopped it.
	each func(yield func(*summary.Tab) bool) error
	err  error
}

// layOut is the tabs of m in workbook order (summary.Layout.All), each
// laid out when its turn comes: the funnel and the plan of a model that
// builds them (FunnelFrom, PlanFrom) are built for their tabs and dropped
// after them.
func layOut(m *summary.Model) []func() (*pieces, error) {
	// The heads of the tabs that depend on neither the funnel nor the plan
	// (the Итоги месяца tab is streamed: laid out here, it would be held
	// whole while every other tab is written).
	noPlan := bare(m)
	noPlan.Plan, noPlan.PlanFrom, noPlan.FunnelFrom = nil, nil, nil
	heads := noPlan.Layout()
	month := summary.TabNames(m.Lang).Month
	// The plan tabs' plan, built for the first of them.
	plan, built := m.Plan, m.PlanFrom == nil
	loadPlan := func() (*summary.PlanModel, error) {
		if built {
			return plan, nil
		}
		var err error
		plan, err = m.PlanFrom()
		built = err == nil
		return plan, err
	}
	fixed := func(p *pieces) func() (*pieces, error) { return func() (*pieces, error) { return p, nil } }
	days := &pieces{head: heads.Days, n: len(m.Days), size: pieceItems, tab: func(i, j int) *summary.Tab {
		p := piece(m)
		p.Days = m.Days[i:j]
		return p.Layout().Days
	}}
	if m.DaysFrom != nil {
		days.each = func(yield func(*summary.Tab) bool) error {
			return daysFrom(m, yield)
		}
	}
	return []func() (*pieces, error){
		fixed(days),
		func() (*pieces, error) {
			f := m.Funnel
			if m.FunnelFrom != nil {
				var err error
				if f, err = m.FunnelFrom(); err != nil {
					return nil, err
				}
			}
			withFunnel := piece(m)
			employees := 0
			if f != nil {
				withFunnel.Funnel = f.Slice(0, 0)
				employees = f.Len()
			}
			return &pieces{head: withFunnel.Layout().Funnel, n: employees, size: funnelPieceItems, tab: func(i, j int) *summary.Tab {
				// The employees of the piece alone (built as they are
				// read when FunnelFrom streams them).
				p := piece(m)
				p.Funnel = f.Slice(i, j)
				return p.Layout().Funnel
			}}, nil
		},
		// Counted when their turn comes: a model whose days come from
		// DaysFrom may gather its absences and checks as the Сводка tab
		// reads them.
		func() (*pieces, error) {
			return &pieces{head: heads.Absences, n: len(m.Absences), size: pieceItems, tab: func(i, j int) *summary.Tab {
				p := piece(m)
				p.Absences = m.Absences[i:j]
				return p.Layout().Absences
			}}, nil
		},
		func() (*pieces, error) {
			return &pieces{head: heads.Checks, n: len(m.Checks), size: pieceItems, tab: func(i, j int) *summary.Tab {
				p := piece(m)
				p.Checks = m.Checks[i:j]
				return p.Layout().Checks
			}}, nil
		},
		fixed(trendPieces(heads)),
		// The План-факт tab holds a row per employee and metric: laid out whole.
		func() (*pieces, error) {
			pl, err := loadPlan()
			if err != nil {
				return nil, err
			}
			p := piece(m)
			if pl != nil {
				noReviews := *pl
				noReviews.Reviews = nil
				p.Plan = &noReviews
			}
			return &pieces{head: p.Layout().Plan, size: pieceItems}, nil
		},
		func() (*pieces, error) {
			pl, err := loadPlan()
			if err != nil {
				return nil, err
			}
			withPlan := *m
			withPlan.Plan = pl
			if pl != nil && m.PlanFrom != nil {
				// Built for these tabs, the plan is not kept past this last
				// one (asked again, it would be built again), and its
				// план-факт, written with the План-факт tab, is not held
				// while the month reviews are: the reviews keep the plan
				// figures they share with it.
				reviews := *pl
				reviews.Current = nil
				withPlan.Plan, plan, built = &reviews, nil, false
			}
			return &pieces{head: &summary.Tab{Name: month}, size: pieceItems, stream: func(sink func([]summary.Row)) *summary.Tab {
				return withPlan.MonthTab(month, sink)
			}}, nil
		},
	}
}

// errStopped ends DaysFrom when the tab's reader stopped.
var errStopped = errors.New("stopped")

// daysFrom lays out the Сводка tab's rows from m.DaysFrom pieceItems at a
// time, as the pieces of a model holding its days would be.
func daysFrom(m *summary.Model, yield func(*summary.Tab) bool) error {
	buf := make([]summary.DayRow, 0, pieceItems)
	flush := func() bool {
		p := piece(m)
		p.Days = buf
		ok := yield(p.Layout().Days)
		clear(buf)
		buf = buf[:0]
		return ok
	}
	err := m.DaysFrom(func(rows []summary.DayRow) error {
		for _, r := range rows {
			buf = append(buf, r)
			if len(buf) == pieceItems && !flush() {
				return errStopped
			}
		}
		return nil
	})
	if errors.Is(err, errStopped) {
		return nil
	}
	if err == nil && len(buf) > 0 {
		flush()
	}
	return err
}

// bare is m without any of its items and without a funnel.
func bare(m *summary.Model) *summary.Model {
	b := *m
	b.Days, b.Absences, b.Checks, b.Funnel, b.DaysFrom, b.FunnelFrom = nil, nil, nil, nil, nil, nil
	return &b
}

// piece is m without any of its items, nor what only tabs laid out whole
// show (the trend, the plan): a piece lays out all the tabs of its model,
// and would lay out those whole again for every thousand items.
func piece(m *summary.Model) *summary.Model {
	p := bare(m)
	p.Trend, p.Plan, p.PlanFrom = nil, nil, nil
	return p
}

// tabs are the head, then each piece laid out.
func (p *pieces) tabs() iter.Seq[*summary.Tab] {
	return func(yield func(*summary.Tab) bool) {
		if !yield(p.head) {
			return
		}
		if p.each != nil {
			if err := p.each(yield); err != nil && p.err == nil {
				p.err = err
			}
			return
		}
		for i := 0; i < p.n; i += p.size {
			if !yield(p.tab(i, min(i+p.size, p.n))) {
				return
			}
		}
	}
}

// streamed are the rows of a streamed tab, then the tab as stream
// returns it (its last rows and its blocks).
func (p *pieces) streamed(yield func(summary.Row) bool) *summary.Tab {
	more := true
	each := func(rows []summary.Row) {
		for _, r := range rows {
			if more = more && yield(r); !more {
				return
			}
		}
	}
	t := p.stream(each)
	each(t.Rows)
	return t
}

// rows are the rows of the tab: the leading rows, then each piece's own.
func (p *pieces) rows() iter.Seq[summary.Row] {
	return func(yield func(summary.Row) bool) {
		if p.stream != nil {
			p.streamed(yield)
			return
		}
		lead := len(p.head.Rows)
		for t := range p.tabs() {
			from := 0
			if t != p.head {
				from = min(lead, len(t.Rows))
			}
			for _, r := range t.Rows[from:] {
				if !yield(r) {
					return
				}
			}
		}
	}
}

// measured is what a stream must know before its first row.
type measured struct {
	rows   int   // how many
	widths []int // the characters of each column (summary.Tab.Widths)
	// blocks are the tab's blocks (summary.Tab.Blocks) in rows of the
	// whole tab (0-based), and titles its title rows, which are taller: a
	// tab of blocks is paged by them (print.go).
	blocks []summary.Block
	titles map[int]bool
}

// measure lays the tab out once to count its rows, size its columns and
// find its blocks.
func (p *pieces) measure() measured { return p.walk(nil) }

// walk lays the tab out, gives each of its rows to yield (when set; until
// it returns false) and measures them as measure does: a tab rewritten
// over a workbook of segments is measured as its rows are converted and
// keyed (sheet.write).
func (p *pieces) walk(yield func(summary.Row) bool) measured {
	m := measured{titles: map[int]bool{}}
	batch := summary.Tab{Table: p.head.Table}
	flush := func() {
		for c, w := range batch.Widths() {
			if c == len(m.widths) {
				m.widths = append(m.widths, 0)
			}
			m.widths[c] = max(m.widths[c], w)
		}
		clear(batch.Rows)
		batch.Rows = batch.Rows[:0]
	}
	more := true
	take := func(r summary.Row) {
		m.rows++
		batch.Rows = append(batch.Rows, r)
		if len(batch.Rows) == 4*p.size {
			flush()
		}
		if yield != nil && more {
			more = yield(r)
		}
	}
	if p.stream != nil {
		var titles []int
		t := p.streamed(func(r summary.Row) bool {
			if r.Tone == summary.Title {
				titles = append(titles, m.rows)
			}
			take(r)
			return true
		})
		flush()
		m.blocks = t.Blocks
		if len(t.Blocks) > 0 {
			for _, r := range titles {
				m.titles[r] = true
			}
		}
		return m
	}
	lead := len(p.head.Rows)
	m.blocks = append(m.blocks, p.head.Blocks...)
	for t := range p.tabs() {
		for _, b := range t.Blocks {
			if b.First >= lead {
				// A block of the piece's own rows: where they land in the tab.
				at := m.rows - lead
				m.blocks = append(m.blocks, summary.Block{First: at + b.First, Last: at + b.Last})
			}
		}
		from := 0
		if t != p.head {
			from = min(lead, len(t.Rows))
		}
		for _, r := range t.Rows[from:] {
			if r.Tone == summary.Title && len(p.head.Blocks) > 0 {
				m.titles[m.rows] = true
			}
			take(r)
		}
	}
	flush()
	return m
}
