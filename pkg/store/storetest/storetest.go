// Package storetest gives tests a PostgreSQL database of their own: a fresh
// schema in the server named by DAYREPORT_TEST_PG_DSN.
//
// Without that variable the PostgreSQL tests skip, except in CI (CI or
// DAYREPORT_REQUIRE_PG=1 set), where a missing or unreachable server fails
// them: a CI run never passes by silently skipping them.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// EnvDSN names the variable holding the test server's connection string.
const EnvDSN = "DAYREPORT_TEST_PG_DSN"

// Required reports whether the PostgreSQL tests must run (CI).
func Required() bool {
	return os.Getenv("DAYREPORT_REQUIRE_PG") == "1" || os.Getenv("CI") != ""
}

// DSN returns the test server's connection string, or skips the test (fails
// it when Required).
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		if Required() {
			t.Fatalf("%s is not set, and the PostgreSQL tests are required here (CI or DAYREPORT_REQUIRE_PG=1)", EnvDSN)
		}
		t.Skipf("%s is not set: PostgreSQL tests skipped", EnvDSN)
	}
	return dsn
}

// Schema creates a schema of a random name for the test, dropped at its end,
// and returns the connection string whose search_path is that schema. A
// server that does not answer fails the test.
func Schema(t testing.TB) string {
	t.Helper()
	dsn := DSN(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal("storetest: the PostgreSQL connection string does not parse")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "t_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+name); err != nil {
		_ = db.Close()
		t.Fatalf("storetest: PostgreSQL (%s) does not answer: %v", EnvDSN, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_, _ = db.ExecContext(ctx, `DROP SCHEMA `+name+` CASCADE`)
		_ = db.Close()
	})
	return WithSearchPath(dsn, name)
}

// WithSearchPath returns dsn (a URL or key=value pairs) with its search_path
// set to schema.
func WithSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}
