package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Memory is the path of a private in-memory database (tests, dry runs).
const Memory = ":memory:"

// Errors of the package. Other failures are wrapped with a "store:" prefix.
var (
	// ErrNoDatabase is returned by a read-only Open of a file that does not
	// exist. It wraps fs.ErrNotExist.
	ErrNoDatabase = fmt.Errorf("store: no state database: %w", fs.ErrNotExist)
	// ErrReadOnly is returned by every write on a store opened read-only.
	ErrReadOnly = errors.New("store: the state database is open read-only")
	// ErrNewerSchema means the database was migrated by a newer dayreport.
	ErrNewerSchema = errors.New("store: the state database was written by a newer version of dayreport")
	// ErrMigrationNeeded means a read-only Open found pending migrations.
	ErrMigrationNeeded = errors.New("store: the state database needs migrating (open it once read-write)")
	// ErrNotFound is returned when a row named by id does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConfig is wrapped by a failure of the configuration itself (no
	// driver of that name, a connection string that does not parse): opening
	// again fails the same way. Every other failure to open may pass.
	ErrConfig = errors.New("store: configuration")
)

//go:embed migrations/*.sql migrations_postgres/*.sql
var embedded embed.FS

// Options configure Open.
type Options struct {
	// Now is the clock for every stored time (default time.Now).
	Now func() time.Time
	// ReadOnly opens an existing database without creating, migrating or
	// writing anything; every write returns ErrReadOnly.
	ReadOnly bool
	// ConnectTimeout bounds connecting to PostgreSQL, the server's
	// greeting included, when the connection string sets no
	// connect_timeout (default PostgresConnectTimeout).
	ConnectTimeout time.Duration
}

// Store is the state database. It is safe for concurrent use.
type Store struct {
	db       pool
	path     string // absolute path, or Memory; PostgreSQL: the server and database, no password
	readOnly bool
	now      func() time.Time
	// lockKey names this database in PostgreSQL advisory locks: the hash of
	// the schema the tables live in, so that two dayreport databases in one
	// PostgreSQL cluster (or two test schemas) never exclude each other.
	lockKey int32

	// memLock is the pass lock of a :memory: store (see Lock).
	memLock   sync.Mutex
	memMu     sync.Mutex
	memHolder string

	// failAt, when set (tests only), is called at the named points inside
	// write transactions; an error aborts the transaction there.
	failAt func(point string) error
}

// Open opens (creating it and its parent directory when needed) the SQLite
// database at path and brings its schema up to date. path may be ":memory:"
// for a private in-memory database.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	return open(ctx, path, opts, mustSub(embedded, "migrations"))
}

