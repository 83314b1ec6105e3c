package calendar

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
)

func d(s string) day.Date { return day.MustParse(s) }

func ru(t *testing.T) *Calendar {
	t.Helper()
	c, err := New(Options{Country: "ru"})
	require.NoError(t, err)
	return c
}

// span expands "2025-02-22..2025-02-23" style periods into dates.
func span(from, to string) []day.Date { return day.Range(d(from), d(to)) }

// TestRussiaEveryDayAgainstAnnouncements compares every day of 2025 and 2026
// with the rest periods the Government announced together with its decrees
// (independent of the transfer pairs in ru.yaml): a day is off if it is a
// Saturday or Sunday or inside an announced rest period, unless it is an
// announced working Saturday.
func TestRussiaEveryDayAgainstAnnouncements(t *testing.T) {
	t.Parallel()
	type yearCase struct {
		year      int
		rest      [][2]string
		workedSat []string
	}
	cases := []yearCase{
		{
			// Постановление от 04.10.2024 № 1335: rest 29.12.2024-08.01.2025,
			// 22-23.02, 8-9.03, 1-4.05, 8-11.05, 12-15.06, 2-4.11, 31.12;
			// Saturday 01.11 worked.
			year: 2025,
			rest: [][2]string{
				{"2025-01-01", "2025-01-08"}, {"2025-02-22", "2025-02-23"}, {"2025-03-08", "2025-03-09"},
				{"2025-05-01", "2025-05-04"}, {"2025-05-08", "2025-05-11"}, {"2025-06-12", "2025-06-15"},
				{"2025-11-02", "2025-11-04"}, {"2025-12-31", "2025-12-31"},
			},
			workedSat: []string{"2025-11-01"},
		},
		{
			// Постановление от 24.09.2025 № 1466: rest 31.12.2025-11.01.2026,
			// 21-23.02, 7-9.03, 1-3.05, 9-11.05, 12-14.06, 04.11, 31.12.
			year: 2026,
			rest: [][2]string{
				{"2026-01-01", "2026-01-11"}, {"2026-02-21", "2026-02-23"}, {"2026-03-07", "2026-03-09"},
				{"2026-05-01", "2026-05-03"}, {"2026-05-09", "2026-05-11"}, {"2026-06-12", "2026-06-14"},
				{"2026-11-04", "2026-11-04"}, {"2026-12-31", "2026-12-31"},
			},
		},
	}
	c := ru(t)
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.year), func(t *testing.T) {
			t.Parallel()
			off := map[day.Date]bool{}
			for _, p := range tc.rest {
				for _, x := range span(p[0], p[1]) {
					off[x] = true
				}
			}
			worked := map[day.Date]bool{}
			for _, s := range tc.workedSat {
				worked[d(s)] = true
			}
			for _, x := range day.Range(day.New(tc.year, 1, 1), day.New(tc.year, 12, 31)) {
				wd := x.Weekday()
				want := !off[x] && wd != time.Saturday && wd != time.Sunday || worked[x]
				require.Equalf(t, want, c.IsWorkday(x), "%s (%s) reason %q", x, wd, c.Reason(x))
			}
		})
	}
}

