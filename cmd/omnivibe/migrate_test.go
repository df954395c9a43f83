package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/omnivibepro/omnivibe/internal/postgres/pgtest"
)

// TestMigratePostgres runs `omnivibe migrate` with DATABASE_URL twice: the
// first applies the migrations, the second finds them applied.
func TestMigratePostgres(t *testing.T) {
	env := map[string]string{"DATABASE_URL": pgtest.URL(t), "OMNIVIBE_DATA_DIR": t.TempDir()}
	for i := range 2 {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"omnivibe", "migrate"}, func(k string) string { return env[k] }, &stdout, &stderr)
		if code != 0 || !strings.HasPrefix(stdout.String(), "postgresql database is at migration ") {
			t.Fatalf("run %d: exit %d, stdout %q, stderr %q", i+1, code, stdout.String(), stderr.String())
		}
	}
}
