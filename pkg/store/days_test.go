package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/report"
)

func TestSaveDayVersions(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		c := newClock()
		s := memStore(t, c)

		first, err := s.SaveDay(ctx, update("ivanov", testDate, 20))
		require.NoError(t, err)
		require.True(t, first.NewVersion)
		require.NotZero(t, first.VersionID)
		t1 := c.Now()

		c.Add(time.Minute)
		again, err := s.SaveDay(ctx, update("ivanov", testDate, 20))
		require.NoError(t, err)
		require.False(t, again.NewVersion, "same content, same version")
		require.Equal(t, first.VersionID, again.VersionID)

		// The new version is kept with who last modified the document then;
		// a later sighting by someone else changes nothing.
		t3 := c.Add(time.Minute)
		edited := time.Date(2026, 11, 27, 9, 14, 3, 0, time.FixedZone("MSK", 3*3600))
		u := update("ivanov", testDate, 25)
		u.Version.EditedBy, u.Version.EditedAt = "Анна Петрова <anna@example.ru>", edited
		changed, err := s.SaveDay(ctx, u)
		require.NoError(t, err)
		require.True(t, changed.NewVersion)
		require.NotEqual(t, first.VersionID, changed.VersionID)
		u.Version.EditedBy, u.Version.EditedAt = "Игорь", edited.Add(time.Hour)
		again, err = s.SaveDay(ctx, u)
		require.NoError(t, err)
		require.Equal(t, changed.VersionID, again.VersionID)

		// Back to the first content: the first version is reused.
		back, err := s.SaveDay(ctx, update("ivanov", testDate, 20))
		require.NoError(t, err)
		require.False(t, back.NewVersion)
		require.Equal(t, first.VersionID, back.VersionID)

		got, ok, err := s.Day(ctx, "ivanov", testDate)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, first.VersionID, got.VersionID)

		vs, err := s.Versions(ctx, "ivanov", testDate)
		require.NoError(t, err)
		require.Len(t, vs, 2, "oldest first, each distinct content once")
		require.Equal(t, first.VersionID, vs[0].ID)
		require.Equal(t, t1, vs[0].FirstSeen, "first seen keeps the first sighting")
		require.Equal(t, t3, vs[1].FirstSeen)
		require.Equal(t, map[string]float64{"new_calls": 25}, vs[1].Metrics)
		require.Equal(t, "2026-11-26\nНовые звонки: 25", vs[1].Text)
		require.Equal(t, "ivanov", vs[1].Employee)
		require.Equal(t, testDate, vs[1].Date)
		require.Equal(t, "Анна Петрова <anna@example.ru>", vs[1].EditedBy)
		require.Equal(t, edited.UTC(), vs[1].EditedAt)
		require.Empty(t, vs[0].EditedBy, "the source did not say")
		require.True(t, vs[0].EditedAt.IsZero())

		other, err := s.Versions(ctx, "petrova", testDate)
		require.NoError(t, err)
		require.Empty(t, other)
	})
}

