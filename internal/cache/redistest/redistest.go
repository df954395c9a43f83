// Package redistest points tests at the Redis named by
// OMNIVIBE_TEST_REDIS_URL, with a key prefix of their own that is deleted
// when the test ends, so tests run in parallel and leave nothing behind.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// EnvURL names the variable that points the tests at Redis, like
// redis://127.0.0.1:6379/15.
const EnvURL = "OMNIVIBE_TEST_REDIS_URL"

// EnvRequire, set to 1, makes a missing EnvURL a failure instead of a skip.
const EnvRequire = "OMNIVIBE_REQUIRE_REDIS"

// URL returns the test Redis's URL, or skips the test (fails it when
// OMNIVIBE_REQUIRE_REDIS=1) when OMNIVIBE_TEST_REDIS_URL is unset.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s is not set but %s=1: Redis tests must run (scripts/test-deps.sh sets it)", EnvURL, EnvRequire)
		}
		t.Skipf("Redis tests skipped: set %s (scripts/test-deps.sh does) to run them", EnvURL)
	}
	return u
}

// Prefix returns a key prefix of the test's own; every key under it is
// deleted when the test ends. Close what uses it in a cleanup registered
// after Prefix returns.
func Prefix(t testing.TB, url string) string {
	t.Helper()
	raw := make([]byte, 8)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	prefix := "test:" + hex.EncodeToString(raw) + ":"
	t.Cleanup(func() {
		if err := DeletePrefix(url, prefix); err != nil {
			t.Errorf("delete test keys %s*: %v", prefix, err)
		}
	})
	return prefix
}

// DeletePrefix deletes every key that starts with prefix, as a Redis
// restart would (it keeps nothing on disk here).
func DeletePrefix(url, prefix string) error {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	c := redis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	return c.Del(ctx, keys...).Err()
}