// TestRussiaHolidaysAndTransfers asserts every holiday and every transfer of
// the decrees with its reason.
func TestRussiaHolidaysAndTransfers(t *testing.T) {
	t.Parallel()
	const (
		ny   = "holiday: Новогодние каникулы"
		xmas = "holiday: Рождество Христово"
		feb  = "holiday: День защитника Отечества"
		mar  = "holiday: Международный женский день"
		may1 = "holiday: Праздник Весны и Труда"
		may9 = "holiday: День Победы"
		jun  = "holiday: День России"
		nov  = "holiday: День народного единства"
	)
	cases := []struct {
		date   string
		work   bool
		reason string
	}{
		// 2025, Постановление от 04.10.2024 № 1335.
		{"2025-01-01", false, ny}, {"2025-01-02", false, ny}, {"2025-01-03", false, ny},
		{"2025-01-04", false, ny}, {"2025-01-05", false, ny}, {"2025-01-06", false, ny},
		{"2025-01-07", false, xmas}, {"2025-01-08", false, ny}, {"2025-01-09", true, ""},
		{"2025-02-21", true, ""}, {"2025-02-23", false, feb}, {"2025-02-24", true, ""},
		{"2025-03-07", true, ""}, {"2025-03-08", false, mar}, {"2025-03-10", true, ""},
		{"2025-04-30", true, ""},
		{"2025-05-01", false, may1}, {"2025-05-02", false, ReasonTransferredDayOff}, // from Sat 04.01
		{"2025-05-05", true, ""}, {"2025-05-07", true, ""},
		{"2025-05-08", false, ReasonTransferredDayOff}, // from Sun 23.02
		{"2025-05-09", false, may9}, {"2025-05-12", true, ""},
		{"2025-06-11", true, ""}, {"2025-06-12", false, jun},
		{"2025-06-13", false, ReasonTransferredDayOff}, // from Sat 08.03
		{"2025-06-16", true, ""},
		{"2025-10-31", true, ""},
		{"2025-11-01", true, ReasonTransferredWorkday}, // Saturday worked
		{"2025-11-02", false, ReasonWeekend},
		{"2025-11-03", false, ReasonTransferredDayOff}, // from Sat 01.11
		{"2025-11-04", false, nov}, {"2025-11-05", true, ""},
		{"2025-12-30", true, ""},
		{"2025-12-31", false, ReasonTransferredDayOff}, // from Sun 05.01

		// 2026, Постановление от 24.09.2025 № 1466 and art. 112 part 2.
		{"2026-01-01", false, ny}, {"2026-01-02", false, ny}, {"2026-01-03", false, ny},
		{"2026-01-04", false, ny}, {"2026-01-05", false, ny}, {"2026-01-06", false, ny},
		{"2026-01-07", false, xmas}, {"2026-01-08", false, ny},
		{"2026-01-09", false, ReasonTransferredDayOff}, // from Sat 03.01
		{"2026-01-10", false, ReasonWeekend}, {"2026-01-12", true, ""},
		{"2026-02-20", true, ""}, {"2026-02-23", false, feb}, {"2026-02-24", true, ""},
		{"2026-03-06", true, ""}, {"2026-03-08", false, mar},
		{"2026-03-09", false, ReasonTransferredDayOff}, // art. 112: Sun 08.03
		{"2026-03-10", true, ""},
		{"2026-05-01", false, may1}, {"2026-05-04", true, ""}, {"2026-05-08", true, ""},
		{"2026-05-09", false, may9},
		{"2026-05-11", false, ReasonTransferredDayOff}, // art. 112: Sat 09.05
		{"2026-05-12", true, ""},
		{"2026-06-12", false, jun}, {"2026-06-15", true, ""},
		{"2026-11-03", true, ""}, {"2026-11-04", false, nov}, {"2026-11-05", true, ""},
		{"2026-12-30", true, ""},
		{"2026-12-31", false, ReasonTransferredDayOff}, // from Sun 04.01

		// 2027: art. 112 only (no decree found; provisional).
		{"2027-01-01", false, ny}, {"2027-01-07", false, xmas}, {"2027-01-08", false, ny},
		{"2027-01-11", true, ""},
		{"2027-02-23", false, feb}, {"2027-03-08", false, mar},
		{"2027-05-01", false, may1}, {"2027-05-03", false, ReasonTransferredDayOff},
		{"2027-05-09", false, may9}, {"2027-05-10", false, ReasonTransferredDayOff},
		{"2027-06-12", false, jun}, {"2027-06-14", false, ReasonTransferredDayOff},
		{"2027-11-04", false, nov}, {"2027-11-05", true, ""},
		{"2027-12-31", true, ""}, // not a holiday by law; the decree may change it
	}
	c := ru(t)
	for _, tc := range cases {
		t.Run(tc.date, func(t *testing.T) {
			t.Parallel()
			x := d(tc.date)
			require.Equal(t, tc.work, c.IsWorkday(x))
			require.Equal(t, tc.reason, c.Reason(x))
		})
	}
}

