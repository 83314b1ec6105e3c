package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/app/apptest"
	"github.com/dayreport/dayreport/pkg/store"
)

// Exit statuses a supervisor can act on (deploy/dayreport.service restarts
// on 1 and not on 2): 2 only when the configuration itself is wrong, 1 for
// whatever may pass by itself.

// silentServer accepts TCP connections on 127.0.0.1 and never answers: a
// PostgreSQL host that hangs. It returns the port.
func silentServer(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return l.Addr().(*net.TCPAddr).Port
}

// withState is a team whose state: line is replaced.
func withState(t *testing.T, state, yamlText string) *cliTeam {
	t.Helper()
	c := newCLITeam(t, yamlText)
	b, err := os.ReadFile(c.config)
	require.NoError(t, err)
	text := strings.Replace(string(b), "state: {path: state.db}\n", state, 1)
	require.NotEqual(t, string(b), text)
	require.NoError(t, os.WriteFile(c.config, []byte(text), 0o644))
	return c
}

// closedPort is a port on 127.0.0.1 nothing listens on (connection refused).
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// TestTemporaryFailuresExitOne: PostgreSQL refusing connections, a
// PostgreSQL that accepts and never answers (bounded by connect_timeout, it
// does not hang the command), another pass holding the lock, and the
// daemon's port taken all exit 1, so the unit restarts; the password of the
// connection string is never printed.
func TestTemporaryFailuresExitOne(t *testing.T) {
	const employees = "employees:\n  - {id: anna, name: Анна}\n"
	pg := func(port int, extra string) string {
		return fmt.Sprintf("state: {driver: postgres, dsn: \"postgres://dayreport:pw-s3cret@127.0.0.1:%d/dayreport?sslmode=disable%s\"}\n", port, extra)
	}
	now := rfc("2026-11-25", 18, 0)

	t.Run("postgres refuses", func(t *testing.T) {
		c := withState(t, pg(closedPort(t), ""), employees)
		code, _, stderr := c.run(t, now, "sync")
		require.Equal(t, 1, code, stderr)
		require.Contains(t, stderr, "connect to postgres://dayreport@127.0.0.1")
		require.NotContains(t, stderr, "pw-s3cret")
	})
	t.Run("postgres never answers", func(t *testing.T) {
		c := withState(t, pg(silentServer(t), "&connect_timeout=1"), employees)
		code, _, stderr := c.run(t, now, "sync")
		require.Equal(t, 1, code, stderr)
		require.NotContains(t, stderr, "pw-s3cret")
		code, _, stderr = c.run(t, now, "close-day", "--dry-run")
		require.Equal(t, 1, code, stderr)
	})
	t.Run("lock held", func(t *testing.T) {
		c := newCLITeam(t, employees)
		s, err := store.Open(t.Context(), filepath.Join(c.dir, "state.db"), store.Options{})
		require.NoError(t, err)
		defer func() { require.NoError(t, s.Close()) }()
		unlock, err := s.Lock(t.Context(), "another sync")
		require.NoError(t, err)
		defer func() { require.NoError(t, unlock()) }()
		code, _, stderr := c.run(t, now, "sync")
		require.Equal(t, 1, code, stderr)
		require.Contains(t, stderr, "another sync")
	})
	t.Run("port taken", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer func() { require.NoError(t, l.Close()) }()
		c := newCLITeam(t, fmt.Sprintf("http: {listen: %q}\n", l.Addr().String())+employees)
		code, _, stderr := c.run(t, now, "run")
		require.Equal(t, 1, code, stderr)
		require.Contains(t, stderr, "http.listen")
	})
}

// TestConfigurationErrorsExitTwo: what no restart fixes still exits 2 — a
// template file that is not there, a connection string that does not
// parse, a facts file that is not a facts file.
func TestConfigurationErrorsExitTwo(t *testing.T) {
	now := rfc("2026-11-25", 18, 0)
	const employees = "employees:\n  - {id: anna, name: Анна}\n"
	c := withState(t, "state: {driver: postgres, dsn: \"postgres://a:b@127.0.0.1:notaport/x\"}\n", employees)
	code, _, stderr := c.run(t, now, "sync")
	require.Equal(t, 2, code, stderr)
	require.Contains(t, stderr, "does not parse")

	c = newCLITeam(t, "crm: {builtin: {facts: facts.csv}}\n"+employees)
	require.NoError(t, os.WriteFile(filepath.Join(c.dir, "facts.csv"), []byte("\x00\x01 not,a\nfacts file"), 0o644))
	code, _, stderr = c.run(t, now, "sync")
	require.Equal(t, 2, code, stderr)
}

// TestQueuedPushExitsOne: a push the CRM refuses for good (400) fails the
// first pass (exit 1) and waits in the outbox an hour. A pass within that
// hour does not push it again; the record is still not in the CRM, so that
// pass is partial too (exit 1) and counts it queued, not "без изменений".
func TestQueuedPushExitsOne(t *testing.T) {
	var (
		mu    sync.Mutex
		posts int
	)
	crmFake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		posts++
		mu.Unlock()
		http.Error(w, `{"error":"field new_calls is not known"}`, http.StatusBadRequest)
	}))
	defer crmFake.Close()
	c := newCLITeam(t, fmt.Sprintf("crm: {adapter: webhook, webhook: {url: %q, secret: s3cret}}\n", crmFake.URL)+
		"employees:\n  - {id: anna, name: Анна}\n")
	c.write(t, "anna.txt", apptest.ReportText("25.11.2026", 10))

	code, out, stderr := c.run(t, rfc("2026-11-25", 18, 0), "sync", "--format", "json")
	require.Equal(t, 1, code, stderr)
	var first passJSON
	require.NoError(t, json.Unmarshal([]byte(out), &first), out)
	require.Equal(t, 1, first.CRM.Failed)
	require.Equal(t, 1, first.CRM.Queued)

	code, out, stderr = c.run(t, rfc("2026-11-25", 18, 20), "sync", "--format", "json")
	require.Equal(t, 1, code, stderr)
	var second passJSON
	require.NoError(t, json.Unmarshal([]byte(out), &second), out)
	require.Zero(t, second.CRM.Pushed)
	require.Zero(t, second.CRM.Failed, "not due again yet")
	require.Zero(t, second.CRM.Unchanged, "the CRM does not hold it")
	require.Equal(t, 1, second.CRM.Queued)

	code, out, _ = c.run(t, rfc("2026-11-25", 18, 40), "sync")
	require.Equal(t, 1, code)
	require.Contains(t, out, "без изменений 0")
	require.Contains(t, out, "в очереди 1")
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 1, posts, "a permanent failure is not retried within the hour")
	require.Contains(t, out, "CRM (webhook)")
}
