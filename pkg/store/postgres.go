package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/dayreport/dayreport/pkg/config"
)

// The first key of every PostgreSQL advisory lock the store takes; the
// second is Store.lockKey (the schema).
const (
	lockClassWrite int32 = 0x64720001 // "dr" 1: one write transaction at a time
	lockClassPass  int32 = 0x64720002 // "dr" 2: the pass lock (Lock)
)

// OpenConfig opens the state database the configuration names: the SQLite
// file at state.path (the default driver), or the PostgreSQL database at
// state.dsn.
func OpenConfig(ctx context.Context, st config.State, opts Options) (*Store, error) {
	switch st.Driver {
	case "", "sqlite":
		return Open(ctx, st.Path, opts)
	case "postgres":
		return OpenPostgres(ctx, st.DSN.Value(), opts)
	default:
		return nil, fmt.Errorf("%w: unknown driver %q (sqlite or postgres)", ErrConfig, st.Driver)
	}
}

// OpenPostgres connects to the PostgreSQL database of dsn (a URL or a
// key=value string, as libpq reads it) through pgx and brings its schema up
// to date (read-only: checks it). The tables live in the first schema of the
// connection's search_path (set it in the DSN, `?search_path=dayreport`, to
// keep them apart from others). Neither the DSN nor its password ever
// appears in an error.
func OpenPostgres(ctx context.Context, dsn string, opts Options) (*Store, error) {
	return openPostgres(ctx, dsn, opts, mustSub(embedded, "migrations_postgres"))
}

func openPostgres(ctx context.Context, dsn string, opts Options, migrations fs.FS) (*Store, error) {
	if dsn == "" {
		return nil, fmt.Errorf("%w: no PostgreSQL connection string", ErrConfig)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message quotes the string (password redacted, best effort):
		// say nothing of it.
		return nil, fmt.Errorf("%w: the PostgreSQL connection string does not parse", ErrConfig)
	}
	postgresTimeouts(cfg, dsn, opts.ConnectTimeout)
	if opts.ReadOnly {
		// The server refuses every write, whatever this package does.
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "dayreport"
	}
	s := &Store{readOnly: opts.ReadOnly, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	s.path = "postgres://" + cfg.User + "@" + cfg.Host + ":" + strconv.Itoa(int(cfg.Port)) + "/" + cfg.Database
	if sp := cfg.RuntimeParams["search_path"]; sp != "" {
		s.path += "?search_path=" + sp
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(10)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s.db = pool{DB: db, d: postgresDialect}
	var key int32
	if err := s.db.QueryRowContext(ctx, `SELECT hashtext(coalesce(current_schema(), ''))`).Scan(&key); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", s.path, err)
	}
	s.lockKey = key
	if opts.ReadOnly {
		var exists bool
		if err := s.db.QueryRowContext(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("store: connect to %s: %w", s.path, err)
		}
		if !exists {
			_ = db.Close()
			return nil, fmt.Errorf("%w: no dayreport tables in %s", ErrNoDatabase, s.path)
		}
		err = s.checkSchema(ctx, migrations)
	} else {
		err = s.migrate(ctx, migrations)
	}
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// Timeouts of a PostgreSQL session when the connection string sets none: a
// server that accepts the connection and never answers fails the command
// instead of hanging it, and no statement runs forever. A write waits for
// another replica's write transaction (an advisory lock) under the same
// statement timeout.
const (
	PostgresConnectTimeout   = 10 * time.Second
	PostgresStatementTimeout = 2 * time.Minute
	// postgresIdleInTxTimeout ends a session that holds a transaction open
	// and says nothing (a process frozen between two statements).
	postgresIdleInTxTimeout = 5 * time.Minute
)

// postgresTimeouts sets the timeouts the connection string leaves unset:
// connect_timeout (client side: the dial and the server's greeting), and the
// server's statement_timeout and idle_in_transaction_session_timeout.
func postgresTimeouts(cfg *pgx.ConnConfig, dsn string, connect time.Duration) {
	if cfg.ConnectTimeout == 0 && !strings.Contains(dsn, "connect_timeout") {
		if connect <= 0 {
			connect = PostgresConnectTimeout
		}
		cfg.ConnectTimeout = connect
	}
	// The server applies a timeout in milliseconds; a DSN's own
	// (?statement_timeout=… or options=-c statement_timeout=…) wins.
	set := func(name string, d time.Duration) {
		if _, ok := cfg.RuntimeParams[name]; ok || strings.Contains(cfg.RuntimeParams["options"], name) {
			return
		}
		cfg.RuntimeParams[name] = strconv.FormatInt(d.Milliseconds(), 10)
	}
	set("statement_timeout", PostgresStatementTimeout)
	set("idle_in_transaction_session_timeout", postgresIdleInTxTimeout)
}

// lockPostgres is Lock on PostgreSQL: a session advisory lock held by a
// connection set apart for it. The server releases it when that connection
// ends, the process's death included, so a killed pass never blocks the
// next; it excludes passes of every replica, on every host. The holder's line
// is kept in the leases table (name "pass") for the error of the next one.
func (s *Store) lockPostgres(ctx context.Context, holder string) (func() error, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: lock: %w", err)
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, $2)`, lockClassPass, s.lockKey).Scan(&ok); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("store: lock: %w", err)
	}
	if !ok {
		_ = conn.Close()
		var h string
		_ = s.db.QueryRowContext(ctx, `SELECT holder FROM leases WHERE name = 'pass'`).Scan(&h)
		return nil, &LockedError{Holder: h}
	}
	setHolder := func(h string) {
		_ = s.write(context.WithoutCancel(ctx), func(tx *txn) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO leases (name, holder, until, since) VALUES ('pass', ?, '', ?)
				ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, since = excluded.since`, h, fmtTime(s.now()))
			return err
		})
	}
	setHolder(holderLineTrim(holder)) // for people to read; the advisory lock is what counts
	var (
		once sync.Once
		uerr error
	)
	return func() error {
		once.Do(func() {
			setHolder("")
			ctx := context.Background()
			if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1, $2)`, lockClassPass, s.lockKey); err != nil {
				uerr = fmt.Errorf("store: unlock: %w", err)
				// Never hand a connection that may still hold the lock back
				// to the pool: closing it ends the session and the lock.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
			if err := conn.Close(); err != nil && uerr == nil {
				uerr = fmt.Errorf("store: unlock: %w", err)
			}
		})
		return uerr
	}, nil
}

func holderLineTrim(h string) string {
	for len(h) > 0 && (h[len(h)-1] == '\n' || h[len(h)-1] == ' ') {
		h = h[:len(h)-1]
	}
	return h
}