// TestRussiaWorkingDayCounts checks yearly totals against the published
// production calendars (five-day week).
func TestRussiaWorkingDayCounts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		from, to string
		want     int
	}{
		{"2025 official", "2025-01-01", "2025-12-31", 247},
		{"2026 official", "2026-01-01", "2026-12-31", 247},
		// Not an official figure: art. 112 only, the 2027 decree is missing
		// (it will likely move 02.01 and 03.01 to two weekdays, giving 247).
		{"2027 art112 only", "2027-01-01", "2027-12-31", 249},
		{"May 2025 (18 per the calendar)", "2025-05-01", "2025-05-31", 18},
	}
	c := ru(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Len(t, c.Workdays(d(tc.from), d(tc.to)), tc.want)
		})
	}
}

func TestCoverage(t *testing.T) {
	t.Parallel()
	c := ru(t)
	for _, tc := range []struct {
		year                int
		covers, provisional bool
	}{
		{2024, false, false}, {2025, true, false}, {2026, true, false}, {2027, true, true}, {2028, false, false},
	} {
		require.Equal(t, tc.covers, c.Covers(tc.year), tc.year)
		require.Equal(t, tc.provisional, c.Provisional(tc.year), tc.year)
	}
	require.Contains(t, c.Source(2025), "№ 1335")
	require.Contains(t, c.Source(2026), "№ 1466")
	require.Empty(t, c.Source(2024))

	// Outside the data only the weekly pattern applies.
	require.True(t, c.IsWorkday(d("2028-01-03")))
	require.Equal(t, ReasonWeekend, c.Reason(d("2028-01-01")))

	none, err := New(Options{Country: "none"})
	require.NoError(t, err)
	require.False(t, none.Covers(2026))
	require.True(t, none.IsWorkday(d("2026-01-05")))
	require.False(t, none.IsWorkday(d("2026-01-03")))
	empty, err := New(Options{})
	require.NoError(t, err)
	require.True(t, empty.IsWorkday(d("2026-01-01")))
	upper, err := New(Options{Country: " RU "})
	require.NoError(t, err)
	require.False(t, upper.IsWorkday(d("2026-01-01")))
}

func TestShortened(t *testing.T) {
	t.Parallel()
	c := ru(t)
	for _, s := range []string{"2025-03-07", "2025-04-30", "2025-06-11", "2025-11-01", "2026-04-30", "2026-05-08", "2026-06-11", "2026-11-03"} {
		require.True(t, c.Shortened(d(s)), s)
	}
	require.False(t, c.Shortened(d("2025-11-05")))
	off, err := New(Options{Country: "ru", Holidays: []day.Date{d("2026-04-30")}})
	require.NoError(t, err)
	require.False(t, off.Shortened(d("2026-04-30")), "overridden to a day off")
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	_, err := New(Options{Country: "de"})
	require.ErrorContains(t, err, "unknown country")
	_, err = New(Options{Weekdays: []time.Weekday{7}})
	require.ErrorContains(t, err, "invalid weekday")
	_, err = New(Options{Weekdays: []time.Weekday{-1}})
	require.Error(t, err)
}

func TestOverridesWin(t *testing.T) {
	t.Parallel()
	c, err := New(Options{
		Country: "ru",
		Holidays: []day.Date{
			d("2026-03-10"), // ordinary Tuesday -> off
			d("2026-01-10"), // Saturday, off anyway
			d("2026-05-12"), // also listed as a workday below: workday wins
		},
		Workdays: []day.Date{
			d("2026-01-05"), // Новогодние каникулы -> worked
			d("2026-12-31"), // transferred day off -> worked
			d("2026-03-14"), // Saturday -> worked
			d("2026-05-12"),
			{}, // zero dates are ignored
		},
	})
	require.NoError(t, err)
	cases := []struct {
		date   string
		work   bool
		reason string
	}{
		{"2026-03-10", false, ReasonOverride},
		{"2026-01-10", false, ReasonOverride},
		{"2026-05-12", true, ReasonOverride},
		{"2026-01-05", true, ReasonOverride},
		{"2026-12-31", true, ReasonOverride},
		{"2026-03-14", true, ReasonOverride},
		{"2026-03-11", true, ""},
		{"2026-01-06", false, "holiday: Новогодние каникулы"},
	}
	for _, tc := range cases {
		t.Run(tc.date, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.work, c.IsWorkday(d(tc.date)))
			require.Equal(t, tc.reason, c.Reason(d(tc.date)))
		})
	}
	require.Equal(t, d("2026-01-05"), c.NextWorkday(d("2025-12-30")))
	require.Equal(t, d("2026-01-05"), c.PrevWorkday(d("2026-01-12")))
}

