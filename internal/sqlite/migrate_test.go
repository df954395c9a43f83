package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
	sqlitedrv "modernc.org/sqlite"
)

// rebuiltTables are the tables migration 0006 rebuilds with AUTOINCREMENT.
var rebuiltTables = []string{"accounts", "users", "api_keys", "refresh_tokens", "clients", "campaigns", "contents",
	"scripts", "audio_tasks", "webhooks", "webhook_deliveries"}

// openThrough makes a database at path with the migrations up to version
// last, on a plain connection (not a Store, whose queries need the latest
// schema).
func openThrough(t *testing.T, path string, last int, foreignKeys bool) *sql.DB {
	t.Helper()
	fk := "1"
	if !foreignKeys {
		fk = "0"
	}
	db := sql.OpenDB(cachingConnector{dsn: "file:" + path + "?_pragma=foreign_keys(" + fk + ")", driver: &sqlitedrv.Driver{}})
	db.SetMaxOpenConns(1)
	if err := migrateThrough(context.Background(), db, last); err != nil {
		t.Fatal(err)
	}
	return db
}

func mustExec(t *testing.T, db interface {
	Exec(string, ...any) (sql.Result, error)
}, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// dump is every row of a query, each as one string.
func dump(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%v", vals))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// schemaOf is what a table is made of: columns, foreign keys and indexes.
func schemaOf(t *testing.T, db *sql.DB, table string) map[string][]string {
	return map[string][]string{
		"columns":      dump(t, db, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info('`+table+`') ORDER BY cid`),
		"foreign keys": dump(t, db, `SELECT "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list('`+table+`') ORDER BY id, seq`),
		"indexes":      dump(t, db, `SELECT name, "unique", origin, partial FROM pragma_index_list('`+table+`') ORDER BY name`),
		"index sql":    dump(t, db, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = '`+table+`' ORDER BY name`),
	}
}

// fillVersion5 writes one or more rows in every rebuilt table of a version-5
// database, and deletes some, as a database in use would have.
func fillVersion5(t *testing.T, db *sql.DB) {
	t.Helper()
	for _, q := range []string{
		`INSERT INTO accounts (id, name, plan, created_at, updated_at) VALUES (1, 'A', 'free', 1, 2), (2, 'B', 'pro', 3, 4), (3, 'C', 'free', 5, 6)`,
		`INSERT INTO users (id, account_id, email, name, role, password_hash, created_at, updated_at) VALUES
			(1, 1, 'a@example.com', 'A', 'owner', 'h1', 1, 1), (2, 1, 'b@example.com', 'B', 'viewer', 'h2', 1, 1),
			(3, 2, 'c@example.com', 'C', 'owner', 'h3', 1, 1), (4, 3, 'd@example.com', 'D', 'owner', 'h4', 1, 1)`,
		`INSERT INTO api_keys (id, account_id, user_id, name, prefix, hash, created_at, expires_at) VALUES (1, 1, 1, 'ci', 'ovp_abc', x'01', 1, 9)`,
		`INSERT INTO refresh_tokens (id, user_id, family, hash, expires_at, created_at) VALUES (1, 1, 'f', x'02', 9, 1), (2, 3, 'g', x'03', 9, 1)`,
		`INSERT INTO clients (id, account_id, name, created_at, updated_at) VALUES (1, 1, 'Acme', 1, 1), (2, 2, 'Beta', 1, 1)`,
		`INSERT INTO campaigns (id, account_id, client_id, name, bgm_volume, created_at, updated_at) VALUES (1, 1, 1, 'Launch', 0.5, 1, 1)`,
		`INSERT INTO contents (id, account_id, campaign_id, topic, platform, keywords, created_at, updated_at) VALUES (1, 1, 1, 'AI', 'youtube', '["a"]', 1, 1)`,
		`INSERT INTO scripts (id, account_id, content_id, provider, language, topic, platform, tone, target_duration, hook, body, cta, estimated_duration, cache_key, created_at)
			VALUES (1, 1, 1, 'local', 'ko', 'AI', 'youtube', 'casual', 60, 'h', 'b', 'c', 58.5, 'k', 1)`,
		`INSERT INTO script_blocks (script_id, ord, type, text, duration, start_s, end_s) VALUES (1, 0, 'hook', 'h', 3, 0, 3)`,
		`INSERT INTO audio_tasks (id, task_id, account_id, campaign_id, content_id, idempotency_key, text, language, accuracy_threshold, max_attempts, status, created_at, synthetic, words, providers_skipped)
			VALUES (1, 'aud_1', 1, 1, 1, 'idem', '안녕', 'ko', 0.9, 3, 'succeeded', 1, 1, '[{"word":"안녕"}]', '[]')`,
		`INSERT INTO monthly_usage (account_id, period, kind, used) VALUES (1, '2026-11', 'audio', 1)`,
		`INSERT INTO webhooks (id, account_id, url, events, enabled, secret_sealed, created_at, updated_at) VALUES (1, 1, 'https://h.example/in', 'audio.failed', 1, x'00', 1, 1)`,
		`INSERT INTO webhook_deliveries (id, webhook_id, account_id, message_id, event_type, payload, status, job_id, created_at, updated_at)
			VALUES (1, 1, 1, 'msg_1', 'audio.failed', '{}', 'retrying', 7, 1, 1), (2, 1, 1, 'msg_2', 'audio.failed', '{}', 'pending', 8, 1, 1)`,
		// Deleted in use: a member from the middle of users.
		`DELETE FROM users WHERE id = 2`,
	} {
		mustExec(t, db, q)
	}
}

// selectAll reads a table's rows by the columns it had in version 5.
func selectAll(t *testing.T, db *sql.DB, table string) []string {
	cols := dump(t, db, `SELECT name FROM pragma_table_info('`+table+`') WHERE name <> 'token_key' ORDER BY cid`)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = strings.Trim(c, "[]")
	}
	return dump(t, db, `SELECT `+strings.Join(names, ", ")+` FROM `+table+` ORDER BY 1`)
}

// Migration 0006 rebuilds the tables with AUTOINCREMENT: every row is kept
// as it was, the schema is the same but for users.token_key, foreign keys
// still hold and cascade, and a deleted newest id is not handed out again.
func TestMigration6KeepsEveryRowAndStopsReusingIDs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v5.db")
	old := openThrough(t, path, 5, true)
	fillVersion5(t, old)
	before := map[string][]string{}
	schemaBefore := map[string]map[string][]string{}
	for _, table := range append(rebuiltTables, "script_blocks", "monthly_usage") {
		before[table] = selectAll(t, old, table)
		schemaBefore[table] = schemaOf(t, old, table)
	}
	old.Close()

	s, err := Open(ctx, path, Options{CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	versions, err := s.appliedVersions(ctx)
	if err != nil || versions[len(versions)-1] < 6 {
		t.Fatalf("versions %v, %v", versions, err)
	}
	db := s.writer
	for table, rows := range before {
		if after := selectAll(t, db, table); !reflect.DeepEqual(after, rows) {
			t.Errorf("%s: rows changed\nbefore %v\nafter  %v", table, rows, after)
		}
		after := schemaOf(t, db, table)
		if table == "users" {
			cols := after["columns"]
			if len(cols) == 0 || !strings.HasPrefix(cols[len(cols)-1], "[token_key TEXT 1 lower(hex(randomblob(16))) 0]") {
				t.Errorf("users: last column %v, want token_key", cols)
			} else {
				after["columns"] = cols[:len(cols)-1]
			}
		}
		if !reflect.DeepEqual(after, schemaBefore[table]) {
			t.Errorf("%s: schema changed\nbefore %v\nafter  %v", table, schemaBefore[table], after)
		}
	}
	for _, table := range rebuiltTables {
		var sqlText string
		if err := db.QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&sqlText); err != nil ||
			!strings.Contains(sqlText, "INTEGER PRIMARY KEY AUTOINCREMENT") {
			t.Errorf("%s: %v, %s; want AUTOINCREMENT", table, err, sqlText)
		}
		var seq, maxID sql.NullInt64
		db.QueryRow(`SELECT seq FROM sqlite_sequence WHERE name = ?`, table).Scan(&seq)
		db.QueryRow(`SELECT max(id) FROM ` + table).Scan(&maxID)
		if seq.Int64 != maxID.Int64 {
			t.Errorf("%s: sqlite_sequence at %v, largest id %v", table, seq, maxID)
		}
	}
	if leftover := dump(t, db, `SELECT name FROM sqlite_master WHERE name LIKE 'new_%'`); len(leftover) > 0 {
		t.Errorf("left behind: %v", leftover)
	}
	// Every existing user got a key of its own.
	if keys := dump(t, db, `SELECT count(DISTINCT token_key), count(*), min(length(token_key)) FROM users`); keys[0] != "[3 3 32]" {
		t.Errorf("token keys (distinct, users, shortest): %v", keys)
	}
	// Foreign keys are back on for the writer, and cascade: deleting the
	// newest account takes its user with it.
	var on int
	if err := db.QueryRow(`PRAGMA foreign_keys`).Scan(&on); err != nil || on != 1 {
		t.Fatalf("foreign_keys = %d, %v after the migration", on, err)
	}
	mustExec(t, db, `DELETE FROM accounts WHERE id = 3`)
	if n := dump(t, db, `SELECT count(*) FROM users WHERE account_id = 3`); n[0] != "[0]" {
		t.Fatalf("the deleted account's users remain: %v", n)
	}
	mustExec(t, db, `DELETE FROM users WHERE id = 3`)
	a := omnivibe.Account{Name: "D", Plan: omnivibe.PlanFree}
	u := omnivibe.User{Email: "e@example.com", Name: "E", Role: omnivibe.RoleAdmin, PasswordHash: "h"}
	err = s.InTx(ctx, func(tx service.Tx) error {
		if err := tx.CreateAccount(ctx, &a); err != nil {
			return err
		}
		u.AccountID = a.ID
		return tx.CreateUser(ctx, &u)
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != 4 || u.ID != 5 || len(u.TokenKey) != 32 {
		t.Fatalf("after deleting account 3 and user 4 (the newest) the next got ids %d and %d (key %q); want 4 and 5", a.ID, u.ID, u.TokenKey)
	}
}

// A database whose foreign keys are already broken is not migrated: the
// rebuild would carry the broken rows over unseen. Nothing is changed, and
// the error says why.
func TestMigration6RefusesBrokenForeignKeysAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v5.db")
	old := openThrough(t, path, 5, false)
	fillVersion5(t, old)
	mustExec(t, old, `INSERT INTO clients (id, account_id, name, created_at, updated_at) VALUES (9, 99, 'Orphan', 1, 1)`)
	schema := dump(t, old, `SELECT type, name, sql FROM sqlite_master ORDER BY name`)
	old.Close()

	_, err := Open(ctx, path, Options{CheckpointEvery: -1})
	if err == nil || !strings.Contains(err.Error(), "foreign keys broken") || !strings.Contains(err.Error(), "clients row 9") {
		t.Fatalf("open: %v; want the broken foreign key named", err)
	}
	again := openThrough(t, path, 5, true)
	defer again.Close()
	if after := dump(t, again, `SELECT type, name, sql FROM sqlite_master ORDER BY name`); !reflect.DeepEqual(after, schema) {
		t.Fatalf("the schema changed though the migration failed:\n%v\n%v", schema, after)
	}
	if v := dump(t, again, `SELECT max(version) FROM schema_migrations`); v[0] != "[5]" {
		t.Fatalf("versions applied: %v", v)
	}
}
