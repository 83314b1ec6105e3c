package verdict

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

var (
	monday   = day.MustParse("2026-11-23")
	deadline = time.Date(2026, 11, 23, 21, 0, 0, 0, time.UTC) // 19:00 + 2 h grace
	before   = deadline.Add(-time.Hour)
	after    = deadline.Add(time.Hour)
	closedAt = deadline.Add(30 * time.Minute)
	seenAt   = deadline.Add(-3 * time.Hour)
)

// TestDecide covers every transition of an employee-day. Each case gives the
// stored day, what the document holds now, the calendar, leave, start and
// the moment, and the whole state that must come out.
func TestDecide(t *testing.T) {
	t.Parallel()
	work := Input{Day: monday, Workday: true, Deadline: deadline}
	with := func(mod func(*Input)) Input {
		in := work
		mod(&in)
		return in
	}
	cases := []struct {
		name string
		in   Input
		want State
	}{
		{"missing before the deadline: nothing to keep yet",
			with(func(in *Input) { in.Now = before }),
			State{Status: report.Missing}},
		{"missing at the deadline instant: not passed yet",
			with(func(in *Input) { in.Now = deadline }),
			State{Status: report.Missing}},
		{"missing, stored before (a row exists): kept as missing",
			with(func(in *Input) { in.Now = before; in.Stored = Stored{Known: true, Status: report.Missing} }),
			State{Exists: true, Status: report.Missing}},
		{"missing → absent: the first decision after the deadline closes the day",
			with(func(in *Input) { in.Now = after }),
			State{Exists: true, Status: report.Absent, ClosedAt: after, Closes: true, Record: true}},
		{"absent stays absent: the close is not repeated",
			with(func(in *Input) {
				in.Now = after.Add(time.Hour)
				in.Stored = Stored{Known: true, Status: report.Absent, ClosedAt: closedAt}
			}),
			State{Exists: true, Status: report.Absent, ClosedAt: closedAt, Record: true}},
		{"absent → late: a report first seen after the close",
			with(func(in *Input) {
				in.Now = after.Add(12 * time.Hour)
				in.Document = Valid
				in.Stored = Stored{Known: true, Status: report.Absent, ClosedAt: closedAt}
			}),
			State{Exists: true, Status: report.Late, ClosedAt: closedAt, FirstSeen: after.Add(12 * time.Hour), Late: true, Record: true}},
		{"absent → invalid: a late report with errors is invalid",
			with(func(in *Input) {
				in.Now = after.Add(12 * time.Hour)
				in.Document = Invalid
				in.Stored = Stored{Known: true, Status: report.Absent, ClosedAt: closedAt}
			}),
			State{Exists: true, Status: report.Invalid, ClosedAt: closedAt, FirstSeen: after.Add(12 * time.Hour), Late: true, Record: true}},
		{"late stays late when it is edited",
			with(func(in *Input) {
				in.Now = after.Add(24 * time.Hour)
				in.Document = Valid
				in.Stored = Stored{Known: true, Status: report.Late, ClosedAt: closedAt, FirstSeen: after, Late: true}
			}),
			State{Exists: true, Status: report.Late, ClosedAt: closedAt, FirstSeen: after, Late: true, Record: true}},
		{"submitted before the deadline",
			with(func(in *Input) { in.Now = before; in.Document = Valid }),
			State{Exists: true, Status: report.Submitted, FirstSeen: before, Record: true}},
		{"submitted, then closed: stays submitted",
			with(func(in *Input) {
				in.Now = after
				in.Document = Valid
				in.Stored = Stored{Known: true, Status: report.Submitted, FirstSeen: seenAt}
			}),
			State{Exists: true, Status: report.Submitted, ClosedAt: after, FirstSeen: seenAt, Closes: true, Record: true}},
		{"no evidence of lateness: a day no pass closed is submitted when first seen by the closing pass",
			with(func(in *Input) { in.Now = after.Add(48 * time.Hour); in.Document = Valid }),
			State{Exists: true, Status: report.Submitted, ClosedAt: after.Add(48 * time.Hour), FirstSeen: after.Add(48 * time.Hour), Closes: true, Record: true}},
		{"invalid before the deadline",
			with(func(in *Input) { in.Now = before; in.Document = Invalid }),
			State{Exists: true, Status: report.Invalid, FirstSeen: before, Record: true}},
		{"invalid → submitted: fixed before the deadline",
			with(func(in *Input) {
				in.Now = before
				in.Document = Valid
				in.Stored = Stored{Known: true, Status: report.Invalid, FirstSeen: seenAt}
			}),
			State{Exists: true, Status: report.Submitted, FirstSeen: seenAt, Record: true}},
		{"invalid → submitted: fixed after the close, the report was there in time",
			with(func(in *Input) {
				in.Now = after.Add(time.Hour)
				in.Document = Valid
				in.Stored = Stored{Known: true, Status: report.Invalid, ClosedAt: closedAt, FirstSeen: seenAt}
			}),
			State{Exists: true, Status: report.Submitted, ClosedAt: closedAt, FirstSeen: seenAt, Record: true}},
		{"report removed after the close: what was reported stays",
			with(func(in *Input) {
				in.Now = after.Add(time.Hour)
				in.Stored = Stored{Known: true, Status: report.Submitted, ClosedAt: closedAt, FirstSeen: seenAt}
			}),
			State{Exists: true, Status: report.Submitted, ClosedAt: closedAt, FirstSeen: seenAt, Kept: true, Record: true}},
		{"report removed before the deadline, then the close: kept, and closed",
			with(func(in *Input) {
				in.Now = after
				in.Stored = Stored{Known: true, Status: report.Submitted, FirstSeen: seenAt}
			}),
			State{Exists: true, Status: report.Submitted, ClosedAt: after, FirstSeen: seenAt, Closes: true, Kept: true, Record: true}},
		{"late report removed: stays late",
			with(func(in *Input) {
				in.Now = after.Add(48 * time.Hour)
				in.Stored = Stored{Known: true, Status: report.Late, ClosedAt: closedAt, FirstSeen: after, Late: true}
			}),
			State{Exists: true, Status: report.Late, ClosedAt: closedAt, FirstSeen: after, Late: true, Kept: true, Record: true}},
		{"leave before the deadline: on_leave, a record, not closed",
			with(func(in *Input) { in.Now = before; in.OnLeave = true }),
			State{Exists: true, Status: report.OnLeave, Record: true}},
		{"leave after the deadline: on_leave, closed",
			with(func(in *Input) { in.Now = after; in.OnLeave = true }),
			State{Exists: true, Status: report.OnLeave, ClosedAt: after, Closes: true, Record: true}},
		{"a report during leave: submitted, never late",
			with(func(in *Input) {
				in.Now = after.Add(time.Hour)
				in.OnLeave = true
				in.Document = Valid
				in.Stored = Stored{Known: true, Status: report.OnLeave, ClosedAt: closedAt}
			}),
			State{Exists: true, Status: report.Submitted, ClosedAt: closedAt, FirstSeen: after.Add(time.Hour), Record: true}},
		{"day off without a report: day_off, never closed, not kept, no record",
			with(func(in *Input) { in.Now = after; in.Workday = false }),
			State{Status: report.DayOff}},
		{"day off stored before (a report that was removed long ago): kept as day_off",
			with(func(in *Input) {
				in.Now = after
				in.Workday = false
				in.Stored = Stored{Known: true, Status: report.DayOff}
			}),
			State{Exists: true, Status: report.DayOff}},
		{"a report on a holiday: submitted, never late, not closed",
			with(func(in *Input) { in.Now = after.Add(72 * time.Hour); in.Workday = false; in.Document = Valid }),
			State{Exists: true, Status: report.Submitted, FirstSeen: after.Add(72 * time.Hour), Record: true}},
		{"an invalid report on a holiday",
			with(func(in *Input) { in.Now = before; in.Workday = false; in.Document = Invalid }),
			State{Exists: true, Status: report.Invalid, FirstSeen: before, Record: true}},
		{"before the start date: no day, even after the deadline",
			with(func(in *Input) { in.Now = after; in.Start = monday.AddDays(1) }),
			State{}},
		{"before the start date: no day, even with a report",
			with(func(in *Input) { in.Now = after; in.Start = monday.AddDays(1); in.Document = Valid }),
			State{}},
		{"on the start date: a day like any other",
			with(func(in *Input) { in.Now = after; in.Start = monday }),
			State{Exists: true, Status: report.Absent, ClosedAt: after, Closes: true, Record: true}},
		{"force-close before the deadline: absent",
			with(func(in *Input) { in.Now = before; in.Force = true }),
			State{Exists: true, Status: report.Absent, ClosedAt: before, Closes: true, Record: true}},
		{"force-close with a report: submitted, closed",
			with(func(in *Input) { in.Now = before; in.Force = true; in.Document = Valid }),
			State{Exists: true, Status: report.Submitted, ClosedAt: before, FirstSeen: before, Closes: true, Record: true}},
		{"force on a day off closes nothing",
			with(func(in *Input) { in.Now = before; in.Force = true; in.Workday = false }),
			State{Status: report.DayOff}},
		{"after a forced close, a report before the deadline is late",
			with(func(in *Input) {
				in.Now = before.Add(10 * time.Minute)
				in.Document = Valid
				in.Stored = Stored{Known: true, Status: report.Absent, ClosedAt: before}
			}),
			State{Exists: true, Status: report.Late, ClosedAt: before, FirstSeen: before.Add(10 * time.Minute), Late: true, Record: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, c.want, Decide(c.in))
		})
	}
}

