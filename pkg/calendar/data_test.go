package calendar

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
)

func TestEmbeddedData(t *testing.T) {
	t.Parallel()
	data, err := loadRU()
	require.NoError(t, err)
	require.Len(t, data.Holidays, 14, "art. 112 part 1 lists 14 dates")
	require.Len(t, data.Years, 3)
	for _, y := range []int{2025, 2026, 2027} {
		require.Contains(t, data.Years, y)
	}
	require.True(t, data.Years[2025].Verified)
	require.True(t, data.Years[2026].Verified)
	require.False(t, data.Years[2027].Verified, "no 2027 decree was found: must stay provisional")

	// The decrees' transfers, as published.
	want := map[int][][2]string{
		2025: {
			{"2025-01-04", "2025-05-02"}, {"2025-01-05", "2025-12-31"}, {"2025-02-23", "2025-05-08"},
			{"2025-03-08", "2025-06-13"}, {"2025-11-01", "2025-11-03"},
		},
		2026: {{"2026-01-03", "2026-01-09"}, {"2026-01-04", "2026-12-31"}},
		2027: nil,
	}
	for y, pairs := range want {
		var got [][2]string
		for _, tr := range data.Years[y].Transfers {
			if tr.Basis == basisDecree {
				got = append(got, [2]string{tr.From.String(), tr.To.String()})
			}
		}
		require.Equal(t, pairs, got, y)
	}
}

// TestArt112Transfers checks every "art112" transfer against the rule of
// Labour Code art. 112 part 2, derived here independently: a weekend day that
// coincides with a holiday other than 1..8 January moves to the next working
// day after the holiday.
func TestArt112Transfers(t *testing.T) {
	t.Parallel()
	data, err := loadRU()
	require.NoError(t, err)
	fixed := []struct {
		m time.Month
		d int
	}{{2, 23}, {3, 8}, {5, 1}, {5, 9}, {6, 12}, {11, 4}}
	isHoliday := func(x day.Date) bool {
		if x.Month == time.January && x.Day <= 8 {
			return true
		}
		for _, f := range fixed {
			if x.Month == f.m && x.Day == f.d {
				return true
			}
		}
		return false
	}
	weekend := func(x day.Date) bool { return x.Weekday() == time.Saturday || x.Weekday() == time.Sunday }

	// 2026 has no decree-made rearrangement outside January, 2027 has no decree
	// at all: there the rule alone decides.
	for _, y := range []int{2026, 2027} {
		var want [][2]string
		taken := map[day.Date]bool{}
		for _, f := range fixed {
			h := day.New(y, f.m, f.d)
			if !weekend(h) {
				continue
			}
			to := h.AddDays(1)
			for weekend(to) || isHoliday(to) || taken[to] {
				to = to.AddDays(1)
			}
			taken[to] = true
			want = append(want, [2]string{h.String(), to.String()})
		}
		var got [][2]string
		for _, tr := range data.Years[y].Transfers {
			if tr.Basis == basisArt112 {
				got = append(got, [2]string{tr.From.String(), tr.To.String()})
			}
		}
		require.Equal(t, want, got, y)
	}
}

func TestParseDataRejects(t *testing.T) {
	t.Parallel()
	const head = "holidays:\n  - {date: \"01-01\", name: NY}\nyears:\n"
	cases := []struct {
		name, yaml, err string
	}{
		{"bad yaml", "holidays: [", "calendar data"},
		{"bad month-day", "holidays:\n  - {date: \"13-01\", name: X}\n", "MM-DD"},
		{"unnamed holiday", "holidays:\n  - {date: \"01-01\"}\n", "no name"},
		{"duplicate holiday", "holidays:\n  - {date: \"01-01\", name: A}\n  - {date: \"01-01\", name: B}\n", "twice"},
		{"no source", head + "  - {year: 2025}\n", "no source"},
		{"duplicate year", head + "  - {year: 2025, source: s}\n  - {year: 2025, source: s}\n", "twice"},
		{"from a weekday", head + "  - {year: 2025, source: s, transfers: [{from: 2025-01-06, to: 2025-01-07, basis: decree}]}\n", "not a weekend day"},
		{"to a weekend", head + "  - {year: 2025, source: s, transfers: [{from: 2025-01-04, to: 2025-01-05, basis: decree}]}\n", "not an ordinary weekday"},
		{"to a holiday", head + "  - {year: 2026, source: s, transfers: [{from: 2026-01-03, to: 2026-01-01, basis: decree}]}\n", "not an ordinary weekday"},
		{"other year", head + "  - {year: 2025, source: s, transfers: [{from: 2026-01-03, to: 2026-01-09, basis: decree}]}\n", "outside the year"},
		{"basis", head + "  - {year: 2025, source: s, transfers: [{from: 2025-01-04, to: 2025-05-02, basis: x}]}\n", "unknown basis"},
		{"bad date", head + "  - {year: 2025, source: s, transfers: [{from: 2025-02-30, to: 2025-05-02, basis: decree}]}\n", "not a date"},
		{"reused date", head + "  - {year: 2025, source: s, transfers: [{from: 2025-01-04, to: 2025-05-02, basis: decree}, {from: 2025-01-05, to: 2025-05-02, basis: decree}]}\n", "reuses"},
		{"shortened elsewhere", head + "  - {year: 2025, source: s, shortened: [2026-01-01]}\n", "outside the year"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseData([]byte(tc.yaml))
			require.ErrorContains(t, err, tc.err)
		})
	}
	_, err := parseData([]byte(head + "  - {year: 2025, source: s, transfers: [{from: 2025-01-04, to: 2025-05-02, basis: decree}]}\n"))
	require.NoError(t, err)
}