func open(ctx context.Context, path string, opts Options, migrations fs.FS) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: no database path")
	}
	s := &Store{path: path, readOnly: opts.ReadOnly, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	memory := path == Memory
	if memory && opts.ReadOnly {
		return nil, fmt.Errorf("store: %w: a read-only %s database", ErrNoDatabase, Memory)
	}
	if !memory {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		s.path = abs
		if opts.ReadOnly {
			if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%w: %s", ErrNoDatabase, abs)
			}
		} else if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	db, err := sql.Open("sqlite", dsn(s.path, opts.ReadOnly))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.path, err)
	}
	s.db = pool{DB: db, d: sqliteDialect, stmts: newStmtCache()}
	if memory {
		// Every connection to ":memory:" is a database of its own: keep
		// exactly one, for ever, so that every query sees the same data.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	}
	if err := connect(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: open %s: %w", s.path, err)
	}
	if opts.ReadOnly {
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

// dsn builds the driver's data source name. The pragmas are DSN parameters so
// that every connection of the pool gets them, not just the first:
//
//   - busy_timeout=10000: wait up to 10 s for another connection's lock
//     instead of failing at once with SQLITE_BUSY.
//   - foreign_keys=ON: SQLite does not enforce REFERENCES without it.
//   - journal_mode=WAL: readers never block the writer nor the writer them,
//     and a commit is one append to the -wal file.
//   - synchronous=NORMAL: in WAL mode a commit has written its frames to the
//     -wal file (write(2) has returned) before COMMIT returns, so it survives
//     the death of the process, SIGKILL included: the data is in the kernel's
//     page cache and reaches the disk without us. NORMAL skips the fsync of
//     every commit, which only matters when the machine itself loses power;
//     then the last commits may roll back, yet the database stays consistent
//     (WAL checkpoints are still fsynced) and, by the outbox scheme of this
//     package, redoing the lost work duplicates nothing. FULL would buy power-
//     loss durability of the last commit at one fsync per transaction.
//   - cache_size=-512: each connection caches up to 512 KiB of pages, not
//     SQLite's default 2 MiB. A pass holds up to five connections at once,
//     whose caches lived outside Go's heap until the process ended: some
//     3.5 MiB of a 10 000-employee first pass's peak memory (105 → 101 MiB,
//     five runs each). The pages come from the kernel's page cache when
//     read again, and a pass reads most tables in one sweep: its CPU time
//     did not move beyond the noise.
//   - _txlock=immediate: write transactions take the write lock at BEGIN, so
//     two writers queue under busy_timeout rather than one failing with
//     SQLITE_BUSY when upgrading a read lock (read-only transactions stay
//     deferred).
//
// A read-only store opens with mode=ro (SQLite refuses every write, and a
// missing file is an error instead of being created) and does not set the
// journal mode, which is a write; the database is in WAL mode already.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	if !readOnly {
		q.Add("_pragma", "journal_mode(WAL)")
	}
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "cache_size(-512)")
	q.Set("_txlock", "immediate")
	if readOnly {
		q.Set("mode", "ro")
	}
	if path == Memory {
		return "file::memory:?" + q.Encode()
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	return u.String()
}

// busyWait bounds how long Open retries a database that is busy.
const busyWait = 10 * time.Second

// connect opens the first connection. Turning a new database to WAL needs an
// exclusive lock, and SQLite reports SQLITE_BUSY at once, without waiting for
// busy_timeout, when another process is doing the same: retry for a while.
func connect(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(busyWait)
	wait := 5 * time.Millisecond
	for {
		err := db.PingContext(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// isBusy reports whether err is SQLITE_BUSY (or one of its extended codes).
func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// Path is the absolute path of the database file, or ":memory:"; for
// PostgreSQL, postgres://user@host:port/database (never the password).
func (s *Store) Path() string { return s.path }

// Driver is "sqlite" or "postgres".
func (s *Store) Driver() string { return s.db.d.String() }

// ReadOnly reports whether the store was opened read-only.
func (s *Store) ReadOnly() bool { return s.readOnly }

// Close closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Ping checks that the database answers (readiness probes).
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// write runs fn in one write transaction and commits it. Write transactions
// are serialized: on SQLite by BEGIN IMMEDIATE (the database's one writer),
// on PostgreSQL by a transaction-level advisory lock taken first, so that
// every read-then-write of this package sees what the previous write
// committed, exactly as on SQLite (see the package documentation).
func (s *Store) write(ctx context.Context, fn func(tx *txn) error) error {
	return s.writeTx(ctx, true, fn)
}

// writeTx is write; serialize false skips PostgreSQL's advisory lock, for
// transactions that need only the row locks they take (outbox claims).
func (s *Store) writeTx(ctx context.Context, serialize bool, fn func(tx *txn) error) error {
	if s.readOnly {
		return ErrReadOnly
	}
	s.db.stmts.ready(ctx, s.db.DB)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit
	if serialize && s.db.d == postgresDialect {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockClassWrite, s.lockKey); err != nil {
			return fmt.Errorf("store: begin: %w", err)
		}
	}
	if err := fn(&txn{Tx: tx, d: s.db.d, db: s.db.DB, stmts: s.db.stmts}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// hook is the test seam of write transactions (see failAt).
func (s *Store) hook(point string) error {
	if s.failAt == nil {
		return nil
	}
	return s.failAt(point)
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