func TestSixDayWeek(t *testing.T) {
	t.Parallel()
	c, err := New(Options{Country: "ru", Weekdays: []time.Weekday{
		time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday,
	}})
	require.NoError(t, err)
	cases := []struct {
		date   string
		work   bool
		reason string
	}{
		{"2026-01-17", true, ""},             // ordinary Saturday
		{"2026-01-18", false, ReasonWeekend}, // Sunday
		{"2026-01-03", false, "holiday: Новогодние каникулы"},
		{"2026-01-09", true, ""},                       // transfer from a Saturday: no day off moved
		{"2026-12-31", false, ReasonTransferredDayOff}, // transfer from Sunday 04.01 applies
		{"2026-03-09", false, ReasonTransferredDayOff}, // Sunday 08.03 -> Monday
		{"2026-05-11", true, ""},                       // Saturday 09.05 is a holiday, nothing to move
		{"2025-11-01", true, ""},                       // Saturday works anyway
		{"2025-11-03", true, ""},                       // its transfer does not apply
		{"2025-05-08", false, ReasonTransferredDayOff}, // from Sunday 23.02
		{"2025-06-13", true, ""},                       // from Saturday 08.03: not moved
		{"2025-03-08", false, "holiday: Международный женский день"},
	}
	for _, tc := range cases {
		t.Run(tc.date, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.work, c.IsWorkday(d(tc.date)))
			require.Equal(t, tc.reason, c.Reason(d(tc.date)))
		})
	}
	// A plain week without a country: Mon..Sat, six working days out of seven.
	plain, err := New(Options{Weekdays: []time.Weekday{1, 2, 3, 4, 5, 6}})
	require.NoError(t, err)
	require.Len(t, plain.Workdays(d("2026-06-01"), d("2026-06-07")), 6)
	require.Equal(t, d("2026-06-06"), plain.PrevWorkday(d("2026-06-08")))
}

// TestWorkdaysAfter: the n-th working day after a day, across a weekend
// and the New Year holidays; the last of LastWorkdays of it is n-1 after.
func TestWorkdaysAfter(t *testing.T) {
	t.Parallel()
	c := ru(t)
	require.Equal(t, d("2026-11-27"), c.WorkdaysAfter(d("2026-11-27"), 0))
	require.Equal(t, d("2026-11-30"), c.WorkdaysAfter(d("2026-11-27"), 1))
	require.Equal(t, d("2026-01-13"), c.WorkdaysAfter(d("2025-12-29"), 3))
	for n := 1; n <= 45; n++ {
		after := c.WorkdaysAfter(d("2026-11-02"), n)
		back := c.LastWorkdays(after, n)
		require.Equal(t, d("2026-11-02"), back[0], "n=%d", n)
	}
}

func TestPrevNextWorkday(t *testing.T) {
	t.Parallel()
	c := ru(t)
	cases := []struct {
		name       string
		at         string
		prev, next string
	}{
		{"Monday -> Friday", "2026-11-30", "2026-11-27", "2026-12-01"},
		{"Friday -> Monday", "2026-11-27", "2026-11-26", "2026-11-30"},
		{"Monday after New Year holidays", "2026-01-12", "2025-12-30", "2026-01-13"},
		{"inside the holidays", "2026-01-05", "2025-12-30", "2026-01-12"},
		{"Monday after 2025 New Year", "2025-01-13", "2025-01-10", "2025-01-14"},
		{"before a worked Saturday", "2025-10-31", "2025-10-30", "2025-11-01"},
		{"after a worked Saturday", "2025-11-01", "2025-10-31", "2025-11-05"},
		{"Tuesday after Feb 23 weekend", "2026-02-24", "2026-02-20", "2026-02-25"},
		{"May 2025", "2025-05-05", "2025-04-30", "2025-05-06"},
		{"before May 8-11 2025", "2025-05-07", "2025-05-06", "2025-05-12"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, d(tc.prev), c.PrevWorkday(d(tc.at)))
			require.Equal(t, d(tc.next), c.NextWorkday(d(tc.at)))
		})
	}
}

