package store

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/report"
)

// TestDaysHeldOn: the days of a date come with where their records stand,
// joined by the record key as crm.Key spells it (an id with a dash and
// Cyrillic letters included): queued, then held once pushed, then queued
// again after a change; another adapter holds nothing; another date is
// not read. Held answers as SaveDay's unchanged shortcut would.
func TestDaysHeldOn(t *testing.T) {
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, newClock())
		a, b := update("petrov-2", testDate, 20), update("иванов", testDate, 7)
		for _, u := range []DayUpdate{a, b, update("petrov-2", testDate.AddDays(-1), 3)} {
			_, err := s.SaveDay(ctx, u)
			require.NoError(t, err)
		}
		byEmp := func(adapter string) map[string]HeldDay {
			days, err := s.DaysHeldOn(ctx, adapter, testDate)
			require.NoError(t, err)
			out := map[string]HeldDay{}
			for _, d := range days {
				require.Equal(t, testDate, d.Date)
				out[d.Employee] = d
			}
			by, err := s.DaysHeldOnBy(ctx, adapter, testDate)
			require.NoError(t, err)
			require.Len(t, by, len(out))
			for id, d := range out {
				require.NotNil(t, by[id], id)
				require.Equal(t, d, *by[id], id)
			}
			return out
		}
		got := byEmp("builtin")
		require.Len(t, got, 2)
		ha := a.Record.Hash()
		require.Equal(t, HeldDay{Day: got["petrov-2"].Day, Pending: ha, Queued: true}, got["petrov-2"])
		require.Equal(t, ha, got["petrov-2"].RecordHash)
		require.True(t, got["petrov-2"].Held(ha), "queued")

		require.NoError(t, s.MarkPushed(ctx, "builtin", a.Record.Key, ha, "obj-1"))
		got = byEmp("builtin")
		require.Equal(t, ha, got["petrov-2"].Pushed)
		require.False(t, got["petrov-2"].Queued)
		require.True(t, got["petrov-2"].Held(ha), "held by the CRM")
		require.False(t, got["petrov-2"].Held("other"))
		require.True(t, got["иванов"].Queued, "his record still waits")

		changed := update("petrov-2", testDate, 21)
		_, err := s.SaveDay(ctx, changed)
		require.NoError(t, err)
		got = byEmp("builtin")
		require.Equal(t, ha, got["petrov-2"].Pushed)
		require.Equal(t, changed.Record.Hash(), got["petrov-2"].Pending)
		require.True(t, got["petrov-2"].Held(changed.Record.Hash()))
		require.False(t, got["petrov-2"].Held(ha), "the pushed record is not the one waiting")

		other := byEmp("amocrm")
		require.Len(t, other, 2)
		require.False(t, other["petrov-2"].Queued)
		require.Empty(t, other["petrov-2"].Pushed)
		require.False(t, other["petrov-2"].Held(changed.Record.Hash()))

		span, err := s.DaysHeldOf(ctx, "builtin", "petrov-2", testDate.AddDays(-7), testDate)
		require.NoError(t, err)
		require.Len(t, span, 2)
		require.Equal(t, testDate.AddDays(-1), span[0].Date, "by date")
		require.True(t, span[0].Queued)
	})
}

// TestSameDay: the day's own columns compared as saving would: a nil and
// an empty set of numbers differ (they are stored differently).
func TestSameDay(t *testing.T) {
	d := update("ivanov", testDate, 20).Day
	require.True(t, SameDay(d, d))
	e := d
	e.Metrics = map[string]float64{"new_calls": 20}
	require.True(t, SameDay(d, e))
	e.Metrics = map[string]float64{"new_calls": 21}
	require.False(t, SameDay(d, e))
	e = d
	e.Metrics = nil
	require.False(t, SameDay(d, e))
	e = d
	e.ClosedAt = newClock().Now()
	require.False(t, SameDay(d, e))
	e = d
	e.LongTerm = "рост"
	require.False(t, SameDay(d, e))
}

// sameDayByText is SameDay as it compared before its shortcuts: every
// column as the text it is stored as.
func sameDayByText(prior, next Day) bool {
	if prior.Employee != next.Employee || prior.Date != next.Date || prior.Status != next.Status || prior.Late != next.Late ||
		timeText(prior.ClosedAt) != timeText(next.ClosedAt) || timeText(prior.FirstSeen) != timeText(next.FirstSeen) ||
		prior.Notes != next.Notes || prior.LongTerm != next.LongTerm || prior.SourceURL != next.SourceURL ||
		prior.VersionID != next.VersionID {
		return false
	}
	for _, c := range [][2]any{{prior.Metrics, next.Metrics}, {prior.Flags, next.Flags}} {
		was, err1 := toJSON(c[0])
		now, err2 := toJSON(c[1])
		if err1 != nil || err2 != nil || was != now {
			return false
		}
	}
	was, err1 := errorsJSON(prior.Errors)
	now, err2 := errorsJSON(next.Errors)
	return err1 == nil && err2 == nil && was == now
}

// TestSameDayIsTheText: SameDay's shortcuts (times compared as instants,
// numbers by their bits, nil lists) answer as comparing the stored text
// does, over days differing in every way that could slip through.
func TestSameDayIsTheText(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	base := update("ivanov", testDate, 20).Day
	moscow := time.FixedZone("MSK", 3*3600)
	at := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
	times := []time.Time{{}, at, at.In(moscow), at.Add(time.Nanosecond), time.Date(1, 1, 1, 1, 0, 0, 0, moscow),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 1, time.UTC), time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC)}
	nums := []map[string]float64{nil, {}, {"a": 1}, {"a": 1.0}, {"a": 2}, {"a": math.Copysign(0, -1)}, {"a": 0},
		{"a": math.NaN()}, {"a": math.Inf(1)}, {"b": 1}, {"a": 1, "b": 2}}
	flags := [][]crm.Flag{nil, {}, {{Code: "overstated"}}, {{Code: "inconsistent"}}}
	errs := [][]report.FieldError{nil, {}, {{Code: "range", Field: "calls", Message: "x"}}, {{Code: "range", Field: "calls", Message: "y"}}}
	variant := func() Day {
		d := base
		d.ClosedAt, d.FirstSeen = times[r.IntN(len(times))], times[r.IntN(len(times))]
		d.Metrics, d.Flags, d.Errors = nums[r.IntN(len(nums))], flags[r.IntN(len(flags))], errs[r.IntN(len(errs))]
		return d
	}
	same := 0
	for range 20000 {
		a, b := variant(), variant()
		if r.IntN(3) == 0 {
			b = a
		}
		want := sameDayByText(a, b)
		require.Equal(t, want, SameDay(a, b), "%+v\n%+v", a, b)
		if want {
			same++
		}
	}
	require.Greater(t, same, 1000, "the cases that compare equal are tried too")
}
