package app_test

import (
	"context"
	"testing"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
)

// TestReplicasShareTheFailedLoginLimit: two replicas on one Redis count
// failed logins in one bucket per email and client address. Guesses spread
// over the replicas get the configured number in all (in process, each
// replica would allow that many of its own), then both refuse every login to
// the email from that address, even with the right password; logins that
// succeed count on neither.
func TestReplicasShareTheFailedLoginLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := scaledOut(t)
	cfg.LoginFailuresPerEmailAddress = 4
	base1, a1 := replica(t, cfg)
	base2, _ := replica(t, cfg)
	if a1.RateLimits == nil {
		t.Fatal("REDIS_URL did not put the rate limits in Redis")
	}
	const email, password = "guessed@example.com", "Passw0rd-ok"
	replicas := []*client.Client{client.New(base1), client.New(base2)}
	if _, err := replicas[0].Register(ctx, omnivibe.Registration{Email: email, Password: password, Name: "Owner"}); err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		if _, err := replicas[i%2].Login(ctx, email, password); err != nil {
			t.Fatalf("login %d: %v", i+1, err)
		}
	}
	for i := range cfg.LoginFailuresPerEmailAddress {
		if _, err := replicas[i%2].Login(ctx, email, "Wrong-guess1"); !client.IsCode(err, omnivibe.CodeUnauthorized) {
			t.Fatalf("guess %d through replica %d: got %v, want unauthorized", i+1, i%2+1, err)
		}
	}
	for i, c := range replicas {
		for _, pw := range []string{"Wrong-guess1", password} {
			var e *client.Error
			_, err := c.Login(ctx, email, pw)
			if !client.IsCode(err, omnivibe.CodeRateLimited) || !asClientError(err, &e) || e.RetryAfter <= 0 {
				t.Fatalf("replica %d after %d shared failures: got %v, want rate_limited with Retry-After", i+1, cfg.LoginFailuresPerEmailAddress, err)
			}
		}
	}
}