// TestDecideNeverLosesAReport: whatever the inputs, a day whose document
// holds a report carries a record with a reported status, and a closed
// working day is never missing.
func TestDecideNeverLosesAReport(t *testing.T) {
	t.Parallel()
	statuses := []report.Status{"", report.Submitted, report.Late, report.Invalid, report.Absent, report.OnLeave, report.DayOff, report.Missing}
	for _, doc := range []Document{NoReport, Valid, Invalid} {
		for _, st := range statuses {
			for _, closed := range []bool{false, true} {
				for _, seen := range []bool{false, true} {
					for _, now := range []time.Time{before, after} {
						for _, workday := range []bool{false, true} {
							for _, leave := range []bool{false, true} {
								in := Input{Day: monday, Deadline: deadline, Now: now, Document: doc, Workday: workday, OnLeave: leave,
									Stored: Stored{Known: st != "", Status: st}}
								if closed {
									in.Stored.ClosedAt = closedAt.Add(-2 * time.Hour)
								}
								if seen {
									in.Stored.FirstSeen = seenAt
								}
								got := Decide(in)
								if doc != NoReport {
									require.True(t, got.Record, "%+v", in)
									require.Contains(t, []report.Status{report.Submitted, report.Late, report.Invalid}, got.Status, "%+v", in)
								}
								if workday && !got.ClosedAt.IsZero() {
									require.NotEqual(t, report.Missing, got.Status, "%+v", in)
								}
								if !in.Stored.ClosedAt.IsZero() {
									require.Equal(t, in.Stored.ClosedAt, got.ClosedAt, "a close is never moved: %+v", in)
									require.False(t, got.Closes)
								}
							}
						}
					}
				}
			}
		}
	}
}
