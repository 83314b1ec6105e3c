package pass

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/store"
)

// The engine reads and saves employee-days through these methods: on a real
// run they are the store's, through the pass's store.DayBatch, which writes
// the days judged in few transactions and flushes before a read of a day it
// holds; in a dry run what would be saved is kept in an overlay in memory
// and read back from it, so that a dry backfill judges its later days
// against its earlier ones exactly as a real backfill would, and writes
// nothing.

// overlay is what a dry run would have saved: the days, by employee and
// date, and the employees' first judged days.
type overlay struct {
	mu    sync.Mutex
	days  map[string]map[day.Date]store.Day
	since map[string]day.Date
	// first is the earliest day put (zero: none).
	first day.Date
}

func newOverlay() *overlay {
	return &overlay{days: map[string]map[day.Date]store.Day{}, since: map[string]day.Date{}}
}

func (o *overlay) put(d store.Day) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.days[d.Employee] == nil {
		o.days[d.Employee] = map[day.Date]store.Day{}
	}
	o.days[d.Employee][d.Date] = d
	if o.first.IsZero() || d.Date.Before(o.first) {
		o.first = d.Date
	}
}

// merge lays the overlay's days of emp from..to over stored ones.
func (o *overlay) merge(emp string, from, to day.Date, stored []store.Day) []store.Day {
	o.mu.Lock()
	defer o.mu.Unlock()
	mine := o.days[emp]
	if len(mine) == 0 {
		return stored
	}
	byDate := make(map[day.Date]store.Day, len(stored)+len(mine))
	for _, d := range stored {
		byDate[d.Date] = d
	}
	for dt, d := range mine {
		if !dt.Before(from) && !dt.After(to) {
			byDate[dt] = d
		}
	}
	out := make([]store.Day, 0, len(byDate))
	for _, d := range byDate {
		out = append(out, d)
	}
	slices.SortFunc(out, func(x, y store.Day) int { return x.Date.Compare(y.Date) })
	return out
}

// since returns the first judged day of each employee.
func (e *Engine) since(ctx context.Context) (map[string]day.Date, error) {
	stored, err := e.Store.Since(ctx)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	if e.overlay != nil {
		e.overlay.mu.Lock()
		for emp, d := range e.overlay.since {
			if s, ok := stored[emp]; !ok || d.Before(s) {
				stored[emp] = d
			}
		}
		e.overlay.mu.Unlock()
	}
	return stored, nil
}

// noteSince records newcomers' first judged days (in a dry run: in memory).
func (e *Engine) noteSince(ctx context.Context, news map[string]day.Date) error {
	if e.overlay == nil {
		if err := e.Store.NoteSince(ctx, news); err != nil {
			return fmt.Errorf("state: %w", err)
		}
		return nil
	}
	e.overlay.mu.Lock()
	defer e.overlay.mu.Unlock()
	for emp, d := range news {
		if s, ok := e.overlay.since[emp]; !ok || d.Before(s) {
			e.overlay.since[emp] = d
		}
	}
	return nil
}

// firstDate is the earliest stored day (the overlay's too); ok is false when
// there is none.
func (e *Engine) firstDate(ctx context.Context) (day.Date, bool, error) {
	first, ok, err := e.Store.FirstDate(ctx)
	if err != nil {
		return day.Date{}, false, fmt.Errorf("state: %w", err)
	}
	if e.overlay != nil {
		e.overlay.mu.Lock()
		if f := e.overlay.first; !f.IsZero() && (!ok || f.Before(first)) {
			first, ok = f, true
		}
		e.overlay.mu.Unlock()
	}
	return first, ok, nil
}

// daysOf returns an employee's days from..to, by date.
func (e *Engine) daysOf(ctx context.Context, emp string, from, to day.Date) ([]store.Day, error) {
	var (
		stored []store.Day
		err    error
	)
	if b := e.batch.Load(); b != nil {
		stored, err = b.DaysOf(ctx, emp, from, to)
	} else {
		stored, err = e.Store.DaysOf(ctx, emp, from, to)
	}
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	if e.overlay != nil {
		stored = e.overlay.merge(emp, from, to, stored)
	}
	return stored, nil
}

// dayOf returns one employee-day; ok is false when there is none.
func (e *Engine) dayOf(ctx context.Context, emp string, d day.Date) (store.Day, bool, error) {
	days, err := e.daysOf(ctx, emp, d, d)
	if err != nil || len(days) == 0 {
		return store.Day{}, false, err
	}
	return days[0], true, nil
}

// saveDay saves one employee-day (in a dry run: into the overlay, with what
// the store would have answered).
func (e *Engine) saveDay(ctx context.Context, u store.DayUpdate, prior store.Day, known bool) (store.SaveResult, error) {
	if e.overlay == nil {
		save := e.Store.SaveDay
		if b := e.batch.Load(); b != nil {
			save = b.Save
		}
		res, err := save(ctx, u)
		if err != nil {
			return res, fmt.Errorf("state: %w", err)
		}
		return res, nil
	}
	d := u.Day
	var res store.SaveResult
	if u.Record != nil {
		d.RecordHash = u.Record.Hash()
		res.Enqueued = !known || prior.RecordHash != d.RecordHash
		res.Unchanged = !res.Enqueued
	}
	e.overlay.put(d)
	return res, nil
}

// versions returns the report versions of an employee-day, oldest first.
func (e *Engine) versions(ctx context.Context, emp string, d day.Date) ([]store.Version, error) {
	if b := e.batch.Load(); b != nil {
		return b.Versions(ctx, emp, d)
	}
	return e.Store.Versions(ctx, emp, d)
}

// closedVersion is store.ClosedVersion, through the pass's batch.
func (e *Engine) closedVersion(ctx context.Context, emp string, d day.Date) (string, time.Time, bool, error) {
	if b := e.batch.Load(); b != nil {
		return b.ClosedVersion(ctx, emp, d)
	}
	return e.Store.ClosedVersion(ctx, emp, d)
}

// noteClosedVersion is store.NoteClosedVersion, staged in the pass's batch.
func (e *Engine) noteClosedVersion(ctx context.Context, emp string, d day.Date, hash string, closedAt time.Time) error {
	if b := e.batch.Load(); b != nil {
		b.NoteClosedVersion(emp, d, hash, closedAt)
		return nil
	}
	return e.Store.NoteClosedVersion(ctx, emp, d, hash, closedAt)
}
