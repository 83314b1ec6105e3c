package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
)

// dialect is the SQL flavour of the database behind a Store. Queries are
// written once, for SQLite, with ? placeholders; the few constructs the two
// databases spell differently are methods here.
type dialect int

const (
	sqliteDialect dialect = iota
	postgresDialect
)

func (d dialect) String() string {
	if d == postgresDialect {
		return "postgres"
	}
	return "sqlite"
}

// rebound caches ? → $n rewrites (queries are mostly constants).
var rebound sync.Map

// bind rewrites the ? placeholders of query to PostgreSQL's $1, $2, …
// leaving ? inside quoted literals and identifiers alone. SQLite takes the
// query as written.
func (d dialect) bind(query string) string {
	if d != postgresDialect || !strings.Contains(query, "?") {
		return query
	}
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	var (
		b     strings.Builder
		n     int
		quote byte
	)
	b.Grow(len(query) + 16)
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	q := b.String()
	rebound.Store(query, q)
	return q
}

// noIndex is how a query keeps the planner off the index of a column:
// SQLite's unary + on the column; PostgreSQL's planner needs no such hint.
func (d dialect) noIndex(column string) string {
	if d == postgresDialect {
		return column
	}
	return "+" + column
}

// jsonNumber is the SQL of the number at key (a bound parameter) of a JSON
// text column.
func (d dialect) jsonNumber(column string) (expr string, arg func(key string) any) {
	if d == postgresDialect {
		return "(" + column + "::jsonb ->> ?)::double precision", func(k string) any { return k }
	}
	return "json_extract(" + column + ", ?)", func(k string) any { return `$."` + k + `"` }
}

// skipLocked is appended to the SELECT of an outbox claim. PostgreSQL locks
// the rows it claims and skips rows another transaction is claiming; SQLite
// has one writer at a time, so the plain SELECT is already exclusive.
func (d dialect) skipLocked() string {
	if d == postgresDialect {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// pool is the connection pool; its query methods bind placeholders for the
// dialect.
type pool struct {
	*sql.DB
	d dialect
}

func (x pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return x.DB.ExecContext(ctx, x.d.bind(query), args...)
}

func (x pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return x.DB.QueryContext(ctx, x.d.bind(query), args...)
}

func (x pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return x.DB.QueryRowContext(ctx, x.d.bind(query), args...)
}

// txn is a transaction whose query methods bind placeholders for the dialect.
type txn struct {
	*sql.Tx
	d dialect
}

func (x txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return x.Tx.ExecContext(ctx, x.d.bind(query), args...)
}

func (x txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return x.Tx.QueryContext(ctx, x.d.bind(query), args...)
}

func (x txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return x.Tx.QueryRowContext(ctx, x.d.bind(query), args...)
}
