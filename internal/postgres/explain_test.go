package postgres

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/postgres/pgtest"
)

// recorder is a querier that runs nothing: it keeps each statement with its
// arguments, so a test can see exactly what the store's methods send.
// Reads find no row and writes touch none.
type recorder struct{ stmts []recorded }

type recorded struct {
	sql  string
	args []any
}

var errRecorded = errors.New("recorded, not run")

func (r *recorder) add(sql string, args []any) { r.stmts = append(r.stmts, recorded{sql, args}) }

func (r *recorder) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	r.add(sql, args)
	return pgconn.NewCommandTag("UPDATE 0"), nil
}

func (r *recorder) Query(_ context.Context, sql string, args ...any) (pgx.Rows, error) {
	r.add(sql, args)
	return nil, errRecorded
}

func (r *recorder) QueryRow(_ context.Context, sql string, args ...any) pgx.Row {
	r.add(sql, args)
	return noRow{}
}

func (r *recorder) SendBatch(_ context.Context, b *pgx.Batch) pgx.BatchResults {
	for _, q := range b.QueuedQueries {
		r.add(q.SQL, q.Arguments)
	}
	return noResults{}
}

type noRow struct{}

func (noRow) Scan(...any) error { return pgx.ErrNoRows }

type noResults struct{}

func (noResults) Exec() (pgconn.CommandTag, error) { return pgconn.NewCommandTag("UPDATE 0"), nil }
func (noResults) Query() (pgx.Rows, error)         { return nil, errRecorded }
func (noResults) QueryRow() pgx.Row                { return noRow{} }
func (noResults) Close() error                     { return nil }
func (noResults) Tx() pgx.Tx                       { return nil }

// bigSchema fills a schema with 2,000 accounts' worth of rows (40,000
// campaigns, contents and scripts, 120,000 script blocks, ...), one account
// with 3,000 campaigns among them, so that the planner weighs tables of a
// real size: on a few hundred rows it rightly prefers to read the whole table.
const bigSchema = `
INSERT INTO accounts (name, plan, created_at, updated_at)
  SELECT 'Agency ' || a, 'free', now(), now() FROM generate_series(1, 2000) a;
INSERT INTO users (account_id, email, name, role, password_hash, created_at, updated_at)
  SELECT a, 'u' || a || '-' || i || '@example.com', 'U', CASE WHEN i = 1 THEN 'owner' ELSE 'member' END, 'x', now(), now()
  FROM generate_series(1, 2000) a, generate_series(1, 2) i;
INSERT INTO api_keys (account_id, user_id, name, prefix, hash, created_at, revoked_at)
  SELECT u.account_id, u.id, 'k', 'ovp_', sha256(convert_to('k' || u.id || '-' || i, 'UTF8')), now(),
    CASE WHEN i = 1 THEN now() END
  FROM users u, generate_series(1, 2) i;
INSERT INTO refresh_tokens (user_id, family, hash, expires_at, created_at)
  SELECT u.id, 'f' || u.id || '-' || (i % 2), sha256(convert_to('r' || u.id || '-' || i, 'UTF8')), now() + i * interval '1 day', now()
  FROM users u, generate_series(1, 4) i;
INSERT INTO clients (account_id, name, created_at, updated_at)
  SELECT a, 'Client ' || i, now(), now() FROM generate_series(1, 2000) a, generate_series(1, 2) i;
INSERT INTO campaigns (account_id, client_id, name, status, created_at, updated_at)
  SELECT c.account_id, c.id, 'Campaign ' || c.id || '-' || i, CASE WHEN i % 4 = 0 THEN 'paused' ELSE 'active' END, now(), now()
  FROM clients c, generate_series(1, 10) i;
-- One account far bigger than the others: its lists must not read all its rows.
INSERT INTO campaigns (account_id, client_id, name, status, created_at, updated_at)
  SELECT 1, (SELECT min(id) FROM clients WHERE account_id = 1), 'Big ' || i, CASE WHEN i % 4 = 0 THEN 'paused' ELSE 'active' END, now(), now()
  FROM generate_series(1, 3000) i;
INSERT INTO contents (account_id, campaign_id, topic, platform, status, created_at, updated_at)
  SELECT account_id, id, 'topic', 'youtube', CASE WHEN id % 2 = 0 THEN 'draft' ELSE 'published' END, now(), now()
  FROM campaigns;
INSERT INTO scripts (account_id, content_id, provider, language, topic, platform, tone, target_duration, hook, body, cta,
    estimated_duration, cache_key, created_at)
  SELECT account_id, id, 'local', 'ko', 'topic', 'youtube', 'casual', 60, 'h', 'b', 'c', 58, 'key' || id, now() FROM contents;
INSERT INTO script_blocks (script_id, ord, type, text, duration, start_s, end_s)
  SELECT s.id, o, (ARRAY['hook', 'body', 'cta'])[o + 1], 'text', 1, o, o + 1 FROM scripts s, generate_series(0, 2) o;
INSERT INTO audio_tasks (task_id, account_id, campaign_id, content_id, text, language, accuracy_threshold, max_attempts, status, created_at)
  SELECT 'task-' || id, account_id, campaign_id, id, 'text', 'ko', 0.8, 3, 'queued', now() FROM contents;
INSERT INTO monthly_usage (account_id, period, kind, used)
  SELECT a, '2026-' || lpad(m::text, 2, '0'), k, 1 FROM generate_series(1, 2000) a, generate_series(1, 12) m, unnest(ARRAY['scripts', 'audio']) k;
`

