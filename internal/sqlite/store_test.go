package sqlite_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
	"github.com/omnivibepro/omnivibe/internal/storetest"
)

func open(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), sqlite.Options{CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) service.Store { return open(t) })
}

// Accounts have no delete in the Store, so storetest cannot delete one: here
// the newest is deleted with SQL, and its id is not handed out again.
func TestAccountIDsAreNeverReused(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	create := func() int64 {
		a := omnivibe.Account{Name: "A", Plan: omnivibe.PlanFree}
		if err := s.InTx(ctx, func(tx service.Tx) error { return tx.CreateAccount(ctx, &a) }); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	create()
	newest := create()
	if _, err := s.Writer().Exec(`DELETE FROM accounts WHERE id = ?`, newest); err != nil {
		t.Fatal(err)
	}
	if next := create(); next <= newest {
		t.Fatalf("account %d was deleted and the next account got id %d", newest, next)
	}
}

// TestListQueriesUseIndexes proves that no list or lookup query of a hot path
// scans a table: each has an index that matches its WHERE and ORDER BY.
func TestListQueriesUseIndexes(t *testing.T) {
	s := open(t)
	queries := map[string]string{
		"campaigns page":           `SELECT id FROM campaigns WHERE account_id = 1 ORDER BY id DESC LIMIT 20 OFFSET 0`,
		"campaigns count":          `SELECT count(*) FROM campaigns WHERE account_id = 1`,
		"campaigns by client":      `SELECT id FROM campaigns WHERE account_id = 1 AND client_id = 2 ORDER BY id DESC LIMIT 20`,
		"campaigns by status":      `SELECT id FROM campaigns WHERE account_id = 1 AND status = 'active' ORDER BY id DESC LIMIT 20`,
		"campaigns by name part":   `SELECT id FROM campaigns WHERE account_id = 1 AND instr(lower(name), 'x') > 0 ORDER BY id DESC LIMIT 20`,
		"campaign by id":           `SELECT id FROM campaigns WHERE id = 1 AND account_id = 1`,
		"clients page":             `SELECT id FROM clients WHERE account_id = 1 ORDER BY id DESC LIMIT 20`,
		"contents page":            `SELECT id FROM contents WHERE campaign_id = 1 AND account_id = 1 ORDER BY id DESC LIMIT 20`,
		"contents by status":       `SELECT id FROM contents WHERE campaign_id = 1 AND account_id = 1 AND status = 'draft' ORDER BY id DESC LIMIT 20`,
		"latest script":            `SELECT id FROM scripts WHERE content_id = 1 AND account_id = 1 ORDER BY id DESC LIMIT 1`,
		"script by cache key":      `SELECT id FROM scripts WHERE account_id = 1 AND cache_key = 'k' ORDER BY id DESC LIMIT 1`,
		"script blocks":            `SELECT ord FROM script_blocks WHERE script_id = 1 ORDER BY ord`,
		"users of account":         `SELECT id FROM users WHERE account_id = 1 ORDER BY id`,
		"user by email":            `SELECT id FROM users WHERE email = 'a@b.c'`,
		"api key by hash":          `SELECT id FROM api_keys WHERE hash = x'00'`,
		"api keys of user":         `SELECT id FROM api_keys WHERE user_id = 1 AND account_id = 1 AND revoked_at IS NULL ORDER BY id DESC`,
		"refresh token by hash":    `SELECT id FROM refresh_tokens WHERE hash = x'00'`,
		"usage of month":           `SELECT kind, used FROM monthly_usage WHERE account_id = 1 AND period = '2026-11'`,
		"audio task by task id":    `SELECT id FROM audio_tasks WHERE task_id = 'x'`,
		"audio tasks of account":   `SELECT id FROM audio_tasks WHERE account_id = 1 ORDER BY id DESC LIMIT 20`,
		"audio tasks by status":    `SELECT id FROM audio_tasks WHERE account_id = 1 AND status = 'queued' ORDER BY id DESC LIMIT 20`,
		"client delete fk check":   `SELECT 1 FROM campaigns WHERE client_id = 1`,
		"expired refresh tokens":   `SELECT id FROM refresh_tokens WHERE expires_at < 5`,
		"refresh tokens of family": `SELECT id FROM refresh_tokens WHERE family = 'f'`,
		"audio by idempotency key": `SELECT id FROM audio_tasks WHERE account_id = 1 AND idempotency_key = 'k'`,
		"audio files of campaign":  `SELECT audio_path FROM audio_tasks WHERE campaign_id = 1`,
		"unfinished audio tasks":   `SELECT id FROM audio_tasks WHERE status IN ('queued', 'running') AND created_at < 5 ORDER BY created_at LIMIT 10`,
		"queued audio of account":  `SELECT count(*) FROM audio_tasks WHERE account_id = 1 AND status = 'queued'`,
	}
	for name, q := range queries {
		rows, err := s.Writer().Query("EXPLAIN QUERY PLAN " + q)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		joined := strings.Join(plan, "; ")
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") || strings.Contains(step, "USE TEMP B-TREE") {
				t.Errorf("%s: plan %q scans or sorts", name, joined)
			}
		}
	}
}
