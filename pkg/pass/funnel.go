package pass

import (
	"context"
	"fmt"
	"time"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/store"
)

// countedStatuses are the statuses whose numbers are data: absent and invalid
// days are no data, not zeros.
var countedStatuses = []report.Status{report.Submitted, report.Late}

// WindowEnding is the window of the configured length (summary.window) that
// ends on `to`: a whole number of weeks runs from a Monday ("2w" is the week
// of `to` and the one before), any other length counts days back.
func (e *Engine) WindowEnding(to day.Date) (from day.Date) {
	days := e.Config.Summary.Window.Days()
	if days <= 0 {
		days = 14
	}
	if days%7 == 0 {
		monday := to.AddDays(-((int(to.Weekday()) + 6) % 7))
		return monday.AddDays(-(days - 7))
	}
	return to.AddDays(-(days - 1))
}

// LastDay is the newest day the state database knows, never after today in
// the company time zone; ok is false when it knows none.
func (e *Engine) LastDay(ctx context.Context) (day.Date, bool, error) {
	last, ok, err := e.Store.LastDate(ctx)
	if err != nil || !ok {
		return day.Date{}, false, err
	}
	today := day.Today(e.Now(), e.Config.CompanyLocation())
	if last.After(today) {
		last = today
	}
	return last, true, nil
}

// Funnel computes the funnel of from..to from the stored days, with the
// window of equal length just before it for the trend.
func (e *Engine) Funnel(ctx context.Context, from, to day.Date) (*funnel.Result, error) {
	f, err := e.funnelStream(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return f.Whole(), nil
}

// funnelStream is Funnel with each employee's funnel built as it is read
// (funnel.Stream): for the summary's Воронка tab.
func (e *Engine) funnelStream(ctx context.Context, from, to day.Date) (*funnel.Result, error) {
	if to.Before(from) {
		return nil, fmt.Errorf("funnel: the window %s..%s ends before it starts", from, to)
	}
	cur, err := e.window(ctx, from, to)
	if err != nil {
		return nil, err
	}
	length := from.DaysUntil(to) + 1
	prev, err := e.window(ctx, from.AddDays(-length), from.AddDays(-1))
	if err != nil {
		return nil, err
	}
	order := make([]string, 0, len(e.Employees()))
	for _, e := range e.Employees() {
		order = append(order, e.ID)
	}
	return funnel.Stream(e.Template, cur, prev, funnel.Options{Lang: e.Lang(), Order: order}), nil
}

// window reads the totals of each employee over from..to.
func (e *Engine) window(ctx context.Context, from, to day.Date) (funnel.Window, error) {
	var metrics []string
	for _, s := range e.Template.Funnel {
		metrics = append(metrics, s.Metrics...)
	}
	if e.Template.Rating.Weight != "" {
		metrics = append(metrics, e.Template.Rating.Weight)
	}
	started := time.Now()
	sums, err := e.Store.Sums(ctx, store.SumsQuery{From: from, To: to, Counted: countedStatuses,
		Metrics: metrics, Rating: e.Template.Rating.Metric, Weight: e.Template.Rating.Weight})
	if err != nil {
		return funnel.Window{}, fmt.Errorf("state: %w", err)
	}
	e.Log.Debug().Str("from", from.String()).Str("to", to.String()).Int("employees", len(sums)).
		Dur("took_ms", time.Since(started)).Msg("funnel totals read")
	w := funnel.Window{From: from, To: to, Employees: make(map[string]funnel.Totals, len(sums))}
	for _, s := range sums {
		w.Employees[s.Employee] = funnel.Totals{Days: s.Days, Statuses: s.Statuses, Metrics: s.Metrics,
			RatingSum: s.RatingSum, RatingWeight: s.RatingWeight}
	}
	return w, nil
}