// TestListQueriesUseIndexes runs every read of the store, and every write
// that finds its rows with a WHERE, through a recorder, then asks PostgreSQL
// for the plan of each recorded statement, with its real arguments, on a
// schema of realistic size. No plan may scan a table or sort, under the
// custom plans PostgreSQL makes first nor under the generic plans it
// switches prepared statements to; the hot lists must name their index.
// A sort is allowed only on the few rows an index lookup found (the planner
// rightly sorts 20 rows rather than walk an index in order), never on more
// than maxSortRows.
func TestListQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	if _, err := Migrate(ctx, url); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, bigSchema); err != nil {
		t.Fatal(err)
	}
	// What autovacuum does on a live database: statistics, and the
	// visibility map that lets a count read only the index.
	if _, err := conn.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		t.Fatal(err)
	}
	// Real ids from the middle of the data.
	var account, client, campaign, content, user, key int64
	if err := conn.QueryRow(ctx, `SELECT c.account_id, c.client_id, c.id, n.id
		FROM campaigns c JOIN contents n ON n.campaign_id = c.id WHERE c.account_id = 1000 LIMIT 1`).
		Scan(&account, &client, &campaign, &content); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `SELECT u.id, k.id FROM users u JOIN api_keys k ON k.user_id = u.id WHERE u.account_id = $1 LIMIT 1`, account).
		Scan(&user, &key); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	hash := make([]byte, 32)
	limit := 15
	filter := func(f omnivibe.CampaignFilter) omnivibe.CampaignFilter { f.Page, f.PageSize = 2, 20; return f }

	cases := []struct {
		name string
		call func(q queries) error
		// want are indexes the plans must use; "a|b" is either.
		want []string
	}{
		{"campaigns page", func(q queries) error {
			_, _, err := q.ListCampaigns(ctx, account, filter(omnivibe.CampaignFilter{}))
			return err
		}, []string{"campaigns_account|campaigns_status|campaigns_client"}},
		{"campaigns page of the biggest account", func(q queries) error {
			_, _, err := q.ListCampaigns(ctx, 1, filter(omnivibe.CampaignFilter{}))
			return err
		}, []string{"campaigns_account"}},
		{"paused campaigns of the biggest account", func(q queries) error {
			_, _, err := q.ListCampaigns(ctx, 1, filter(omnivibe.CampaignFilter{Status: "paused"}))
			return err
		}, []string{"campaigns_status"}},
		{"campaigns by client", func(q queries) error {
			_, _, err := q.ListCampaigns(ctx, account, filter(omnivibe.CampaignFilter{ClientID: client}))
			return err
		}, []string{"campaigns_client"}},
		{"campaigns by status", func(q queries) error {
			_, _, err := q.ListCampaigns(ctx, account, filter(omnivibe.CampaignFilter{Status: "paused"}))
			return err
		}, nil},
		{"campaigns by name part", func(q queries) error {
			_, _, err := q.ListCampaigns(ctx, account, filter(omnivibe.CampaignFilter{Query: "100%_x"}))
			return err
		}, []string{"campaigns_account|campaigns_status|campaigns_client"}},
		{"campaigns by everything", func(q queries) error {
			_, _, err := q.ListCampaigns(ctx, account, filter(omnivibe.CampaignFilter{ClientID: client, Status: "active", Query: "x"}))
			return err
		}, nil},
		{"campaign by id", func(q queries) error { _, err := q.CampaignByID(ctx, account, campaign); return err }, []string{"campaigns_pkey|campaigns_account|campaigns_user|campaigns_campaign"}},
		{"clients page", func(q queries) error { _, _, err := q.ListClients(ctx, account, 1, 20); return err }, []string{"clients_account"}},
		{"client by id", func(q queries) error { _, err := q.ClientByID(ctx, account, client); return err }, []string{"clients_pkey|clients_account|clients_user|clients_campaign"}},
		{"contents page", func(q queries) error {
			_, _, err := q.ListContents(ctx, account, campaign, "", 1, 20)
			return err
		}, []string{"contents_campaign"}},
		{"contents by status", func(q queries) error {
			_, _, err := q.ListContents(ctx, account, campaign, "draft", 1, 20)
			return err
		}, nil},
		{"content by id", func(q queries) error { _, err := q.ContentByID(ctx, account, content); return err }, []string{"contents_pkey|contents_account|contents_user|contents_campaign"}},
		{"latest script", func(q queries) error { _, err := q.LatestScript(ctx, account, content); return err }, []string{"scripts_content", "script_blocks_pkey"}},
		{"script by cache key", func(q queries) error { _, err := q.ScriptByCacheKey(ctx, account, "key7"); return err }, []string{"scripts_cache"}},
		{"account by id", func(q queries) error { _, err := q.AccountByID(ctx, account); return err }, []string{"accounts_pkey"}},
		{"user by id", func(q queries) error { _, err := q.UserByID(ctx, user); return err }, []string{"users_pkey|users_account|users_user|users_campaign"}},
		{"user by email", func(q queries) error { _, err := q.UserByEmail(ctx, "u1000-1@example.com"); return err }, []string{"users_email_key"}},
		{"users of account", func(q queries) error { _, err := q.ListUsers(ctx, account); return err }, []string{"users_account"}},
		{"owners of account", func(q queries) error { _, err := q.CountOwners(ctx, account); return err }, []string{"users_account"}},
		{"api key by hash", func(q queries) error { _, err := q.APIKeyByHash(ctx, hash); return err }, []string{"api_keys_hash_key"}},
		{"api keys of user", func(q queries) error { _, err := q.ListAPIKeys(ctx, account, user); return err }, []string{"api_keys_user"}},
		{"refresh token by hash", func(q queries) error { _, err := q.RefreshTokenByHash(ctx, hash); return err }, []string{"refresh_tokens_hash_key"}},
		{"usage of month", func(q queries) error { _, err := q.Usage(ctx, account, "2026-11"); return err }, []string{"monthly_usage_pkey"}},
		{"add usage", func(q queries) error {
			_, _, err := q.AddUsage(ctx, account, "2026-11", omnivibe.QuotaScripts, 1, &limit)
			return err
		}, []string{"monthly_usage_pkey"}},
		{"lock account", func(q queries) error { return (&Tx{queries: q}).LockAccount(ctx, account) }, []string{"accounts_pkey"}},
		{"update campaign", func(q queries) error {
			c := omnivibe.NewCampaign()
			c.ID, c.AccountID, c.ClientID, c.Name, c.UpdatedAt = campaign, account, client, "n", at
			return q.UpdateCampaign(ctx, c)
		}, []string{"campaigns_pkey|campaigns_account|campaigns_user|campaigns_campaign"}},
		{"delete campaign", func(q queries) error { return q.DeleteCampaign(ctx, account, campaign) }, []string{"campaigns_pkey|campaigns_account|campaigns_user|campaigns_campaign"}},
		{"update client", func(q queries) error {
			return q.UpdateClient(ctx, omnivibe.Client{ID: client, AccountID: account, Name: "n", UpdatedAt: at})
		}, []string{"clients_pkey|clients_account|clients_user|clients_campaign"}},
		{"delete client", func(q queries) error { return q.DeleteClient(ctx, account, client) }, []string{"clients_pkey|clients_account|clients_user|clients_campaign"}},
		{"update content", func(q queries) error {
			return q.UpdateContent(ctx, omnivibe.Content{ID: content, AccountID: account, Topic: "t", Platform: "youtube", Status: "draft", UpdatedAt: at})
		}, []string{"contents_pkey|contents_account|contents_user|contents_campaign"}},
		{"delete content", func(q queries) error { return q.DeleteContent(ctx, account, content) }, []string{"contents_pkey|contents_account|contents_user|contents_campaign"}},
		{"update account", func(q queries) error {
			return q.UpdateAccount(ctx, omnivibe.Account{ID: account, Name: "n", Plan: "free", UpdatedAt: at})
		}, []string{"accounts_pkey"}},
		{"update user", func(q queries) error {
			return q.UpdateUser(ctx, omnivibe.User{ID: user, AccountID: account, Name: "n", Role: omnivibe.RoleMember, UpdatedAt: at})
		}, []string{"users_pkey|users_account|users_user|users_campaign"}},
		{"delete user", func(q queries) error { return q.DeleteUser(ctx, account, user) }, []string{"users_pkey|users_account|users_user|users_campaign"}},
		{"revoke api key", func(q queries) error { return q.RevokeAPIKey(ctx, account, user, key, at) }, []string{"api_keys_pkey|api_keys_account|api_keys_user|api_keys_campaign"}},
		{"touch api key", func(q queries) error { return q.TouchAPIKey(ctx, key, at) }, []string{"api_keys_pkey|api_keys_account|api_keys_user|api_keys_campaign"}},
		{"mark refresh token used", func(q queries) error { _, err := q.MarkRefreshTokenUsed(ctx, 5, at); return err }, []string{"refresh_tokens_pkey"}},
		{"revoke refresh family", func(q queries) error { return q.RevokeRefreshFamily(ctx, "f7-1", at) }, []string{"refresh_tokens_family"}},
		{"delete expired refresh tokens", func(q queries) error {
			_, err := q.DeleteExpiredRefreshTokens(ctx, time.Now().Add(-time.Hour))
			return err
		}, []string{"refresh_tokens_expiry"}},
	}
	for _, tc := range cases {
		for _, lock := range []string{"", lockForUpdate} {
			rec := &recorder{}
			_ = tc.call(queries{db: rec, lock: lock})
			if len(rec.stmts) == 0 {
				t.Fatalf("%s: no statement recorded", tc.name)
			}
			used := map[string]bool{}
			for _, st := range rec.stmts {
				for mode, plan := range plans(t, conn, st) {
					idx, bad := walkPlan(plan)
					for _, b := range bad {
						// A generic plan knows no bound for "expires_at < $1" and
						// guesses a third of the table, so it scans; PostgreSQL
						// keeps the custom plan for it because the generic one
						// costs more, and the custom plan must use the index.
						if mode == "generic" && tc.name == "delete expired refresh tokens" {
							continue
						}
						t.Errorf("%s (%s plan) %s: %s\n%s", tc.name, mode, b, oneLine(st.sql), plan)
					}
					if mode == "custom" {
						for _, i := range idx {
							used[i] = true
						}
					}
				}
			}
			for _, w := range tc.want {
				if !slices.ContainsFunc(strings.Split(w, "|"), func(i string) bool { return used[i] }) {
					t.Errorf("%s: plans use %v, not %s", tc.name, keys(used), w)
				}
			}
		}
	}
}

