package daemon

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/app"
	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/pass"
	"github.com/dayreport/dayreport/pkg/store"
	"github.com/dayreport/dayreport/pkg/store/storetest"
)

// TestPrevActivation: the last due time of the default close-day schedule
// before a moment, across a weekend.
func TestPrevActivation(t *testing.T) {
	msk, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	s, err := cron.ParseStandard("30 21 * * 1-5")
	require.NoError(t, err)
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, msk) // Monday morning
	at, ok := prevActivation(s, now.Add(-catchUpLookback*4), now, msk)
	require.True(t, ok)
	require.Equal(t, time.Date(2026, 11, 27, 21, 30, 0, 0, msk), at, "Friday's close-day")
	_, ok = prevActivation(s, now.Add(-time.Hour), now, msk)
	require.False(t, ok)
}

// TestFinishedSince: only a finished, not failed pass after the due time
// counts as having run it.
func TestFinishedSince(t *testing.T) {
	due := time.Date(2026, 11, 27, 18, 30, 0, 0, time.UTC)
	d := day.MustParse("2026-11-27")
	closeDay := func(p store.Pass) bool { return p.Kind == pass.KindCloseDay && p.Date == d }
	killed := store.Pass{Kind: pass.KindCloseDay, Date: d, StartedAt: due.Add(time.Second)}
	require.False(t, finishedSince([]store.Pass{killed}, due, closeDay), "a pass killed midway")
	early := store.Pass{Kind: pass.KindCloseDay, Date: d, StartedAt: due.Add(-time.Minute), FinishedAt: due, Result: "ok"}
	require.False(t, finishedSince([]store.Pass{early}, due, closeDay), "before the due time")
	failed := store.Pass{Kind: pass.KindCloseDay, Date: d, StartedAt: due, FinishedAt: due.Add(time.Minute), Result: "failed"}
	require.False(t, finishedSince([]store.Pass{failed}, due, closeDay))
	ok := store.Pass{Kind: pass.KindCloseDay, Date: d, StartedAt: due, FinishedAt: due.Add(time.Minute), Result: "partial"}
	require.True(t, finishedSince([]store.Pass{killed, ok}, due, closeDay))
}

// TestReadyzAndStatusSayWhoLeads: two daemons on one PostgreSQL database;
// both are ready, the first leads, the second stands by and names it.
func TestReadyzAndStatusSayWhoLeads(t *testing.T) {
	tm := newSextet(t)
	tm.Cfg.State = config.State{Driver: "postgres", DSN: config.Secret(storetest.Schema(t))}
	start, base := time.Now(), msk("2026-11-25", 22, 0)
	now := func() time.Time { return base.Add(time.Since(start)) }
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	a := openApp(t, tm.Cfg, app.Options{Now: now, Instance: "replica-a"})
	da, doneA := startListening(ctx, t, a)
	var st readiness
	require.Eventually(t, func() bool {
		code, body := get(t, "http://"+da.Addr()+"/readyz")
		return code == http.StatusOK && json.Unmarshal([]byte(body), &st) == nil && st.Leadership != nil && st.Leadership.Leading
	}, time.Minute, 50*time.Millisecond, "a leads")
	require.Equal(t, "replica-a", st.Leadership.Leader)

	b := openApp(t, tm.Cfg, app.Options{Now: now, Instance: "replica-b"})
	db, doneB := startListening(ctx, t, b)
	require.Eventually(t, func() bool {
		code, body := get(t, "http://"+db.Addr()+"/status")
		var sb statusBody
		return code == http.StatusOK && json.Unmarshal([]byte(body), &sb) == nil && sb.Leadership.Leader == "replica-a"
	}, time.Minute, 50*time.Millisecond, "b names the leader")
	code, body := get(t, "http://"+db.Addr()+"/readyz")
	require.Equal(t, http.StatusOK, code, body)
	var rb readiness
	require.NoError(t, json.Unmarshal([]byte(body), &rb))
	require.True(t, rb.Ready, "a replica standing by is ready")
	require.Equal(t, "replica-b", rb.Leadership.Instance)
	require.False(t, rb.Leadership.Leading)
	require.Equal(t, "replica-a", rb.Leadership.Leader)
	require.True(t, st.Leadership.Since.Equal(*rb.Leadership.Since))
	_, body = get(t, "http://"+db.Addr()+"/metrics")
	require.Contains(t, body, "dayreport_leader 0")
	_, body = get(t, "http://"+da.Addr()+"/metrics")
	require.Contains(t, body, "dayreport_leader 1")
	cancel()
	require.NoError(t, <-doneA)
	require.NoError(t, <-doneB)
}

// startListening is startDaemon with the listener open before Run, so that
// Addr may be read at once.
func startListening(ctx context.Context, t *testing.T, a *testApp) (*Daemon, chan error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	d, err := New(a.Engine, a.metrics, Options{Parser: secondsParser, Listener: l, ShutdownTimeout: 10 * time.Second})
	require.NoError(t, err)
	require.NoError(t, d.Listen())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	return d, done
}

// TestAnyWeekday: the weekday field gives way to the calendar; times, time
// zone prefixes and descriptors are kept.
func TestAnyWeekday(t *testing.T) {
	for spec, want := range map[string]string{
		"*/20 17-23 * * 1-5":              "*/20 17-23 * * *",
		"CRON_TZ=Asia/Omsk 30 21 * * 1-5": "CRON_TZ=Asia/Omsk 30 21 * * *",
		"@every 1m":                       "@every 1m",
		"30 21 * *":                       "30 21 * *",
	} {
		require.Equal(t, want, anyWeekday(spec, 5), spec)
	}
	require.Equal(t, "* * * * * *", anyWeekday("* * * * * 1-5", 6))
	require.True(t, HasWeekdayField("TZ=UTC 0 9 * * mon-fri"))
	require.False(t, HasWeekdayField("0 9 * * *"))
	require.False(t, HasWeekdayField("@daily"))
}
