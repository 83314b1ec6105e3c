package pass

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/store"
)

// The engine reads and saves employee-days through these methods: on a real
// run they are the store's; in a dry run what would be saved is kept in an
// overlay in memory and read back from it, so that a dry backfill judges its
// later days against its earlier ones exactly as a real backfill would, and
// writes nothing.

// overlay is the days a dry run would have saved, by employee and date.
type overlay struct {
	mu   sync.Mutex
	days map[string]map[day.Date]store.Day
}

func newOverlay() *overlay { return &overlay{days: map[string]map[day.Date]store.Day{}} }

func (o *overlay) put(d store.Day) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.days[d.Employee] == nil {
		o.days[d.Employee] = map[day.Date]store.Day{}
	}
	o.days[d.Employee][d.Date] = d
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

// daysOf returns an employee's days from..to, by date.
func (e *Engine) daysOf(ctx context.Context, emp string, from, to day.Date) ([]store.Day, error) {
	stored, err := e.Store.DaysOf(ctx, emp, from, to)
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
		res, err := e.Store.SaveDay(ctx, u)
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
