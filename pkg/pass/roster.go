package pass

import (
	"context"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/source"
)

// Employees is the roster of the current pass: the configuration's, or the
// last one read from the roster tab.
func (e *Engine) Employees() []config.Employee {
	e.rosterMu.Lock()
	defer e.rosterMu.Unlock()
	if e.roster != nil {
		return e.roster
	}
	return e.Config.Employees
}

// refreshRoster reads the roster tab when the roster lives there. A roster
// that cannot be read keeps the last one read (a first one is an error);
// unusable rows come back as problems, each for its employee alone.
func (e *Engine) refreshRoster(ctx context.Context) ([]source.RosterProblem, error) {
	if e.Roster == nil {
		return nil, nil
	}
	emps, probs, err := e.Roster.Employees(ctx)
	e.rosterMu.Lock()
	defer e.rosterMu.Unlock()
	if err != nil {
		if e.roster != nil {
			e.Log.Warn().Err(err).Msg("the roster tab could not be read; the last roster read is used")
			return nil, nil
		}
		return nil, err
	}
	if emps == nil {
		emps = []config.Employee{}
	}
	e.roster = emps
	return probs, nil
}