// plans returns the custom plan (EXPLAIN with the arguments bound) and the
// generic plan (a prepared statement under plan_cache_mode=force_generic_plan)
// of a statement, as JSON.
func plans(t *testing.T, conn *pgx.Conn, st recorded) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	var plan string
	if err := conn.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+st.sql, st.args...).Scan(&plan); err != nil {
		t.Fatalf("explain %s: %v", oneLine(st.sql), err)
	}
	out["custom"] = plan
	_, err := conn.Exec(ctx, "SET plan_cache_mode = force_generic_plan; PREPARE probe AS "+st.sql)
	var types []string
	if err == nil {
		err = conn.QueryRow(ctx, `SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = 'probe'`).Scan(&types)
	}
	if err == nil {
		lits := make([]string, len(st.args))
		for i, a := range st.args {
			lits[i] = literal(a, types[i])
		}
		execute := "EXPLAIN (FORMAT JSON) EXECUTE probe"
		if len(lits) > 0 {
			execute += "(" + strings.Join(lits, ", ") + ")"
		}
		err = conn.QueryRow(ctx, execute, pgx.QueryExecModeSimpleProtocol).Scan(&plan)
	}
	if _, derr := conn.Exec(ctx, "DEALLOCATE probe; RESET plan_cache_mode"); err == nil {
		err = derr
	}
	if err != nil {
		t.Fatalf("generic plan of %s: %v", oneLine(st.sql), err)
	}
	out["generic"] = plan
	return out
}

