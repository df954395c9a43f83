// Package pgtest gives each test its own empty PostgreSQL schema in the
// database named by OMNIVIBE_TEST_POSTGRES_URL, so tests run in parallel and
// leave nothing behind.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable that points the tests at a PostgreSQL database,
// like postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const EnvURL = "OMNIVIBE_TEST_POSTGRES_URL"

// EnvRequire, set to 1, makes a missing EnvURL a failure instead of a skip:
// CI sets it so that the PostgreSQL tests cannot silently not run.
const EnvRequire = "OMNIVIBE_REQUIRE_POSTGRES"

// URL returns a connection URL whose search_path is a new, empty schema,
// dropped with everything in it when the test ends. Close what uses the URL
// in a cleanup registered after URL returns (cleanups run last first).
func URL(t testing.TB) string {
	t.Helper()
	base := BaseURL(t)
	raw := make([]byte, 8)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	schema := "test_" + hex.EncodeToString(raw)
	exec(t, base, `CREATE SCHEMA `+schema)
	t.Cleanup(func() { exec(t, base, `DROP SCHEMA `+schema+` CASCADE`) })
	return WithSearchPath(t, base, schema)
}

// BaseURL returns the test database's URL. It skips the test when
// OMNIVIBE_TEST_POSTGRES_URL is unset, or fails it when
// OMNIVIBE_REQUIRE_POSTGRES=1: call it first in a test whose subtests each
// call URL, to skip once.
func BaseURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s is not set but %s=1: PostgreSQL tests must run (scripts/test-deps.sh sets it)", EnvURL, EnvRequire)
		}
		t.Skipf("PostgreSQL tests skipped: set %s (scripts/test-deps.sh does) to run them", EnvURL)
	}
	return base
}

// WithSearchPath returns base with search_path set to schema, in either of
// the forms pgx accepts (a URL or key=value pairs).
func WithSearchPath(t testing.TB, base, schema string) string {
	t.Helper()
	if !strings.Contains(base, "://") {
		return base + " search_path=" + schema
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func exec(t testing.TB, dsn, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to the test database: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
