package plan

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
)

type randomCalendar map[day.Date]bool

func (c randomCalendar) IsWorkday(d day.Date) bool { return c[d] }

// TestWorkingDaysAsCounted: the working days counted from the calendar's
// days listed once are those counted day by day, asking the calendar for
// each — over random calendars, starts (before, inside, after the range)
// and leave, for every range of the month and every date it is cut at.
func TestWorkingDaysAsCounted(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 5))
	first := day.MustParse("2026-11-01")
	for range 200 {
		cal := randomCalendar{}
		for i := range 40 {
			cal[first.AddDays(i-5)] = rng.IntN(3) > 0
		}
		leave := map[day.Date]bool{}
		for range rng.IntN(6) {
			leave[first.AddDays(rng.IntN(35))] = true
		}
		e := Employee{ID: "e"}
		if rng.IntN(2) == 0 {
			e.Start = first.AddDays(rng.IntN(40) - 5)
		}
		if rng.IntN(2) == 0 {
			e.OnLeave = func(d day.Date) bool { return leave[d] }
		}
		from, to := first.AddDays(rng.IntN(10)), first.AddDays(10+rng.IntN(25))
		naive := func(a, b day.Date) int {
			n := 0
			for d := a; !d.After(b); d = d.AddDays(1) {
				if cal.IsWorkday(d) && (e.Start.IsZero() || !d.Before(e.Start)) && (e.OnLeave == nil || !e.OnLeave(d)) {
					n++
				}
			}
			return n
		}
		require.Equal(t, naive(from, to), WorkingDays(cal, e, from, to))
		days := calendarDays(cal, from, to)
		for cut := from.AddDays(-2); !cut.After(to.AddDays(2)); cut = cut.AddDays(1) {
			end := cut
			if end.After(to) {
				end = to
			}
			require.Equal(t, naive(from, end), workingDays(daysUpTo(days, cut), e), "cut at %s", cut)
		}
	}
}
