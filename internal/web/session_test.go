package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
)

// TestStudioSessionThroughClient signs in as the console does, over a real
// connection with a cookie jar: the cookie alone reads, an unsafe request
// needs the CSRF header too, refresh renews, sign-out ends it.
func TestStudioSessionThroughClient(t *testing.T) {
	base := studio(t, "synthetic", "none")
	ctx := context.Background()
	jar, _ := cookiejar.New(nil)
	c := client.New(base, client.WithHTTPClient(&http.Client{Jar: jar}))
	s, err := c.StudioSignUp(ctx, omnivibe.Registration{Email: "jar@example.com", Password: "Passw0rd!", Name: "Jar", AccountName: "Jar Works"})
	if err != nil || s.Account.Name != "Jar Works" || s.ExpiresIn <= 0 {
		t.Fatalf("sign-up: %+v %v", s, err)
	}
	if access, refresh := c.Tokens(); access != "" || refresh != "" {
		t.Fatal("the studio's answer gave the client tokens")
	}
	if me, err := c.Me(ctx); err != nil || me.User.Email != "jar@example.com" {
		t.Fatalf("me with the cookie: %+v %v", me, err)
	}
	var ce *client.Error
	if _, err := c.CreateClient(ctx, omnivibe.ClientInput{Name: omnivibe.Some("No header")}); !errors.As(err, &ce) || ce.Status != 403 {
		t.Fatalf("a cookie-only POST: %v, want 403", err)
	}
	u, _ := url.Parse(base + "/")
	var csrf string
	for _, ck := range jar.Cookies(u) {
		if ck.Name == client.StudioCSRFCookie {
			csrf = ck.Value
		}
	}
	if csrf == "" {
		t.Fatal("no CSRF cookie in the jar")
	}
	if _, err := c.StudioRefresh(ctx, csrf); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if _, err := c.StudioRefresh(ctx, "wrong"); !errors.As(err, &ce) || ce.Status != 403 {
		t.Fatalf("refresh with a wrong CSRF token: %v", err)
	}
	if err := c.StudioSignOut(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Me(ctx); !errors.As(err, &ce) || ce.Status != 401 {
		t.Fatalf("me after sign-out: %v, want 401", err)
	}
	if _, err := c.StudioSignIn(ctx, "jar@example.com", "Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Me(ctx); err != nil {
		t.Fatalf("me after signing in again: %v", err)
	}
}
