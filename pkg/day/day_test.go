package day_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
)

func TestParseAndFormat(t *testing.T) {
	t.Parallel()
	d, err := day.Parse("2026-11-26")
	require.NoError(t, err)
	require.Equal(t, day.New(2026, time.November, 26), d)
	require.Equal(t, "2026-11-26", d.String())
	require.Equal(t, "26.11.2026", d.Russian())
	require.Equal(t, time.Thursday, d.Weekday())
	for _, bad := range []string{"", "26.11.2026", "2026-02-30", "2026-13-01", "2026-11-26T00:00:00Z", "2026-1-2"} {
		_, err := day.Parse(bad)
		require.ErrorIs(t, err, day.ErrInvalid, bad)
	}
}

func TestArithmetic(t *testing.T) {
	t.Parallel()
	d := day.MustParse("2026-12-31")
	require.Equal(t, day.MustParse("2027-01-01"), d.AddDays(1))
	require.Equal(t, day.MustParse("2026-03-01"), day.MustParse("2026-02-28").AddDays(1))
	require.Equal(t, day.MustParse("2028-02-29"), day.MustParse("2028-02-28").AddDays(1))
	require.Equal(t, 365, day.MustParse("2026-01-01").DaysUntil(day.MustParse("2027-01-01")))
	require.True(t, d.After(d.AddDays(-1)))
	require.True(t, d.Before(d.AddDays(1)))
	require.Len(t, day.Range(d, d.AddDays(6)), 7)
	require.Empty(t, day.Range(d, d.AddDays(-1)))
}

// TestOfTimeZone: the date of an instant depends on where it is read.
func TestOfTimeZone(t *testing.T) {
	t.Parallel()
	vlad, err := time.LoadLocation("Asia/Vladivostok")
	require.NoError(t, err)
	instant := time.Date(2026, 11, 26, 15, 30, 0, 0, time.UTC) // 01:30 on the 27th in Vladivostok
	require.Equal(t, day.MustParse("2026-11-26"), day.Of(instant))
	require.Equal(t, day.MustParse("2026-11-27"), day.Today(instant, vlad))
	require.Equal(t, time.Date(2026, 11, 27, 0, 0, 0, 0, vlad), day.MustParse("2026-11-27").Time(vlad))
}

func TestSerial(t *testing.T) {
	t.Parallel()
	d, ok := day.FromSerial(46321)
	require.True(t, ok)
	require.Equal(t, day.MustParse("2026-10-26"), d)
	d, ok = day.FromSerial(46321.75)
	require.True(t, ok, "the time of day is ignored")
	require.Equal(t, day.MustParse("2026-10-26"), d)
	for _, bad := range []float64{0, -5, 1e9} {
		_, ok := day.FromSerial(bad)
		require.False(t, ok, bad)
	}
}

func TestJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(struct{ D day.Date }{day.MustParse("2026-11-04")})
	require.NoError(t, err)
	require.JSONEq(t, `{"D":"2026-11-04"}`, string(b))
	var back struct{ D day.Date }
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, day.MustParse("2026-11-04"), back.D)
	require.Error(t, json.Unmarshal([]byte(`{"D":"04.11.2026"}`), &back))
}
