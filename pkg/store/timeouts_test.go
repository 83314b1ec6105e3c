package store

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// TestPostgresServerThatNeverAnswers: a host that accepts the TCP connection
// and never sends PostgreSQL's greeting makes Open fail after the connect
// timeout (the default applies when the connection string names none); it
// used to wait forever, holding `sync` and `run`.
func TestPostgresServerThatNeverAnswers(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = l.Close() }()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				_, _ = io.Copy(io.Discard, c)
				_ = c.Close()
			}()
		}
	}()
	dsn := "postgres://dayreport:pw@" + l.Addr().String() + "/dayreport?sslmode=disable"
	done := make(chan error, 1)
	go func() {
		_, err := OpenPostgres(context.Background(), dsn, Options{ConnectTimeout: 200 * time.Millisecond})
		done <- err
	}()
	select {
	case err := <-done:
		require.Error(t, err)
		require.NotContains(t, err.Error(), "pw")
		require.NotErrorIs(t, err, ErrConfig, "a server that does not answer may answer later")
	case <-time.After(time.Minute):
		t.Fatal("Open still waits for a server that never answers")
	}
}

// TestPostgresTimeoutsDefault: a connection string without timeouts gets
// the defaults; one that sets its own keeps them.
func TestPostgresTimeoutsDefault(t *testing.T) {
	parse := func(dsn string) *pgx.ConnConfig {
		cfg, err := pgx.ParseConfig(dsn)
		require.NoError(t, err)
		postgresTimeouts(cfg, dsn, 0)
		return cfg
	}
	cfg := parse("postgres://u@127.0.0.1/db")
	require.Equal(t, PostgresConnectTimeout, cfg.ConnectTimeout)
	require.Equal(t, "120000", cfg.RuntimeParams["statement_timeout"])
	require.Equal(t, "300000", cfg.RuntimeParams["idle_in_transaction_session_timeout"])

	cfg = parse("postgres://u@127.0.0.1/db?connect_timeout=3&statement_timeout=5000")
	require.Equal(t, 3*time.Second, cfg.ConnectTimeout)
	require.Equal(t, "5000", cfg.RuntimeParams["statement_timeout"])

	cfg = parse("host=127.0.0.1 user=u options='-c statement_timeout=9s'")
	require.Empty(t, cfg.RuntimeParams["statement_timeout"])
}