func TestDayRoundTrip(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		c := newClock()
		s := memStore(t, c)
		reported, recorded := 40.0, 12.0
		want := Day{
			Employee: "ivanov", Date: testDate, Status: report.Late, Late: true,
			ClosedAt:  time.Date(2026, 11, 26, 18, 45, 0, 1, time.UTC),
			FirstSeen: time.Date(2026, 11, 26, 22, 0, 0, 999999999, time.FixedZone("MSK", 3*3600)).UTC(),
			Metrics:   map[string]float64{"new_calls": 40, "company_rating": 4.5},
			Notes:     "Решённые задачи: «всё»",
			LongTerm:  "сеть из 40 магазинов",
			Errors: []report.FieldError{{Code: "bad_number", Field: "payments", Value: "два",
				Location: document.Location{Tab: "Ноябрь", Line: 12}, Message: "не число"}},
			Flags:     []crm.Flag{{Code: "overstated", Metric: "new_calls", Reported: &reported, Recorded: &recorded, Message: "reported 40"}},
			SourceURL: "https://docs.google.com/document/d/x/edit",
		}
		u := DayUpdate{Adapter: "builtin", Day: want,
			Version: &Version{ContentHash: "abc", Revision: "rev-7", Valid: false, Metrics: want.Metrics, Notes: want.Notes, Errors: want.Errors, Text: "raw"}}
		r := rec("ivanov", testDate, 40)
		u.Record = &r
		res, err := s.SaveDay(ctx, u)
		require.NoError(t, err)

		got, ok, err := s.Day(ctx, "ivanov", testDate)
		require.NoError(t, err)
		require.True(t, ok)
		want.VersionID, want.RecordHash, want.UpdatedAt = res.VersionID, r.Hash(), c.Now()
		require.Equal(t, want, got)

		vs, err := s.Versions(ctx, "ivanov", testDate)
		require.NoError(t, err)
		require.Len(t, vs, 1)
		require.Equal(t, Version{ID: res.VersionID, Employee: "ivanov", Date: testDate, ContentHash: "abc", Revision: "rev-7",
			FirstSeen: c.Now(), Metrics: want.Metrics, Notes: want.Notes, Errors: want.Errors, Text: "raw"}, vs[0])

		// An absent day: no version, no times; nil fields stay nil.
		absent := Day{Employee: "petrova", Date: testDate, Status: report.Absent}
		_, err = s.SaveDay(ctx, DayUpdate{Adapter: "builtin", Day: absent})
		require.NoError(t, err)
		got, ok, err = s.Day(ctx, "petrova", testDate)
		require.NoError(t, err)
		require.True(t, ok)
		absent.UpdatedAt = c.Now()
		require.Equal(t, absent, got)

		_, ok, err = s.Day(ctx, "nobody", testDate)
		require.NoError(t, err)
		require.False(t, ok)
	})
}

func TestSaveDayKeepsVersionWhenNoReportNow(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, nil)
		res, err := s.SaveDay(ctx, update("ivanov", testDate, 20))
		require.NoError(t, err)
		prior, _, err := s.Day(ctx, "ivanov", testDate)
		require.NoError(t, err)

		// The report disappeared from the source: the caller keeps the prior day.
		again, err := s.SaveDay(ctx, DayUpdate{Adapter: "builtin", Day: prior})
		require.NoError(t, err)
		require.Equal(t, res.VersionID, again.VersionID)
		require.False(t, again.NewVersion)
	})
}

func TestSaveDayRejects(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, nil)
		noKey := rec("ivanov", testDate, 1)
		noKey.Key = ""
		for name, u := range map[string]DayUpdate{
			"no employee":      {Day: Day{Date: testDate, Status: report.Absent}},
			"no date":          {Day: Day{Employee: "ivanov", Status: report.Absent}},
			"no status":        {Day: Day{Employee: "ivanov", Date: testDate}},
			"record, no key":   {Adapter: "builtin", Day: Day{Employee: "ivanov", Date: testDate, Status: report.Absent}, Record: &noKey},
			"version, no hash": {Day: Day{Employee: "ivanov", Date: testDate, Status: report.Submitted}, Version: &Version{}},
			"version of another day": {Day: Day{Employee: "ivanov", Date: testDate, Status: report.Submitted},
				Version: &Version{Employee: "ivanov", Date: testDate.AddDays(1), ContentHash: "x"}},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := s.SaveDay(ctx, u)
				require.Error(t, err)
			})
		}
		n, err := s.DaysOn(ctx, testDate)
		require.NoError(t, err)
		require.Empty(t, n)
	})
}

