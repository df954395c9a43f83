package service

import (
	"context"
	"crypto/sha256"
	"time"

	"github.com/maypok86/otter/v2"
)

// The principal cache: a credential is verified once, then served from here.
//
// Profiled before it (docs/benchmarks.md), a signed-in GET spent 43 % of its
// CPU authenticating: 33 % parsing and verifying the JWT (most of it
// JSON-decoding the claims), 9 % decoding the principal cached as JSON. Now
// the first request with a credential resolves it as before, and the result
// is kept in process, keyed by the SHA-256 of the credential (the cache never
// holds a usable token), until the credential expires, or principalTTL at
// most. A hit costs a hash, a map lookup and one generation read.
//
// Revocation and changes apply on the next request, on every replica: an
// entry records the generation of the cache scope that governs it, read
// before the principal was resolved, and a hit is served only while that
// generation has not moved. Role changes and member removals move the
// account's "auth" scope and "auth:keys", revoked API keys "auth:keys" (see
// accounts.go and auth.go); anything new that changes who a principal is
// (deleting an account, changing a password, a plan carried in the
// principal) must bump the same scopes. Scaled out the generations live in
// Redis, so a change on replica A is seen by replica B's next request; while
// Redis cannot be read, every request is resolved afresh.
//
// An access token names its user by id and by the user's TokenKey, random
// per row; the shared entry is named by both, and resolving checks both, so
// neither a token nor a cached principal can ever speak for another row that
// holds the same id (ids are not handed out twice either, but this does not
// rest on it). API keys and refresh tokens are rows of their own, found by
// the hash of their secret and deleted with their user.

// principalCacheSize bounds the cache: about 200 bytes an entry, so at most
// ~13 MB however many tokens are presented.
const principalCacheSize = 65536

// principalEntry is a resolved credential.
type principalEntry struct {
	principal Principal
	scope     string    // the generation scope that governs it
	gen       uint64    // that scope's generation when it was resolved
	until     time.Time // the credential's expiry, or principalTTL after resolving
}

func newPrincipalCache() *otter.Cache[[sha256.Size]byte, principalEntry] {
	return otter.Must(&otter.Options[[sha256.Size]byte, principalEntry]{MaximumSize: principalCacheSize})
}

// Authenticate resolves a credential (an access token or an API key, from a
// header or a cookie) to the principal it speaks for. It is the one place
// credentials are resolved, so every way of presenting one shares the cache.
func (s *Service) Authenticate(ctx context.Context, credential string) (Principal, error) {
	key := sha256.Sum256([]byte(credential))
	if e, ok := s.principals.GetIfPresent(key); ok {
		if s.now().Before(e.until) {
			gen, err := s.cache.Generation(ctx, e.scope)
			if err == nil && gen == e.gen {
				return e.principal, nil
			}
		}
		s.principals.Invalidate(key)
	}
	var (
		e   principalEntry
		err error
	)
	if isAPIKey(credential) {
		e, err = s.resolveAPIKey(ctx, credential, key)
	} else {
		e, err = s.resolveToken(ctx, credential)
	}
	if err != nil {
		return Principal{}, err
	}
	if e.scope != "" {
		s.principals.Set(key, e)
	}
	return e.principal, nil
}

// governor reads the generation of scope before a credential it governs is
// resolved, and makes the entry once it is. When the generation cannot be
// read (the shared cache is down, so nothing could tell this replica about a
// revocation) the entry is not kept.
type governor struct {
	scope string
	gen   uint64
	ok    bool
}

func (s *Service) governor(ctx context.Context, scope string) governor {
	gen, err := s.cache.Generation(ctx, scope)
	return governor{scope: scope, gen: gen, ok: err == nil}
}

// entry is p under g, kept until expires or principalTTL from now, whichever
// comes first.
func (g governor) entry(s *Service, p Principal, expires time.Time) principalEntry {
	if !g.ok {
		return principalEntry{principal: p}
	}
	until := s.now().Add(principalTTL)
	if !expires.IsZero() && expires.Before(until) {
		until = expires
	}
	return principalEntry{principal: p, scope: g.scope, gen: g.gen, until: until}
}
