package config_test

import (
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
