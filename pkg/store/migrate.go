package store

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
)

// migration is one embedded schema change: migrations/NNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

var migrationName = regexp.MustCompile(`^(\d{3,})_([a-z0-9_]+)\.sql$`)

// loadMigrations reads NNN_name.sql files from fsys, ordered by version.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	var out []migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("store: migration %s: name is not NNN_name.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if prev, ok := seen[v]; ok {
			return nil, fmt.Errorf("store: migrations %s and %s share version %d", prev, e.Name(), v)
		}
		seen[v] = e.Name()
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: %w", e.Name(), err)
		}
		out = append(out, migration{version: v, name: m[2], sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`

// migrate applies, in version order and each in its own transaction, the
// migrations not yet recorded in schema_migrations. A recorded version this
// build does not know means a newer dayreport wrote the database: refused.
// Another process migrating at the same time is harmless: each transaction
// re-checks its version under the write lock.
func (s *Store) migrate(ctx context.Context, fsys fs.FS) error {
	all, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	if err := s.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, createMigrationsTable)
		return err
	}); err != nil {
		return fmt.Errorf("store: migrations table: %w", err)
	}
	applied, err := s.appliedMigrations(ctx)
	if err != nil {
		return err
	}
	if err := checkKnown(applied, all); err != nil {
		return err
	}
	for _, m := range all {
		if _, ok := applied[m.version]; ok {
			continue
		}
		err := s.write(ctx, func(tx *txn) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil // applied by another process meanwhile
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, fmtTime(s.now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %03d_%s: %w", m.version, m.name, err)
		}
	}
	return nil
}

// checkSchema is the read-only counterpart of migrate: it only verifies that
// the database is at exactly the schema this build knows.
func (s *Store) checkSchema(ctx context.Context, fsys fs.FS) error {
	all, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	applied, err := s.appliedMigrations(ctx)
	if err != nil {
		return err
	}
	if err := checkKnown(applied, all); err != nil {
		return err
	}
	for _, m := range all {
		if _, ok := applied[m.version]; !ok {
			return fmt.Errorf("%w: %03d_%s is not applied", ErrMigrationNeeded, m.version, m.name)
		}
	}
	return nil
}

func (s *Store) appliedMigrations(ctx context.Context) (map[int]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT version, name FROM schema_migrations`)
	if err != nil {
		if s.readOnly {
			return nil, fmt.Errorf("%w: %s is not a dayreport state database (%w)", ErrMigrationNeeded, s.path, err)
		}
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	defer func() { _ = rows.Close() }()
	applied := map[int]string{}
	for rows.Next() {
		var (
			v    int
			name string
		)
		if err := rows.Scan(&v, &name); err != nil {
			return nil, fmt.Errorf("store: read migrations: %w", err)
		}
		applied[v] = name
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	return applied, nil
}

func checkKnown(applied map[int]string, all []migration) error {
	known := make(map[int]string, len(all))
	for _, m := range all {
		known[m.version] = m.name
	}
	var unknown []int
	for v, name := range applied {
		if known[v] != name { // a version we lack, or another migration under our number
			unknown = append(unknown, v)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Ints(unknown)
	v := unknown[0]
	return fmt.Errorf("%w (migration %03d_%s is unknown to this build)", ErrNewerSchema, v, applied[v])
}
