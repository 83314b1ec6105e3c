package pass

import (
	"context"

	"github.com/dayreport/dayreport/pkg/day"
)

// Idle reports whether a pass now would have nothing to do: no employee has
// a working day today in their own zone (after their start), and the
// ledger has no day to close. The daemon skips its scheduled passes then (a
// holiday, a weekend), and runs them on a transferred working Saturday.
func (e *Engine) Idle(ctx context.Context) (bool, error) {
	now := e.Now()
	since, kept := e.keptSince(ctx)
	if !kept {
		var err error
		if since, err = e.since(ctx); err != nil {
			return false, err
		}
	}
	for _, emp := range e.Employees() {
		loc := e.Config.EmployeeLocation(emp)
		today := day.Today(now, loc)
		if e.Calendar.IsWorkday(today) && !today.Before(emp.Start) {
			return false, nil
		}
		s, ok := since[emp.ID]
		if !ok {
			continue // not judged yet: its ledger starts with its first pass
		}
		horizon := e.horizonOf(emp, s, today)
		if today.Before(horizon) {
			continue
		}
		days, err := e.daysOf(ctx, emp.ID, horizon, today)
		if err != nil {
			return false, err
		}
		closed := make(map[day.Date]bool, len(days))
		for _, d := range days {
			closed[d.Date] = !d.ClosedAt.IsZero()
		}
		if len(e.pending(loc, horizon, today, now, func(d day.Date) bool { return closed[d] })) > 0 {
			return false, nil
		}
	}
	return true, nil
}