// literal writes an argument as an SQL literal of the parameter's type, for
// EXECUTE.
func literal(v any, typ string) string {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "NULL"
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return "NULL"
	}
	switch x := rv.Interface().(type) {
	case []byte:
		if typ == "bytea" {
			return `'\x` + hex.EncodeToString(x) + `'`
		}
		return "'" + strings.ReplaceAll(string(x), "'", "''") + "'" // JSON text
	case time.Time:
		return "'" + x.Format(time.RFC3339Nano) + "'"
	}
	return "'" + strings.ReplaceAll(fmt.Sprint(rv.Interface()), "'", "''") + "'"
}

// maxSortRows is the most rows a plan may sort: what one account's filtered
// index lookup finds here, not what a table holds.
const maxSortRows = 100

// walkPlan returns the indexes a JSON plan uses and what is wrong with it: a
// sequential scan, or a sort of more than maxSortRows (an index that does not
// match the ORDER BY).
func walkPlan(plan string) (indexes, bad []string) {
	var root []struct{ Plan map[string]any }
	if err := json.Unmarshal([]byte(plan), &root); err != nil || len(root) == 0 {
		return nil, []string{"unreadable plan"}
	}
	var walk func(n map[string]any)
	walk = func(n map[string]any) {
		switch n["Node Type"] {
		case "Seq Scan":
			bad = append(bad, fmt.Sprintf("scans %v", n["Relation Name"]))
		case "Sort", "Incremental Sort":
			if rows, _ := n["Plan Rows"].(float64); rows > maxSortRows {
				bad = append(bad, fmt.Sprintf("sorts %.0f rows", rows))
			}
		}
		if i, ok := n["Index Name"].(string); ok {
			indexes = append(indexes, i)
		}
		children, _ := n["Plans"].([]any)
		for _, c := range children {
			if m, ok := c.(map[string]any); ok {
				walk(m)
			}
		}
	}
	walk(root[0].Plan)
	return indexes, bad
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
