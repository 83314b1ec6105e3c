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
// dialect and reuse prepared statements (stmts).
type pool struct {
	*sql.DB
	d     dialect
	stmts *stmtCache // nil: every query is prepared anew
}

func (x pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := x.stmts.get(ctx, x.DB, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return x.DB.ExecContext(ctx, x.d.bind(query), args...)
}

func (x pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := x.stmts.get(ctx, x.DB, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return x.DB.QueryContext(ctx, x.d.bind(query), args...)
}

func (x pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := x.stmts.get(ctx, x.DB, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return x.DB.QueryRowContext(ctx, x.d.bind(query), args...)
}

// Close closes the cached statements, then the pool.
func (x pool) Close() error {
	x.stmts.close()
	return x.DB.Close()
}

// txn is a transaction whose query methods bind placeholders for the dialect
// and reuse the pool's prepared statements.
type txn struct {
	*sql.Tx
	d     dialect
	db    *sql.DB
	stmts *stmtCache
}

func (x txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := x.stmts.lookup(query); st != nil {
		return x.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return x.Tx.ExecContext(ctx, x.d.bind(query), args...)
}

func (x txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := x.stmts.lookup(query); st != nil {
		return x.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return x.Tx.QueryContext(ctx, x.d.bind(query), args...)
}

func (x txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := x.stmts.lookup(query); st != nil {
		return x.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return x.Tx.QueryRowContext(ctx, x.d.bind(query), args...)
}

// stmtCacheSize bounds the statements kept: the package's queries are a few
// dozen constants; a query built with a variable number of parameters past
// the bound is prepared each time, as without a cache.
const stmtCacheSize = 128

// stmtCache keeps a prepared statement per query text. SQLite compiles a
// query on every prepare (a fifth of a pass's CPU for a large team without
// it); pgx caches prepared statements per connection itself, so PostgreSQL
// stores use none.
//
// Preparing takes a connection of the pool, so it is never done inside a
// transaction (whose connection may be the only one: a :memory: store, or a
// busy pool): a query first met in a transaction runs unprepared and is
// noted, and is prepared when the next transaction begins (ready) or the
// pool runs it, no connection held. The lock is never held while preparing.
type stmtCache struct {
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	wanted map[string]bool
	closed bool
}

func newStmtCache() *stmtCache {
	return &stmtCache{stmts: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// lookup returns the prepared statement of query, or nil (noting the query
// to be prepared later).
func (c *stmtCache) lookup(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.stmts[query]
	if st == nil && !c.closed && len(c.stmts)+len(c.wanted) < stmtCacheSize {
		c.wanted[query] = true
	}
	return st
}

// get returns the prepared statement of query, preparing it on first use;
// nil when there is no cache, it is full, or the query does not prepare
// (the caller then runs it the plain way, which reports the error). The
// caller holds no connection of db.
func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) *sql.Stmt {
	if st := c.lookup(query); st != nil || c == nil {
		return st
	}
	c.ready(ctx, db)
	return c.lookup(query)
}

// ready prepares the queries noted since the last call. The caller holds no
// connection of db.
func (c *stmtCache) ready(ctx context.Context, db *sql.DB) {
	if c == nil {
		return
	}
	c.mu.Lock()
	var queries []string
	for q := range c.wanted {
		queries = append(queries, q)
	}
	clear(c.wanted)
	c.mu.Unlock()
	for _, q := range queries {
		st, err := db.PrepareContext(context.WithoutCancel(ctx), q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, dup := c.stmts[q]; dup || c.closed {
			c.mu.Unlock()
			_ = st.Close()
			continue
		}
		c.stmts[q] = st
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for q, st := range c.stmts {
		_ = st.Close()
		delete(c.stmts, q)
	}
	clear(c.wanted)
}
