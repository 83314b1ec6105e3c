package store

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
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
			require.Equal(t, out, by)
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
