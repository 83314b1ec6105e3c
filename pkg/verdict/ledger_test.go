package verdict

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
)

func TestHorizon(t *testing.T) {
	t.Parallel()
	d := day.MustParse
	today := d("2026-11-26")
	cases := []struct {
		name         string
		since, start day.Date
		max          int
		want         day.Date
	}{
		{"the install when it is latest", d("2026-11-20"), day.Date{}, 31, d("2026-11-20")},
		{"the start when it is latest", d("2026-11-01"), d("2026-11-24"), 31, d("2026-11-24")},
		{"the maximum when it is latest", d("2026-01-01"), d("2026-03-01"), 31, d("2026-10-26")},
		{"no install known: the start, bounded", day.Date{}, d("2026-11-10"), 31, d("2026-11-10")},
		{"nothing known: the maximum", day.Date{}, day.Date{}, 31, d("2026-10-26")},
		{"no maximum", d("2025-01-01"), day.Date{}, 0, d("2025-01-01")},
	}
	for _, c := range cases {
		require.Equal(t, c.want, Horizon(c.since, c.start, today, c.max), c.name)
	}
}

func TestPending(t *testing.T) {
	t.Parallel()
	london, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	moscow, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	// 19:00 + 2 h in London.
	deadlineIn := func(loc *time.Location) func(day.Date) time.Time {
		return func(x day.Date) time.Time { return time.Date(x.Year, x.Month, x.Day, 21, 0, 0, 0, loc) }
	}
	weekdays := func(x day.Date) bool { return x.Weekday() != time.Saturday && x.Weekday() != time.Sunday }
	closed := map[day.Date]bool{day.MustParse("2026-11-17"): true}
	emp := Employee{
		Horizon: day.MustParse("2026-11-16"), Today: day.MustParse("2026-11-19"), Workday: weekdays,
		Deadline: deadlineIn(london), Closed: func(x day.Date) bool { return closed[x] },
	}
	// 23:30 Moscow on the 19th is 20:30 in London: the 19th is not due yet.
	now := time.Date(2026, 11, 19, 23, 30, 0, 0, moscow)
	require.Equal(t, []day.Date{day.MustParse("2026-11-16"), day.MustParse("2026-11-18")}, Pending(emp, now))
	// 00:10 Moscow on the 20th: 21:10 in London on the 19th, which is due.
	emp.Today = day.MustParse("2026-11-19")
	now = time.Date(2026, 11, 20, 0, 10, 0, 0, moscow)
	require.Equal(t, []day.Date{day.MustParse("2026-11-16"), day.MustParse("2026-11-18"), day.MustParse("2026-11-19")}, Pending(emp, now))
	// A weekend is never pending; a zero horizon or a future one closes nothing.
	emp.Horizon, emp.Today = day.MustParse("2026-11-21"), day.MustParse("2026-11-22")
	require.Empty(t, Pending(emp, now.Add(72*time.Hour)))
	emp.Horizon = day.Date{}
	require.Empty(t, Pending(emp, now))
}
