package store

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/store/storetest"

	"github.com/dayreport/dayreport/pkg/report"
)

func TestMigrationsApplyOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path, c := tempDB(t), newClock()
	all, err := loadMigrations(mustSub(embedded, "migrations"))
	require.NoError(t, err)
	require.NotEmpty(t, all)

	s := fileStore(t, path, c)
	require.Equal(t, len(all), count(t, s, `SELECT count(*) FROM schema_migrations`))
	var first string
	require.NoError(t, s.db.QueryRowContext(ctx, `SELECT group_concat(version || name || applied_at) FROM schema_migrations`).Scan(&first))
	require.NoError(t, s.Close())

	c.Add(time.Hour)
	s = fileStore(t, path, c)
	var again string
	require.NoError(t, s.db.QueryRowContext(ctx, `SELECT group_concat(version || name || applied_at) FROM schema_migrations`).Scan(&again))
	require.Equal(t, first, again, "reopening applies nothing")
	require.NoError(t, s.Ping(ctx))
}

func TestMigrationsApplyOnlyNew(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := tempDB(t)
	v1 := fstest.MapFS{"001_first.sql": {Data: []byte(`CREATE TABLE t1 (a INTEGER); INSERT INTO t1 VALUES (1);`)}}
	v2 := fstest.MapFS{
		"001_first.sql":  v1["001_first.sql"],
		"002_second.sql": {Data: []byte(`CREATE TABLE t2 (b TEXT); INSERT INTO t1 VALUES (2);`)},
	}
	s, err := open(ctx, path, Options{}, v1)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s, err = open(ctx, path, Options{}, v2)
	require.NoError(t, err)
	defer s.Close()
	require.Equal(t, 2, count(t, s, `SELECT count(*) FROM t1`), "001 ran once, 002 once")
	require.Zero(t, count(t, s, `SELECT count(*) FROM t2`))
	require.Equal(t, 2, count(t, s, `SELECT count(*) FROM schema_migrations`))

	bad := fstest.MapFS{"003_bad.sql": {Data: []byte(`CREATE TABLE t3 (x); THIS IS NOT SQL;`)}, "001_first.sql": v1["001_first.sql"], "002_second.sql": v2["002_second.sql"]}
	_, err = open(ctx, path, Options{}, bad)
	require.ErrorContains(t, err, "003_bad")
	s2, err := open(ctx, path, Options{}, v2)
	require.NoError(t, err)
	defer s2.Close()
	require.Zero(t, count(t, s2, `SELECT count(*) FROM sqlite_schema WHERE name = 't3'`), "a failed migration leaves nothing")
}

func TestMigrationNames(t *testing.T) {
	t.Parallel()
	for name, fsys := range map[string]fstest.MapFS{
		"bad name":          {"first.sql": {Data: []byte(`SELECT 1`)}},
		"duplicate version": {"001_a.sql": {Data: []byte(`SELECT 1`)}, "001_b.sql": {Data: []byte(`SELECT 1`)}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := loadMigrations(fsys)
			require.Error(t, err)
		})
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := tempDB(t)
	s := fileStore(t, path, nil)
	_, err := s.db.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from_the_future', '2030-01-01T00:00:00.000000000Z')`)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	for _, ro := range []bool{false, true} {
		_, err = Open(ctx, path, Options{ReadOnly: ro})
		require.ErrorIs(t, err, ErrNewerSchema)
		require.ErrorContains(t, err, "999_from_the_future")
	}
}

func TestReadOnlyMissingFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nope", "state.db")
	_, err := Open(context.Background(), path, Options{ReadOnly: true})
	require.ErrorIs(t, err, ErrNoDatabase)
	require.ErrorIs(t, err, fs.ErrNotExist)
	_, statErr := os.Stat(filepath.Dir(path))
	require.ErrorIs(t, statErr, fs.ErrNotExist, "a read-only open creates nothing")
}

func TestReadOnlyRefusesWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := tempDB(t)
	s := fileStore(t, path, nil)
	_, err := s.SaveDay(ctx, update("ivanov", testDate, 20))
	require.NoError(t, err)
	require.NoError(t, s.Close())

	ro, err := Open(ctx, path, Options{ReadOnly: true})
	require.NoError(t, err)
	defer ro.Close()
	require.True(t, ro.ReadOnly())
	got, ok, err := ro.Day(ctx, "ivanov", testDate)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, report.Submitted, got.Status)

	_, err = ro.SaveDay(ctx, update("ivanov", testDate, 21))
	require.ErrorIs(t, err, ErrReadOnly)
	require.ErrorIs(t, ro.MarkPushed(ctx, "builtin", "k", "h", "1"), ErrReadOnly)
	_, err = ro.StartPass(ctx, "sync", testDate)
	require.ErrorIs(t, err, ErrReadOnly)
	_, err = ro.Lock(ctx, "test")
	require.ErrorIs(t, err, ErrReadOnly)
	// And SQLite itself refuses: the connection is mode=ro.
	_, err = ro.db.ExecContext(ctx, `DELETE FROM days`)
	require.Error(t, err)
	require.Contains(t, err.Error(), "readonly")
}

func TestReadOnlyNeedsMigratedDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := tempDB(t)
	s, err := open(ctx, path, Options{}, fstest.MapFS{"001_first.sql": {Data: []byte(`CREATE TABLE t1 (a)`)}})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = Open(ctx, path, Options{ReadOnly: true})
	require.ErrorIs(t, err, ErrNewerSchema, "001_first is not one of ours")

	plain := tempDB(t)
	db, err := sql.Open("sqlite", plain)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE x (a)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = Open(ctx, plain, Options{ReadOnly: true})
	require.ErrorIs(t, err, ErrMigrationNeeded)
}

