package config_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
)

func TestPlansFor(t *testing.T) {
	t.Parallel()
	p := config.Plans{
		Default:   config.MetricPlan{"new_calls": 400, "contracts_signed": 8, "payments": 6},
		Employees: map[string]config.MetricPlan{"ivanov": {"contracts_signed": 10}, "petrova": {"primary_calls": 250}},
		Months: map[string]config.MonthPlans{"2026-12": {
			Default:   config.MetricPlan{"contracts_signed": 6},
			Employees: map[string]config.MetricPlan{"petrova": {"payments": 3}},
		}},
	}
	require.Equal(t, config.MetricPlan{"new_calls": 400, "contracts_signed": 10, "payments": 6}, p.For("2026-11", "ivanov"))
	require.Equal(t, config.MetricPlan{"new_calls": 400, "contracts_signed": 6, "payments": 6}, p.For("2026-12", "ivanov"),
		"a month's default overrides the employee's general plan")
	require.Equal(t, config.MetricPlan{"new_calls": 400, "primary_calls": 250, "contracts_signed": 6, "payments": 3}, p.For("2026-12", "petrova"))
	require.Empty(t, config.Plans{}.For("2026-11", "ivanov"))
	require.True(t, config.ValidMonth("2026-01"))
	require.False(t, config.ValidMonth("2026-1"))
	require.False(t, config.ValidMonth("2026-00"))
}

// TestPlansOwn: whoever has no plan of their own for a month (Own false)
// gets the team's (For(month, "")), and whoever has one is told apart,
// over random plans: entries for every month and for one, empty entries,
// months without employees, employees of other months.
func TestPlansOwn(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(8, 23))
	ids := []string{"ivanov", "petrova", "sidorov", "kim"}
	months := []string{"2026-11", "2026-12"}
	plan := func() config.MetricPlan {
		p := config.MetricPlan{}
		for _, k := range []string{"new_calls", "contracts_signed", "payments"} {
			if rng.IntN(2) == 0 {
				p[k] = float64(rng.IntN(3) * 5) // 0 now and then
			}
		}
		return p
	}
	for range 500 {
		p := config.Plans{Default: plan(), Employees: map[string]config.MetricPlan{}, Months: map[string]config.MonthPlans{}}
		for _, id := range ids {
			if rng.IntN(3) == 0 {
				p.Employees[id] = plan()
			}
		}
		for _, m := range months {
			if rng.IntN(2) == 0 {
				mp := config.MonthPlans{Default: plan(), Employees: map[string]config.MetricPlan{}}
				for _, id := range ids {
					if rng.IntN(3) == 0 {
						mp.Employees[id] = plan()
					}
				}
				p.Months[m] = mp
			}
		}
		for _, m := range months {
			for _, id := range ids {
				_, general := p.Employees[id]
				_, monthly := p.Months[m].Employees[id]
				require.Equal(t, (general && len(p.Employees[id]) > 0) || (monthly && len(p.Months[m].Employees[id]) > 0), p.Own(m, id))
				if !p.Own(m, id) {
					require.Equal(t, p.For(m, ""), p.For(m, id), "%s %s", m, id)
				}
			}
		}
	}
}