// TestSaveDayOutbox walks one key through the outbox rules, step by step.
func TestSaveDayOutbox(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, newClock())
		h := func(calls float64) string { return rec("ivanov", testDate, calls).Hash() }

		steps := []struct {
			name     string
			calls    float64 // the record saved (0: push what is queued instead)
			want     SaveResult
			wantHash string // the queued hash after the step ("" = nothing queued)
		}{
			{name: "first record is enqueued", calls: 20, want: SaveResult{Enqueued: true}, wantHash: h(20)},
			{name: "same record again is unchanged", calls: 20, want: SaveResult{Unchanged: true}, wantHash: h(20)},
			{name: "changed record replaces the pending one", calls: 25, want: SaveResult{Enqueued: true}, wantHash: h(25)},
			{name: "push", wantHash: ""},
			{name: "pushed record again is unchanged", calls: 25, want: SaveResult{Unchanged: true}, wantHash: ""},
			{name: "a change is enqueued", calls: 30, want: SaveResult{Enqueued: true}, wantHash: h(30)},
			{name: "revert to the pushed record deletes the pending one", calls: 25, want: SaveResult{Unchanged: true}, wantHash: ""},
		}
		for _, st := range steps {
			if st.calls == 0 {
				items, err := s.DueOutbox(ctx, "builtin", 10)
				require.NoError(t, err, st.name)
				require.Len(t, items, 1, st.name)
				require.NoError(t, s.MarkPushed(ctx, "builtin", items[0].Key, items[0].Hash, "obj-1"), st.name)
			} else {
				got, err := s.SaveDay(ctx, update("ivanov", testDate, st.calls))
				require.NoError(t, err, st.name)
				got.VersionID, got.NewVersion = 0, false
				require.Equal(t, st.want, got, st.name)
				d, _, err := s.Day(ctx, "ivanov", testDate)
				require.NoError(t, err)
				require.Equal(t, h(st.calls), d.RecordHash, st.name)
			}
			items, err := s.Outbox(ctx, "builtin")
			require.NoError(t, err, st.name)
			if st.wantHash == "" {
				require.Empty(t, items, st.name)
				continue
			}
			require.Len(t, items, 1, "%s: never two rows per key", st.name)
			require.Equal(t, st.wantHash, items[0].Hash, st.name)
			require.Equal(t, st.wantHash, items[0].Record.Hash(), "%s: the stored record hashes the same", st.name)
			require.Zero(t, items[0].Attempts, st.name)
		}
	})
}

func TestSaveDayNoRecordTouchesNoOutbox(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, nil)
		_, err := s.SaveDay(ctx, update("ivanov", testDate, 20))
		require.NoError(t, err)
		res, err := s.SaveDay(ctx, DayUpdate{Adapter: "builtin", Day: Day{Employee: "ivanov", Date: testDate, Status: report.DayOff}})
		require.NoError(t, err)
		require.Equal(t, SaveResult{}, res)
		n, err := s.OutboxDepth(ctx, "builtin")
		require.NoError(t, err)
		require.Equal(t, 1, n)
	})
}

// TestSaveDayIsOneTransaction fails SaveDay at each point inside its
// transaction and checks that nothing of it was kept.
func TestSaveDayIsOneTransaction(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		for _, point := range []string{"version", "day", "outbox"} {
			t.Run(point, func(t *testing.T) {
				t.Parallel()
				s := memStore(t, nil)
				crash := errors.New("crash at " + point)
				s.failAt = func(p string) error {
					if p == point {
						return crash
					}
					return nil
				}
				_, err := s.SaveDay(ctx, update("ivanov", testDate, 20))
				require.ErrorIs(t, err, crash)
				_, ok, err := s.Day(ctx, "ivanov", testDate)
				require.NoError(t, err)
				require.False(t, ok)
				vs, err := s.Versions(ctx, "ivanov", testDate)
				require.NoError(t, err)
				require.Empty(t, vs)
				n, err := s.OutboxDepth(ctx, "")
				require.NoError(t, err)
				require.Zero(t, n)

				s.failAt = nil
				res, err := s.SaveDay(ctx, update("ivanov", testDate, 20))
				require.NoError(t, err)
				require.True(t, res.NewVersion)
				require.True(t, res.Enqueued)
			})
		}
	})
}

