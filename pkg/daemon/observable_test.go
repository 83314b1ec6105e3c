package daemon

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/app"
	"github.com/dayreport/dayreport/pkg/store"
)

// TestDaemonFailuresAreVisible: a fresh daemon whose scheduled runs find
// the pass lock held by another process (a stuck manual sync). Before, the
// skips were only logged, /readyz stayed ready, /metrics had no pass
// series until the first pass (an absence alert could not fire),
// dayreport_leader read 0 on SQLite and there was no build info. Now every
// series is there from the start, the skips are counted and shown in
// /status, /readyz says why the schedule does not run, and once the lock is
// free a pass runs and logs its time with its unit (took_ms).
func TestDaemonFailuresAreVisible(t *testing.T) {
	tm := newSextet(t)
	s, err := store.Open(t.Context(), tm.Cfg.State.Path, store.Options{})
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	unlock, err := s.Lock(t.Context(), "dayreport sync (pid 4242)")
	require.NoError(t, err)

	logs := &syncBuffer{}
	a := openApp(t, tm.Cfg, app.Options{Now: newClock(msk("2026-11-25", 22, 0)).Now, Log: zerolog.New(logs)})
	a.metrics.SetBuildInfo("v1.2.3")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	d, err := New(a.Engine, a.metrics, Options{Parser: secondsParser, Listener: l, ShutdownTimeout: 10 * time.Second,
		IdleTimeout: 300 * time.Millisecond})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	base := "http://" + l.Addr().String()

	var st statusBody
	require.Eventually(t, func() bool {
		_, body := get(t, base+"/status")
		return json.Unmarshal([]byte(body), &st) == nil && st.Skipped.Locked >= 1
	}, time.Minute, 50*time.Millisecond, "a run skipped for the lock")
	require.True(t, st.Skipped.LockedNow)
	require.Equal(t, JobPoll, st.Skipped.Last.Job)
	require.Contains(t, st.Skipped.Last.Reason, "dayreport sync (pid 4242)")
	code, body := get(t, base+"/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Contains(t, body, "the last scheduled run was skipped")

	_, body = get(t, base+"/metrics")
	for _, series := range []string{
		`dayreport_passes_total{kind="sync",result="ok"} 0`,
		`dayreport_passes_total{kind="close-day",result="failed"} 0`,
		`dayreport_crm_pushes_total{adapter="builtin",result="failed"} 0`,
		`dayreport_reports_total{status="absent"} 0`,
		`dayreport_outbox_depth{adapter="builtin"} 0`,
		`dayreport_skipped_runs_total{job="poll"} 0`,
		`dayreport_leader 1`,
		`dayreport_build_info{goversion="go`,
		`version="v1.2.3"} 1`,
	} {
		require.Contains(t, body, series)
	}
	require.Regexp(t, `dayreport_locked_runs_total\{job="poll"\} [1-9]`, body)

	// An idle keep-alive connection is closed after IdleTimeout.
	conn, err := net.Dial("tcp", l.Addr().String())
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	_, err = io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, err = r.ReadByte()
	require.ErrorIs(t, err, io.EOF, "the server closed the idle connection")

	require.NoError(t, unlock())
	require.Eventually(t, func() bool {
		code, _ := get(t, base+"/readyz")
		return code == http.StatusOK
	}, time.Minute, 50*time.Millisecond, "ready again once a run ran")
	cancel()
	require.NoError(t, <-done)
	require.Contains(t, logs.String(), `"took_ms":`)
	require.NotContains(t, logs.String(), `"took":`)
}
