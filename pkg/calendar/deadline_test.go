package calendar

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zoneinfo

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDeadlineAt(t *testing.T) {
	t.Parallel()
	msk := zone(t, "Europe/Moscow")
	ber := zone(t, "Europe/Berlin")
	nyc := zone(t, "America/New_York")
	vvo := zone(t, "Asia/Vladivostok")
	cases := []struct {
		name     string
		dl       Deadline
		date     string
		loc      *time.Location
		want     string // instant in UTC
		wantWall string // local wall clock of the result
	}{
		{"Moscow 19:00", Deadline{Hour: 19}, "2026-11-26", msk, "2026-11-26T16:00:00Z", "2026-11-26 19:00"},
		{"Moscow 19:00 + 30m", Deadline{Hour: 19, Grace: 30 * time.Minute}, "2026-11-26", msk, "2026-11-26T16:30:00Z", "2026-11-26 19:30"},
		{"Moscow grace past midnight", Deadline{Hour: 19, Grace: 6 * time.Hour}, "2026-11-26", msk, "2026-11-26T22:00:00Z", "2026-11-27 01:00"},
		{"Moscow 23:30 + 1h", Deadline{Hour: 23, Minute: 30, Grace: time.Hour}, "2026-12-30", msk, "2026-12-30T21:30:00Z", "2026-12-31 00:30"},
		{"Moscow New Year's Eve past midnight", Deadline{Hour: 21, Grace: 4 * time.Hour}, "2026-12-31", msk, "2026-12-31T22:00:00Z", "2027-01-01 01:00"},

		// Berlin: CET (+1) -> CEST (+2) at 02:00 on Sunday 29.03.2026,
		// CEST -> CET at 03:00 on Sunday 25.10.2026.
		{"Berlin day before spring change", Deadline{Hour: 19}, "2026-03-28", ber, "2026-03-28T18:00:00Z", "2026-03-28 19:00"},
		{"Berlin spring change day", Deadline{Hour: 19}, "2026-03-29", ber, "2026-03-29T17:00:00Z", "2026-03-29 19:00"},
		{"Berlin grace over spring change", Deadline{Hour: 19, Grace: 10 * time.Hour}, "2026-03-28", ber, "2026-03-29T04:00:00Z", "2026-03-29 06:00"},
		{"Berlin autumn change day", Deadline{Hour: 19}, "2026-10-25", ber, "2026-10-25T18:00:00Z", "2026-10-25 19:00"},
		{"Berlin day before autumn change", Deadline{Hour: 19}, "2026-10-24", ber, "2026-10-24T17:00:00Z", "2026-10-24 19:00"},
		{"Berlin grace over autumn change", Deadline{Hour: 19, Grace: 10 * time.Hour}, "2026-10-24", ber, "2026-10-25T03:00:00Z", "2026-10-25 04:00"},

		// New York: EST -> EDT on 08.03.2026, EDT -> EST on 01.11.2026.
		{"New York before spring change", Deadline{Hour: 19}, "2026-03-07", nyc, "2026-03-08T00:00:00Z", "2026-03-07 19:00"},
		{"New York spring change day", Deadline{Hour: 19}, "2026-03-08", nyc, "2026-03-08T23:00:00Z", "2026-03-08 19:00"},
		{"New York autumn change day", Deadline{Hour: 19}, "2026-11-01", nyc, "2026-11-02T00:00:00Z", "2026-11-01 19:00"},
		{"New York grace past midnight", Deadline{Hour: 22, Grace: 3 * time.Hour}, "2026-10-31", nyc, "2026-11-01T05:00:00Z", "2026-11-01 01:00"},

		{"Vladivostok 19:00", Deadline{Hour: 19}, "2026-11-26", vvo, "2026-11-26T09:00:00Z", "2026-11-26 19:00"},
		{"nil location is UTC", Deadline{Hour: 19}, "2026-11-26", nil, "2026-11-26T19:00:00Z", "2026-11-26 19:00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.dl.At(day.MustParse(tc.date), tc.loc)
			require.True(t, utc(tc.want).Equal(got), "got %s want %s", got.UTC(), tc.want)
			loc := tc.loc
			if loc == nil {
				loc = time.UTC
			}
			require.Equal(t, tc.wantWall, got.In(loc).Format("2006-01-02 15:04"))
		})
	}
}

