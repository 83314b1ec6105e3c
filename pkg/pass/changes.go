package pass

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/notify"
	"github.com/dayreport/dayreport/pkg/store"
)

// Changes is the change log followed through the funnel (the JSON of
// `changes`, and the block of `funnel --format json`).
type Changes struct {
	Changes []funnel.ChangeResult `json:"changes"`
	// Problems are the rows of the change log tab left out, each located.
	Problems []string `json:"problems,omitempty"`
}

// ChangeLog is every change of the configuration and of the change log tab,
// by date; rows of the tab that cannot be used come back as problems. When
// the tab cannot be read, the error comes with the configuration's changes
// (a caller may go on with those).
func (e *Engine) ChangeLog(ctx context.Context) (specs []funnel.ChangeSpec, problems []string, err error) {
	defer func() {
		slices.SortStableFunc(specs, func(a, b funnel.ChangeSpec) int {
			return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.Stage, b.Stage))
		})
	}()
	ids := map[string]bool{}
	for _, emp := range e.Employees() {
		ids[emp.ID] = true
	}
	for i, c := range e.Config.Changes {
		// The file's ids are checked when it loads, except against a roster
		// kept in the spreadsheet: those are checked here.
		if e.Config.Roster == config.RosterSheet {
			var bad []string
			for _, p := range config.ValidateChange(c, ids) {
				bad = append(bad, fmt.Sprintf("changes[%d].%s: %s", i, p.Path, p.Message))
			}
			if len(bad) > 0 {
				problems = append(problems, bad...)
				continue
			}
		}
		specs = append(specs, spec(c))
	}
	if e.Deps.ChangeLog != nil {
		logged, probs, err := e.Deps.ChangeLog.Changes(ctx)
		if err != nil {
			return specs, problems, fmt.Errorf("change log: %w", err)
		}
		for _, p := range probs {
			problems = append(problems, p.Cell+": "+p.Message)
		}
		stages := make([]string, 0, len(e.Template.Funnel))
		for _, s := range e.Template.Funnel {
			stages = append(stages, s.Key)
		}
		for _, c := range logged {
			c.Stage = stageKey(e, c.Stage)
			var bad []string
			if msg := config.StageError(c.Stage, stages); msg != "" {
				bad = append(bad, c.StageCell+": "+msg)
			}
			for _, p := range config.ValidateChange(c.Change, ids) {
				where := c.Row
				switch {
				case strings.HasPrefix(p.Path, "employees"):
					where = c.EmployeesCell
				case p.Path == "date":
					where = c.DateCell
				case p.Path == "stage":
					where = c.StageCell
				}
				bad = append(bad, where+": "+p.Message)
			}
			if len(bad) > 0 {
				problems = append(problems, bad...)
				continue
			}
			specs = append(specs, spec(c.Change))
		}
	}
	return specs, problems, nil
}

// stageKey is the key of a stage named in the tab: its key, or its label
// in either language as the manager sees it in the summary.
func stageKey(e *Engine, s string) string {
	for _, st := range e.Template.Funnel {
		if strings.EqualFold(s, st.Key) || strings.EqualFold(s, st.DisplayLabel("ru")) || strings.EqualFold(s, st.DisplayLabel("en")) {
			return st.Key
		}
	}
	return s
}

func spec(c config.Change) funnel.ChangeSpec {
	return funnel.ChangeSpec{Date: c.Date, Stage: c.Stage, Note: c.Note, Employees: c.Employees}
}

// FollowChanges compares each change's transition before and after it, up
// to the newest stored day (never after today). Only submitted and late
// days count.
func (e *Engine) FollowChanges(ctx context.Context) (*Changes, error) {
	specs, problems, err := e.ChangeLog(ctx)
	if err != nil {
		return nil, err
	}
	out := &Changes{Changes: []funnel.ChangeResult{}, Problems: problems}
	if len(specs) == 0 {
		return out, nil
	}
	last, ok, err := e.LastDay(ctx)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	if !ok {
		last = day.Today(e.Now(), e.Config.CompanyLocation()).AddDays(-1)
	}
	prev := funnel.PreviousOfStage(specs)
	for i, c := range specs {
		w := funnel.Windows(e.Calendar, c.Date, prev[i], last)
		before, err := e.sumsOf(ctx, w.Before, c.Employees)
		if err != nil {
			return nil, err
		}
		after, err := e.sumsOf(ctx, w.After, c.Employees)
		if err != nil {
			return nil, err
		}
		if r, ok := funnel.Follow(e.Template, c, w, before, after, e.Lang()); ok {
			out.Changes = append(out.Changes, r)
		}
	}
	return out, nil
}

// sumsOf adds up the counted days of the window for the given employees
// (none: everyone stored).
func (e *Engine) sumsOf(ctx context.Context, s funnel.Span, employees []string) (map[string]float64, error) {
	if s.Days == 0 {
		return nil, nil
	}
	var metrics []string
	for _, st := range e.Template.Funnel {
		metrics = append(metrics, st.Metrics...)
	}
	sums, err := e.Store.Sums(ctx, store.SumsQuery{From: s.First, To: s.Last, Counted: countedStatuses, Metrics: metrics})
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	out := map[string]float64{}
	for _, x := range sums {
		if len(employees) > 0 && !slices.Contains(employees, x.Employee) {
			continue
		}
		for k, v := range x.Metrics {
			out[k] += v
		}
	}
	return out, nil
}

// significantChanges adds to the digest the changes that have become
// significant (better or worse) and were not announced yet, and returns
// their keys, to be marked sent with the digest: each is said once, across
// reruns and restarts (the state database keeps the keys, as it does the
// digest's own). A change that turns the other way is news again. The
// change log failing to read leaves the digest as it is.
func (e *Engine) significantChanges(ctx context.Context, msg *notify.Message) ([]string, error) {
	if len(e.Config.Changes) == 0 && e.Deps.ChangeLog == nil {
		return nil, nil
	}
	res, err := e.FollowChanges(ctx)
	if err != nil {
		e.Log.Warn().Err(err).Msg("the change log could not be followed; the digest goes without it")
		return nil, nil
	}
	names := map[string]string{}
	for _, emp := range e.Employees() {
		names[emp.ID] = emp.Name
	}
	var (
		keys  []string
		lines []string
	)
	for _, c := range res.Changes {
		if !c.Significant {
			continue
		}
		key := fmt.Sprintf("change:%s:%s:%s:%+d", c.Date, c.Stage, strings.Join(c.Employees, ","), c.Direction())
		sent, err := e.Store.WasSent(ctx, key)
		if err != nil {
			return nil, fmt.Errorf("state: %w", err)
		}
		if sent {
			continue
		}
		keys = append(keys, key)
		lines = append(lines, "• "+c.Heading(e.Lang(), names)+": "+c.Sentence(e.Lang()))
	}
	if len(lines) > 0 {
		msg.Text += "\n\n" + tr(e.Lang(), "Изменение дало значимый результат:", "A change has a significant result:") +
			"\n" + strings.Join(lines, "\n")
	}
	return keys, nil
}
