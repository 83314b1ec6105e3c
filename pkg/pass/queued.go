package pass

import (
	"context"
	"fmt"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
)

// settleQueued runs after the outbox was drained. A day whose record did
// not change in this pass was counted unchanged; if that record still waits
// in the outbox (an earlier push failed for good and waits an hour for its
// next attempt), the CRM does not hold it: the day is counted queued, not
// unchanged, and the pass is partial (Result.Partial: CRM.Queued > 0).
func (r *run) settleQueued(ctx context.Context) error {
	res := r.res
	if res.CRM.Queued == 0 || res.CRM.Unchanged == 0 {
		return nil
	}
	items, err := r.e.Store.Outbox(ctx, r.e.Adapter.Name())
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	waiting := make(map[string]bool, len(items))
	for _, it := range items {
		waiting[it.Key] = true
	}
	for i := range res.Employees {
		e := &res.Employees[i]
		if !e.unchanged {
			continue
		}
		d := r.company
		if e.Date != "" {
			if d, err = day.Parse(e.Date); err != nil {
				continue
			}
		}
		if waiting[crm.Key(e.ID, d)] {
			e.unchanged, e.Queued = false, true
			res.CRM.Unchanged--
		}
	}
	return nil
}