func TestDeadlinePassed(t *testing.T) {
	t.Parallel()
	msk := zone(t, "Europe/Moscow")
	vvo := zone(t, "Asia/Vladivostok")
	ber := zone(t, "Europe/Berlin")
	cases := []struct {
		name string
		dl   Deadline
		date string
		loc  *time.Location
		now  string
		want bool
	}{
		{"Vladivostok before", Deadline{Hour: 19}, "2026-11-26", vvo, "2026-11-26T08:59:59Z", false},
		{"Vladivostok at the instant", Deadline{Hour: 19}, "2026-11-26", vvo, "2026-11-26T09:00:00Z", false},
		{"Vladivostok after", Deadline{Hour: 19}, "2026-11-26", vvo, "2026-11-26T09:00:01Z", true},
		// 19:00 in Moscow is long past for Vladivostok but not for Moscow.
		{"Moscow same instant", Deadline{Hour: 19}, "2026-11-26", msk, "2026-11-26T09:00:01Z", false},
		{"grace past midnight, before", Deadline{Hour: 19, Grace: 6 * time.Hour}, "2026-11-26", msk, "2026-11-26T21:30:00Z", false},
		{"grace past midnight, after", Deadline{Hour: 19, Grace: 6 * time.Hour}, "2026-11-26", msk, "2026-11-26T22:00:01Z", true},
		{"Berlin DST day", Deadline{Hour: 19}, "2026-03-29", ber, "2026-03-29T17:30:00Z", true},
		{"Berlin DST day before", Deadline{Hour: 19}, "2026-03-29", ber, "2026-03-29T16:59:00Z", false},
		{"earlier day", Deadline{Hour: 19}, "2026-11-25", msk, "2026-11-26T08:00:00Z", true},
		{"later day", Deadline{Hour: 19}, "2026-11-27", msk, "2026-11-26T20:00:00Z", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, tc.dl.Passed(day.MustParse(tc.date), tc.loc, utc(tc.now)))
		})
	}
}

func TestToday(t *testing.T) {
	t.Parallel()
	msk := zone(t, "Europe/Moscow")
	vvo := zone(t, "Asia/Vladivostok")
	nyc := zone(t, "America/New_York")
	cases := []struct {
		name string
		now  time.Time
		loc  *time.Location
		want string
	}{
		// 23:30 in Vladivostok: still the 26th there, 16:30 in Moscow, 13:30 UTC.
		{"Vladivostok 23:30 local", time.Date(2026, 11, 26, 23, 30, 0, 0, vvo), vvo, "2026-11-26"},
		{"same instant in Moscow", time.Date(2026, 11, 26, 23, 30, 0, 0, vvo), msk, "2026-11-26"},
		// 00:30 on the 27th in Vladivostok is still the 26th in Moscow and UTC.
		{"Vladivostok after midnight", utc("2026-11-26T14:30:00Z"), vvo, "2026-11-27"},
		{"same instant in Moscow ", utc("2026-11-26T14:30:00Z"), msk, "2026-11-26"},
		{"same instant in UTC", utc("2026-11-26T14:30:00Z"), time.UTC, "2026-11-26"},
		// 23:30 in New York is already the next day in UTC.
		{"New York 23:30 local", time.Date(2026, 11, 26, 23, 30, 0, 0, nyc), nyc, "2026-11-26"},
		{"same instant in UTC ", time.Date(2026, 11, 26, 23, 30, 0, 0, nyc), time.UTC, "2026-11-27"},
		{"nil location is UTC", utc("2026-11-26T23:59:59Z"), nil, "2026-11-26"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, day.MustParse(tc.want), Today(tc.now, tc.loc))
		})
	}

	// Day judged in the employee's zone: at 14:30 UTC on 26.11 a Vladivostok
	// employee is on the 27th, the 26th's deadline has passed and the 27th's has not.
	now := utc("2026-11-26T14:30:00Z")
	require.True(t, DefaultDeadline.Passed(day.MustParse("2026-11-26"), vvo, now))
	require.False(t, DefaultDeadline.Passed(Today(now, vvo), vvo, now))
	require.False(t, DefaultDeadline.Passed(Today(now, msk), msk, now))
}

func TestDeadlineValidateString(t *testing.T) {
	t.Parallel()
	require.NoError(t, DefaultDeadline.Validate())
	require.Equal(t, "19:00", DefaultDeadline.String())
	require.Equal(t, "18:30+1h0m0s", Deadline{Hour: 18, Minute: 30, Grace: time.Hour}.String())
	for _, bad := range []Deadline{{Hour: 24}, {Hour: -1}, {Minute: 60}, {Hour: 19, Grace: -time.Minute}} {
		require.Error(t, bad.Validate(), bad)
	}
}

func TestLeave(t *testing.T) {
	t.Parallel()
	d := day.MustParse
	july := Leave{From: d("2026-07-01"), To: d("2026-07-14")}
	cases := []struct {
		name  string
		leave Leave
		date  string
		want  bool
	}{
		{"day before", july, "2026-06-30", false},
		{"first day inclusive", july, "2026-07-01", true},
		{"middle", july, "2026-07-07", true},
		{"last day inclusive", july, "2026-07-14", true},
		{"day after", july, "2026-07-15", false},
		{"zero leave", Leave{}, "2026-07-07", false},
		{"single day", Leave{From: d("2026-07-07"), To: d("2026-07-07")}, "2026-07-07", true},
		{"single day, next", Leave{From: d("2026-07-07"), To: d("2026-07-07")}, "2026-07-08", false},
		{"open-ended, before", Leave{From: d("2026-07-01")}, "2026-06-30", false},
		{"open-ended, after", Leave{From: d("2026-07-01")}, "2027-03-01", true},
		{"only end, before", Leave{To: d("2026-07-14")}, "2026-01-01", true},
		{"only end, after", Leave{To: d("2026-07-14")}, "2026-07-15", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, tc.leave.Contains(d(tc.date)))
		})
	}
	require.False(t, july.Contains(day.Date{}))
	require.True(t, Leave{}.IsZero())
	require.NoError(t, july.Validate())
	require.Error(t, Leave{From: d("2026-07-14"), To: d("2026-07-01")}.Validate())
}
