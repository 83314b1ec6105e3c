package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dayreport/dayreport/pkg/crm/builtin"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/pass"
)

// loadFacts puts the builtin CRM's facts CSV into the state database (on
// every start: the file is the truth, a changed row replaces the stored one).
func loadFacts(ctx context.Context, d pass.Deps) error {
	path := d.Config.CRM.Builtin.Facts
	if path == "" || d.DryRun || d.Adapter.Name() != builtin.Name {
		return nil
	}
	rows, err := builtin.ReadFacts(path)
	if err != nil {
		return configError(err)
	}
	type key struct {
		user string
		d    day.Date
	}
	grouped := map[key]map[string]float64{}
	var keys []key
	for _, r := range rows {
		k := key{r.User, r.Date}
		if grouped[k] == nil {
			grouped[k] = map[string]float64{}
			keys = append(keys, k)
		}
		grouped[k][r.Metric] = r.Value
	}
	slices.SortFunc(keys, func(x, y key) int { return x.d.Compare(y.d) })
	started := time.Now()
	for _, k := range keys {
		if err := d.Store.PutFacts(ctx, k.user, k.d, grouped[k]); err != nil {
			return fmt.Errorf("state: %w", err)
		}
	}
	d.Log.Debug().Int("rows", len(rows)).Dur("took_ms", time.Since(started)).Msg("builtin CRM facts loaded")
	return nil
}