func TestPragmasOnEveryConnection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// A path with characters that must be escaped in a file: URI.
	path := filepath.Join(t.TempDir(), "dir with space?#%", "state.db")
	s := fileStore(t, path, nil)
	_, err := os.Stat(path)
	require.NoError(t, err)

	const conns = 3
	held := make([]*sql.Conn, conns)
	for i := range held {
		c, err := s.db.Conn(ctx)
		require.NoError(t, err)
		held[i] = c
	}
	for _, c := range held {
		for pragma, want := range map[string]string{
			"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000", "synchronous": "1",
		} {
			var got string
			require.NoError(t, c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got))
			require.Equal(t, want, got, pragma)
		}
		require.NoError(t, c.Close())
	}
}

func TestMemoryIsOneDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := memStore(t, nil)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.SaveDay(ctx, update("e"+string(rune('a'+i)), testDate, float64(i)))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	days, err := s.DaysOn(ctx, testDate)
	require.NoError(t, err)
	require.Len(t, days, 8)

	_, err = Open(ctx, Memory, Options{ReadOnly: true})
	require.Error(t, err)
	_, err = Open(ctx, "", Options{})
	require.Error(t, err)
}

func TestForeignKeysEnforced(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		s := memStore(t, nil)
		_, err := s.db.Exec(`INSERT INTO days (employee, date, status, version_id, updated_at) VALUES ('x', '2026-11-26', 'absent', 12345, 'now')`)
		require.Error(t, err)
		require.Contains(t, strings.ToLower(err.Error()), "foreign key")
	})
}

func TestConcurrentOpenMigratesOnce(t *testing.T) {
	t.Parallel()
	bothDrivers(t, testConcurrentOpen)
}

func testConcurrentOpen(t *testing.T) {
	ctx := context.Background()
	path := sharedDB(t)
	stores := make([]*Store, 4)
	errs := make([]error, len(stores))
	var wg sync.WaitGroup
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if isPostgres(t) {
				stores[i], errs[i] = OpenPostgres(ctx, path, Options{})
			} else {
				stores[i], errs[i] = Open(ctx, path, Options{})
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err)
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	all, err := loadMigrations(mustSub(embedded, "migrations"))
	require.NoError(t, err)
	require.Equal(t, len(all), count(t, stores[0], `SELECT count(*) FROM schema_migrations`))
}

// TestPostgresMigrationsMatch: the two drivers have the same versioned
// migrations, by number and name.
func TestPostgresMigrationsMatch(t *testing.T) {
	t.Parallel()
	lite, err := loadMigrations(mustSub(embedded, "migrations"))
	require.NoError(t, err)
	pg, err := loadMigrations(mustSub(embedded, "migrations_postgres"))
	require.NoError(t, err)
	require.Len(t, pg, len(lite))
	for i := range lite {
		require.Equal(t, lite[i].version, pg[i].version)
		require.Equal(t, lite[i].name, pg[i].name)
	}
}

// TestPostgresErrorsHideTheDSN: neither a DSN that does not parse nor a
// server that refuses the password puts the password in the error.
func TestPostgresErrorsHideTheDSN(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for _, dsn := range []string{
		"postgres://u:s3cr3t-pw@127.0.0.1:1/db?sslmode=disable&connect_timeout=2",
		"postgres://u:s3cr3t-pw@[::1/db",
		"host=127.0.0.1 port=1 password=s3cr3t-pw connect_timeout=2 sslmode=disable",
		"host=127.0.0.1 port=notaport password=s3cr3t-pw",
	} {
		_, err := OpenPostgres(ctx, dsn, Options{})
		require.Error(t, err)
		require.NotContains(t, err.Error(), "s3cr3t-pw")
	}
	_, err := OpenConfig(ctx, config.State{Driver: "postgres", DSN: "postgres://u:s3cr3t-pw@127.0.0.1:1/db?connect_timeout=2"}, Options{})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "s3cr3t-pw")
}

// TestPostgresReadOnly: a read-only open (dry runs) of a schema with no
// tables says there is no database; of a migrated one, it reads and every
// write is refused, by the store and by the server.
func TestPostgresReadOnly(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dsn := storetest.Schema(t)
	_, err := OpenPostgres(ctx, dsn, Options{ReadOnly: true})
	require.ErrorIs(t, err, ErrNoDatabase)
	require.ErrorIs(t, err, fs.ErrNotExist)

	rw := pgStore(t, dsn, Options{})
	_, err = rw.SaveDay(ctx, update("ivanov", testDate, 20))
	require.NoError(t, err)
	ro := pgStore(t, dsn, Options{ReadOnly: true})
	_, ok, err := ro.Day(ctx, "ivanov", testDate)
	require.NoError(t, err)
	require.True(t, ok)
	_, err = ro.SaveDay(ctx, update("ivanov", testDate, 21))
	require.ErrorIs(t, err, ErrReadOnly)
	_, err = ro.db.ExecContext(ctx, `DELETE FROM days`)
	require.ErrorContains(t, err, "read-only transaction")
	_, err = ro.Lock(ctx, "x")
	require.ErrorIs(t, err, ErrReadOnly)
}