func TestWorkdaysAndLastWorkdays(t *testing.T) {
	t.Parallel()
	c := ru(t)
	require.Equal(t,
		[]day.Date{d("2025-12-29"), d("2025-12-30"), d("2026-01-12")},
		c.Workdays(d("2025-12-28"), d("2026-01-12")))
	require.Equal(t, []day.Date{d("2026-01-12")}, c.Workdays(d("2026-01-12"), d("2026-01-12")))
	require.Nil(t, c.Workdays(d("2026-01-13"), d("2026-01-12")))
	require.Nil(t, c.Workdays(d("2026-01-10"), d("2026-01-11")))
	require.Len(t, c.Workdays(d("2026-01-01"), d("2026-01-31")), 15)

	require.Equal(t,
		[]day.Date{d("2025-12-26"), d("2025-12-29"), d("2025-12-30")},
		c.LastWorkdays(d("2026-01-12"), 3))
	require.Equal(t,
		[]day.Date{d("2025-10-31"), d("2025-11-01"), d("2025-11-05")},
		c.LastWorkdays(d("2025-11-06"), 3))
	require.Equal(t, []day.Date{d("2026-11-27")}, c.LastWorkdays(d("2026-11-30"), 1))
	require.Nil(t, c.LastWorkdays(d("2026-11-30"), 0))
	require.Nil(t, c.LastWorkdays(d("2026-11-30"), -2))
	require.Len(t, c.LastWorkdays(d("2027-01-01"), 247), 247)
	require.Equal(t, d("2026-01-12"), c.LastWorkdays(d("2027-01-01"), 247)[0])
}

func TestParseWeekday(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want time.Weekday
		ok   bool
	}{
		{"mon", time.Monday, true}, {"Tue", time.Tuesday, true}, {"WED", time.Wednesday, true},
		{"thu", time.Thursday, true}, {"fri", time.Friday, true}, {"sat", time.Saturday, true},
		{"sun", time.Sunday, true}, {" Monday ", time.Monday, true}, {"saturday", time.Saturday, true},
		{"пн", time.Monday, true}, {"Вт", time.Tuesday, true}, {"СР", time.Wednesday, true},
		{"чт", time.Thursday, true}, {"пт", time.Friday, true}, {"сб", time.Saturday, true},
		{"вс", time.Sunday, true}, {"пн.", time.Monday, true}, {"Воскресенье", time.Sunday, true},
		{"", 0, false}, {"mo", 0, false}, {"xyz", 0, false}, {"1", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseWeekday(tc.in)
			if !tc.ok {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestCheckCoverage(t *testing.T) {
	t.Parallel()
	c := ru(t)
	require.NoError(t, c.Check(d("2025-01-01"), d("2027-12-31")))
	err := c.Check(d("2027-12-20"), d("2028-01-03"))
	require.ErrorIs(t, err, ErrNotCovered)
	var ce *CoverageError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, 2028, ce.Year)
	require.Contains(t, err.Error(), "no data for 2028 (it ships 2025–2027)")
	require.Contains(t, err.Error(), "calendar.years")
	require.Equal(t, 2027, c.LastKnownYear())

	declared, err := New(Options{Country: "ru", Declared: []int{2028}, Holidays: []day.Date{d("2028-01-03")}})
	require.NoError(t, err)
	require.NoError(t, declared.Check(d("2028-01-01"), d("2028-12-31")))
	require.False(t, declared.IsWorkday(d("2028-01-03")))
	require.Equal(t, 2028, declared.LastKnownYear())
	require.ErrorIs(t, declared.Check(d("2024-12-31"), d("2025-01-01")), ErrNotCovered)

	none, err := New(Options{Country: "none"})
	require.NoError(t, err)
	require.NoError(t, none.Check(d("1999-01-01"), d("2099-01-01")))
	require.Zero(t, none.LastKnownYear())
}
