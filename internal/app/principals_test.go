package app_test

import (
	"context"
	"testing"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/client"
)

// TestCredentialChangesReachBothReplicas: both replicas keep a member's token
// and API key in their principal caches; each change made through one
// replica (a role change, a revoked key, a removed member) applies to the
// very next request on the other, and on the first.
func TestCredentialChangesReachBothReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := scaledOut(t)
	base1, _ := replica(t, cfg)
	base2, _ := replica(t, cfg)
	owner := client.New(base1)
	reg, err := owner.Register(ctx, omnivibe.Registration{Email: "owner@example.com", Password: "Passw0rd-ok", Name: "Owner"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := owner.AddMember(ctx, omnivibe.NewMember{Email: "member@example.com", Name: "Member", Password: "Passw0rd-ok", Role: omnivibe.RoleMember})
	if err != nil {
		t.Fatal(err)
	}
	login := client.New(base2)
	pair, err := login.Login(ctx, "member@example.com", "Passw0rd-ok")
	if err != nil {
		t.Fatal(err)
	}
	key, err := login.CreateAPIKey(ctx, omnivibe.NewAPIKey{Name: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	// The member's two credentials on each replica: token and key on 1, then on 2.
	var creds []*client.Client
	for _, base := range []string{base1, base2} {
		creds = append(creds, client.New(base, client.WithToken(pair.AccessToken)), client.New(base, client.WithAPIKey(key.Key)))
	}
	for i, c := range creds {
		for range 2 { // the second answer comes from the principal cache
			if _, err := c.ListCampaigns(ctx, omnivibe.CampaignFilter{}); err != nil {
				t.Fatalf("credential %d before the changes: %v", i, err)
			}
		}
	}

	// A role change through replica 2.
	if _, err := client.New(base2, client.WithToken(reg.AccessToken)).ChangeMemberRole(ctx, m.ID, omnivibe.RoleViewer); err != nil {
		t.Fatal(err)
	}
	for i, c := range creds {
		if _, err := c.CreateClient(ctx, omnivibe.ClientInput{Name: omnivibe.Some("After")}); !client.IsCode(err, omnivibe.CodeForbidden) {
			t.Fatalf("credential %d after the role change to viewer: got %v, want forbidden", i, err)
		}
		if _, err := c.ListCampaigns(ctx, omnivibe.CampaignFilter{}); err != nil {
			t.Fatalf("credential %d: a viewer may still read: %v", i, err)
		}
	}

	// A key revoked through replica 1: replica 2 first.
	if err := creds[0].RevokeAPIKey(ctx, key.ID); err != nil {
		t.Fatal(err)
	}
	for i, c := range []*client.Client{creds[3], creds[1]} {
		if _, err := c.ListCampaigns(ctx, omnivibe.CampaignFilter{}); !client.IsCode(err, omnivibe.CodeUnauthorized) {
			t.Fatalf("revoked key on replica %d: got %v, want unauthorized", 2-i, err)
		}
	}

	// The member removed through replica 1: replica 2 first.
	if err := owner.RemoveMember(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	for i, c := range []*client.Client{creds[2], creds[0]} {
		if _, err := c.ListCampaigns(ctx, omnivibe.CampaignFilter{}); !client.IsCode(err, omnivibe.CodeUnauthorized) {
			t.Fatalf("removed member's token on replica %d: got %v, want unauthorized", 2-i, err)
		}
	}
	if _, err := owner.ListCampaigns(ctx, omnivibe.CampaignFilter{}); err != nil {
		t.Fatalf("the owner's own token stopped: %v", err)
	}
}
