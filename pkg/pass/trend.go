package pass

import (
	"context"
	"fmt"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/store"
	"github.com/dayreport/dayreport/pkg/summary"
)

// Trend is the Динамика tab of the summary: each transition's team
// conversion week by week over the summary.TrendWeeks weeks ending with the
// week of `to`, and each change of the change log on its week.
func (e *Engine) Trend(ctx context.Context, to day.Date) (*summary.Trend, error) {
	stages := e.Template.Funnel
	if len(stages) < 2 {
		return nil, nil
	}
	tr := &summary.Trend{}
	for i := 1; i < len(stages); i++ {
		tr.Transitions = append(tr.Transitions, "→ "+stages[i].DisplayLabel(e.Lang()))
	}
	var metrics []string
	for _, s := range stages {
		metrics = append(metrics, s.Metrics...)
	}
	specs, _, err := e.ChangeLog(ctx)
	if err != nil {
		// The summary goes on with the configuration's changes alone.
		e.Log.Warn().Err(err).Msg("the change log tab could not be read; the trend marks the configuration's changes only")
	}
	monday := to.AddDays(-((int(to.Weekday()) + 6) % 7))
	// The team's totals date by date, in one read, added up by week.
	dates, err := e.Store.DateSums(ctx, store.SumsQuery{From: monday.AddDays(-7 * (summary.TrendWeeks - 1)), To: to,
		Counted: countedStatuses, Metrics: metrics})
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	for w := summary.TrendWeeks - 1; w >= 0; w-- {
		first := monday.AddDays(-7 * w)
		last := first.AddDays(6)
		if last.After(to) {
			last = to
		}
		total := map[string]float64{}
		for len(dates) > 0 && !dates[0].Date.After(last) {
			if !dates[0].Date.Before(first) {
				for k, v := range dates[0].Metrics {
					total[k] += v
				}
			}
			dates = dates[1:]
		}
		week := summary.TrendWeek{Monday: first, Last: last}
		prev := 0.0
		for i, s := range stages {
			n := 0.0
			for _, m := range s.Metrics {
				n += total[m]
			}
			if i > 0 {
				week.Conversions = append(week.Conversions, funnel.Ratio(n, prev))
			}
			prev = n
		}
		for _, c := range specs {
			if !c.Date.Before(first) && !c.Date.After(first.AddDays(6)) {
				week.Changes = append(week.Changes, changeMark(e, c))
			}
		}
		tr.Weeks = append(tr.Weeks, week)
	}
	return tr, nil
}

// changeMark is a change as the trend names it: "Подписано договоров
// (10.11): новый шаблон договора".
func changeMark(e *Engine, c funnel.ChangeSpec) string {
	label := c.Stage
	for _, s := range e.Template.Funnel {
		if s.Key == c.Stage {
			label = s.DisplayLabel(e.Lang())
		}
	}
	s := fmt.Sprintf("%s (%02d.%02d)", label, c.Date.Day, c.Date.Month)
	if c.Note != "" {
		s += ": " + c.Note
	}
	return s
}