func TestEachDay(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, nil)
		d1, d2, d3 := testDate, testDate.AddDays(1), testDate.AddDays(2)
		for _, d := range []day.Date{d3, d1, d2} {
			for _, e := range []string{"sidorov", "ivanov", "petrova"} {
				_, err := s.SaveDay(ctx, DayUpdate{Day: Day{Employee: e, Date: d, Status: report.Absent}})
				require.NoError(t, err)
			}
		}
		keys := func(from, to day.Date) []string {
			var out []string
			require.NoError(t, s.EachDay(ctx, from, to, func(d Day) error {
				out = append(out, d.Date.String()+" "+d.Employee)
				return nil
			}))
			return out
		}
		tests := []struct {
			name     string
			from, to day.Date
			want     []string
		}{
			{"one day", d2, d2, []string{"2026-11-27 ivanov", "2026-11-27 petrova", "2026-11-27 sidorov"}},
			{"open start", day.Date{}, d1, []string{"2026-11-26 ivanov", "2026-11-26 petrova", "2026-11-26 sidorov"}},
			{"open end", d3, day.Date{}, []string{"2026-11-28 ivanov", "2026-11-28 petrova", "2026-11-28 sidorov"}},
			{"empty range", d3, d1, nil},
		}
		for _, tc := range tests {
			require.Equal(t, tc.want, keys(tc.from, tc.to), tc.name)
		}
		require.Len(t, keys(day.Date{}, day.Date{}), 9)

		stop := errors.New("stop")
		n := 0
		err := s.EachDay(ctx, d1, d3, func(Day) error {
			n++
			if n == 2 {
				return stop
			}
			return nil
		})
		require.ErrorIs(t, err, stop)
		require.Equal(t, 2, n)

		days, err := s.DaysOn(ctx, d1)
		require.NoError(t, err)
		require.Len(t, days, 3)
		require.Equal(t, "ivanov", days[0].Employee)
	})
}

// TestEachDayPagesAndWrites crosses page boundaries on a single-connection
// :memory: store while fn writes to the store: no cursor is held across fn.
func TestEachDayPagesAndWrites(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, nil)
		const n = 2*eachDayPage + 17
		seedDays(t, s, n)
		var (
			seen int
			last string
		)
		err := s.EachDay(ctx, day.Date{}, day.Date{}, func(d Day) error {
			k := d.Date.String() + " " + d.Employee
			require.Greater(t, k, last, "ordered by date, employee, each once")
			last = k
			seen++
			if seen%eachDayPage == 0 {
				_, err := s.MarkSent(ctx, fmt.Sprintf("during-%d", seen))
				return err
			}
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, n, seen)

		ctx2, cancel := context.WithCancel(ctx)
		cancel()
		require.ErrorIs(t, s.EachDay(ctx2, day.Date{}, day.Date{}, func(Day) error { return nil }), context.Canceled)
	})
}

// A day whose only change is its long_term text is written: the unchanged
// shortcut compares every column of the row, the free text included.
func TestSaveDayLongTermOnlyChange(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, newClock())
		u := update("ivanov", testDate, 20)
		u.Day.LongTerm = "пилот с «Ромашкой»"
		_, err := s.SaveDay(ctx, u)
		require.NoError(t, err)
		prior, ok, err := s.Day(ctx, "ivanov", testDate)
		require.NoError(t, err)
		require.True(t, ok)

		u = update("ivanov", testDate, 20)
		u.Day.LongTerm = "выход на сеть из 40 магазинов"
		u.Prior = &prior
		_, err = s.SaveDay(ctx, u)
		require.NoError(t, err)
		got, _, err := s.Day(ctx, "ivanov", testDate)
		require.NoError(t, err)
		require.Equal(t, "выход на сеть из 40 магазинов", got.LongTerm)
	})
}
