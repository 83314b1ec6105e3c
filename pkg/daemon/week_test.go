package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/app"
	"github.com/dayreport/dayreport/pkg/app/apptest"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/store"
)

// idleListener is a listener nobody connects to: its Accept waits on a
// channel, which a synctest bubble counts as durably blocked (a real socket
// would keep the fake clock from moving).
type idleListener struct{ closed chan struct{} }

func (l *idleListener) Accept() (net.Conn, error) {
	<-l.closed
	return nil, net.ErrClosed
}

func (l *idleListener) Close() error {
	select {
	case <-l.closed:
	default:
		close(l.closed)
	}
	return nil
}

func (l *idleListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// weekStart is the Monday the fake week starts on. A synctest bubble's
// clock starts at 2000-01-01 00:00 UTC; the app's clock is that plus a whole
// number of days, so the cron schedule (which reads the bubble's clock) and
// the app agree on the time of day: Moscow was UTC+3 in January 2000 as it
// is in 2025.
var weekStart = time.Date(2025, 10, 27, 0, 0, 0, 0, time.UTC)

// TestDaemonWeek runs the daemon with its default schedule over a fake
// fortnight, 27.10–06.11.2025 — with a day of downtime (Wednesday 29.10),
// the transferred working Saturday 01.11, the days off 02–04.11, and
// employees in Moscow, London and Vladivostok — in a synctest bubble (no
// real sleeps). Every working day of every employee is closed exactly once,
// at the first pass after its deadline in the employee's own zone (the
// downtime day by the pass that catches up at the restart); the days off
// get no day; no pass runs on 03.11, when nothing is due anywhere.
func TestDaemonWeek(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		offset := time.Until(weekStart)
		now := func() time.Time { return time.Now().Add(offset) }
		tm := apptest.NewTeam(t, `
company: {timezone: Europe/Moscow, language: ru}
deadline: {time: "19:00", grace: 2h}
log: {level: warn}
employees:
  - {id: anna, name: Анна}
  - {id: liz, name: Лиз, timezone: Europe/London}
  - {id: vera, name: Вера, timezone: Asia/Vladivostok}
`)
		// anna writes at 18:00 on the 27th, 28th, 29th (while the server is
		// down), 30th and the Saturday; liz at 20:00 London on the 27th.
		anna := ""
		for _, d := range []string{"27.10.2025", "28.10.2025", "29.10.2025", "30.10.2025", "01.11.2025"} {
			anna += apptest.ReportText(d, 10) + "\n"
			stamp := day.MustParse(d[6:] + "-" + d[3:5] + "-" + d[:2])
			tm.Write(t, fmt.Sprintf("anna@%04d%02d%02dT1800.txt", stamp.Year, stamp.Month, stamp.Day), anna)
		}
		tm.Write(t, "liz@20251027T2300.txt", apptest.ReportText("27.10.2025", 7))

		daemonUntil := func(stop time.Time) {
			a, err := app.New(context.Background(), tm.Cfg, app.Options{Now: now,
				Sleep: func(context.Context, time.Duration) error { return nil }})
			require.NoError(t, err)
			m := NewMetrics()
			d, err := New(a.Engine, m, Options{Listener: &idleListener{closed: make(chan struct{})}})
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- d.Run(ctx) }()
			time.Sleep(stop.Sub(now()))
			cancel()
			require.NoError(t, <-done)
			require.NoError(t, a.Close())
		}
		at := func(date string, hour, minute int) time.Time { return apptest.Msk(date, hour, minute) }
		daemonUntil(at("2025-10-29", 3, 0)) // Monday 03:00 to Wednesday 03:00
		time.Sleep(at("2025-10-30", 10, 0).Sub(now()))
		daemonUntil(at("2025-11-06", 18, 5)) // Thursday 10:00 to the next Thursday

		db := filepath.Join(filepath.Dir(tm.Dir), "state.db")
		days := apptest.StoredDays(t, db)
		// When each working day closes: the first pass after the deadline.
		// Moscow's 21:00 is first passed by the 21:20 poll; Vladivostok's
		// (14:00 Moscow) by the 17:00 poll; London's (00:00 Moscow) by the
		// next day's 17:00 poll. The 29th and whatever was due while the
		// server was down close at the restart (Thursday 10:00).
		restart := at("2025-10-30", 10, 0)
		want := map[string]struct {
			status report.Status
			closed time.Time
		}{
			"anna 2025-10-27": {report.Submitted, at("2025-10-27", 21, 20)},
			"anna 2025-10-28": {report.Submitted, at("2025-10-28", 21, 20)},
			"anna 2025-10-29": {report.Submitted, restart}, // no evidence it was late
			"anna 2025-10-30": {report.Submitted, at("2025-10-30", 21, 20)},
			"anna 2025-10-31": {report.Absent, at("2025-10-31", 21, 20)},
			"anna 2025-11-01": {report.Submitted, at("2025-11-01", 21, 20)},
			"anna 2025-11-05": {report.Absent, at("2025-11-05", 21, 20)},
			"liz 2025-10-27":  {report.Submitted, at("2025-10-28", 17, 0)},
			"liz 2025-10-28":  {report.Absent, restart},
			"liz 2025-10-29":  {report.Absent, restart},
			"liz 2025-10-30":  {report.Absent, at("2025-10-31", 17, 0)},
			"liz 2025-10-31":  {report.Absent, at("2025-11-01", 17, 0)},
			"liz 2025-11-01":  {report.Absent, at("2025-11-02", 17, 0)}, // a Sunday pass: liz's Saturday was due
			"liz 2025-11-05":  {report.Absent, at("2025-11-06", 17, 0)},
			"vera 2025-10-27": {report.Absent, at("2025-10-27", 17, 0)},
			"vera 2025-10-28": {report.Absent, at("2025-10-28", 17, 0)},
			"vera 2025-10-29": {report.Absent, restart},
			"vera 2025-10-30": {report.Absent, at("2025-10-30", 17, 0)},
			"vera 2025-10-31": {report.Absent, at("2025-10-31", 17, 0)},
			"vera 2025-11-01": {report.Absent, at("2025-11-01", 17, 0)},
			"vera 2025-11-05": {report.Absent, at("2025-11-05", 17, 0)},
			"vera 2025-11-06": {report.Absent, at("2025-11-06", 17, 0)},
		}
		got := map[string]struct {
			status report.Status
			closed time.Time
		}{}
		for k, d := range days {
			if d.Status == report.Missing {
				continue
			}
			got[k] = struct {
				status report.Status
				closed time.Time
			}{d.Status, d.ClosedAt.In(apptest.Moscow)}
		}
		for k := range want {
			w := want[k]
			w.closed = w.closed.In(apptest.Moscow)
			want[k] = w
		}
		require.Equal(t, want, got)

		// Exactly once: the passes' own counts add up to the closed days.
		s, err := store.Open(context.Background(), db, store.Options{ReadOnly: true})
		require.NoError(t, err)
		defer func() { require.NoError(t, s.Close()) }()
		passes, err := s.LastPasses(context.Background(), 0)
		require.NoError(t, err)
		closed := 0
		for _, p := range passes {
			var sum struct {
				Closed int `json:"closed"`
			}
			require.NoError(t, json.Unmarshal(p.Summary, &sum), "pass %d", p.ID)
			closed += sum.Closed
			// On the 3rd nothing is due anywhere: no pass runs. (From 17:00
			// on the 4th it is the 5th, a working day, in Vladivostok.)
			require.NotEqual(t, "2025-11-03", p.Date.String(), "no pass on a day off with nothing due")
			require.Equal(t, "ok", p.Result, "pass %d (%s %s): %s", p.ID, p.Kind, p.Date, p.Error)
		}
		require.Equal(t, len(want), closed)
	})
}
