package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/omnivibepro/omnivibe"
)

// APIKeyPrefix starts every API key, so a key is recognisable in a leak scan
// and is never mistaken for a JWT.
const APIKeyPrefix = "ovp_"

const jwtIssuer = "omnivibe"

// principalTTL bounds how long a resolved credential is kept in the cache.
// Revocations and role changes move the generation on, so they apply at once.
const principalTTL = 5 * time.Minute

// apiKeyTouchEvery is how stale an API key's last_used_at may get: writing it
// on every request would turn every read into a write.
const apiKeyTouchEvery = time.Minute

// errUnauthorized is the one answer to every bad credential, so that an
// attacker cannot tell an unknown email from a wrong password, or an expired
// token from a forged one.
func errUnauthorized(message string) error {
	return omnivibe.Errorf(omnivibe.CodeUnauthorized, "%s", message)
}

// Register creates an account on the free plan with its owner, and signs the owner in.
func (s *Service) Register(ctx context.Context, r omnivibe.Registration) (omnivibe.TokenPair, error) {
	if err := r.Validate(); err != nil {
		return omnivibe.TokenPair{}, err
	}
	hash, err := s.hashPassword(ctx, r.Password) // slow on purpose: outside the transaction
	if err != nil {
		return omnivibe.TokenPair{}, err
	}
	now := s.clock()
	name := r.AccountName
	if name == "" {
		name = r.Name
	}
	account := omnivibe.Account{Name: name, Plan: omnivibe.PlanFree, CreatedAt: now, UpdatedAt: now}
	user := omnivibe.User{Email: r.Email, Name: r.Name, Role: omnivibe.RoleOwner, PasswordHash: string(hash), CreatedAt: now, UpdatedAt: now}
	var pair omnivibe.TokenPair
	err = s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.CreateAccount(ctx, &account); err != nil {
			return err
		}
		user.AccountID = account.ID
		if err := tx.CreateUser(ctx, &user); err != nil {
			return err
		}
		pair, err = s.issueTokens(ctx, tx, user, account, "")
		return err
	})
	return pair, err
}

// Login signs a user in by email and password.
func (s *Service) Login(ctx context.Context, email, password string) (omnivibe.TokenPair, error) {
	const bad = "email or password is wrong"
	if len(password) > 1024 || len(email) > 254 {
		return omnivibe.TokenPair{}, errUnauthorized(bad)
	}
	user, err := s.store.UserByEmail(ctx, omnivibe.NormalizeEmail(email))
	if omnivibe.ErrorCode(err) == omnivibe.CodeNotFound {
		if _, _, err := s.checkPassword(ctx, s.dummyHash, password); err != nil {
			return omnivibe.TokenPair{}, err
		}
		return omnivibe.TokenPair{}, errUnauthorized(bad)
	}
	if err != nil {
		return omnivibe.TokenPair{}, err
	}
	ok, rehash, err := s.checkPassword(ctx, []byte(user.PasswordHash), password)
	if err != nil {
		return omnivibe.TokenPair{}, err
	}
	if !ok {
		return omnivibe.TokenPair{}, errUnauthorized(bad)
	}
	account, err := s.store.AccountByID(ctx, user.AccountID)
	if err != nil {
		return omnivibe.TokenPair{}, err
	}
	var pair omnivibe.TokenPair
	err = s.store.InTx(ctx, func(tx Tx) error {
		if rehash != nil {
			if err := replacePasswordHash(ctx, tx, user, rehash); err != nil {
				return err
			}
		}
		pair, err = s.issueTokens(ctx, tx, user, account, "")
		return err
	})
	return pair, err
}

// replacePasswordHash stores the new hash of a password just checked against
// user's old one, unless the user changed meanwhile (the account lock keeps a
// concurrent role change from being overwritten with the copy read before).
func replacePasswordHash(ctx context.Context, tx Tx, user omnivibe.User, hash []byte) error {
	if err := tx.LockAccount(ctx, user.AccountID); err != nil {
		return err
	}
	current, err := tx.UserByID(ctx, user.ID)
	if err != nil || current.PasswordHash != user.PasswordHash {
		return err
	}
	current.PasswordHash = string(hash)
	return tx.UpdateUser(ctx, current)
}

// Refresh trades a refresh token for a new pair. Each refresh token works once;
// presenting one that was already used revokes every token of its login, since
// either it was stolen or its owner's copy was.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (omnivibe.TokenPair, error) {
	const bad = "refresh token is invalid, expired or already used"
	hash, ok := refreshTokenHash(refreshToken)
	if !ok {
		return omnivibe.TokenPair{}, errUnauthorized(bad)
	}
	var pair omnivibe.TokenPair
	var replayed bool
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := s.clock()
		t, err := tx.RefreshTokenByHash(ctx, hash[:])
		if err != nil {
			return err
		}
		if !now.Before(t.ExpiresAt) {
			return errUnauthorized(bad)
		}
		fresh, err := tx.MarkRefreshTokenUsed(ctx, t.ID, now)
		if err != nil {
			return err
		}
		if !fresh {
			replayed = true
			return tx.RevokeRefreshFamily(ctx, t.Family, now)
		}
		user, err := tx.UserByID(ctx, t.UserID)
		if err != nil {
			return err
		}
		account, err := tx.AccountByID(ctx, user.AccountID)
		if err != nil {
			return err
		}
		pair, err = s.issueTokens(ctx, tx, user, account, t.Family)
		return err
	})
	if omnivibe.ErrorCode(err) == omnivibe.CodeNotFound {
		return omnivibe.TokenPair{}, errUnauthorized(bad)
	}
	if err == nil && replayed {
		s.log.Warn("refresh token replayed; its login was revoked")
		return omnivibe.TokenPair{}, errUnauthorized(bad)
	}
	return pair, err
}

// SignOut ends the login a refresh token belongs to: every refresh token of
// its family is revoked, so a copy of it taken before the sign-out cannot
// renew the session (presenting one later is treated as a replay). The
// access token, at most AccessTokenTTL long, runs out on its own. A
// malformed, unknown or spent token has no login left to end.
func (s *Service) SignOut(ctx context.Context, refreshToken string) error {
	hash, ok := refreshTokenHash(refreshToken)
	if !ok {
		return nil
	}
	err := s.store.InTx(ctx, func(tx Tx) error {
		t, err := tx.RefreshTokenByHash(ctx, hash[:])
		if err != nil {
			return err
		}
		return tx.RevokeRefreshFamily(ctx, t.Family, s.clock())
	})
	if omnivibe.ErrorCode(err) == omnivibe.CodeNotFound {
		return nil
	}
	return err
}

// refreshTokenHash is the stored hash of a refresh token as a client
// presents it (base64url of 32 random bytes), or false when it cannot be one.
func refreshTokenHash(token string) ([32]byte, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 32 {
		return [32]byte{}, false
	}
	return sha256.Sum256(raw), true
}

// issueTokens writes a refresh token (in family, or a new family) and signs an
// access token.
func (s *Service) issueTokens(ctx context.Context, tx Tx, user omnivibe.User, account omnivibe.Account, family string) (omnivibe.TokenPair, error) {
	now := s.clock()
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return omnivibe.TokenPair{}, err
	}
	if family == "" {
		f := make([]byte, 16)
		if _, err := rand.Read(f); err != nil {
			return omnivibe.TokenPair{}, err
		}
		family = hex.EncodeToString(f)
	}
	hash := sha256.Sum256(raw)
	rt := omnivibe.RefreshToken{UserID: user.ID, Family: family, Hash: hash[:], ExpiresAt: now.Add(s.cfg.RefreshTokenTTL), CreatedAt: now}
	if err := tx.CreateRefreshToken(ctx, &rt); err != nil {
		return omnivibe.TokenPair{}, err
	}
	access, err := s.signAccessToken(user, now)
	if err != nil {
		return omnivibe.TokenPair{}, err
	}
	return omnivibe.TokenPair{
		User: user, Account: account,
		AccessToken: access, RefreshToken: base64.RawURLEncoding.EncodeToString(raw),
		TokenType: "bearer", ExpiresIn: int(s.cfg.AccessTokenTTL / time.Second),
	}, nil
}

// accessClaims are the claims of an access token. The role is not among them:
// it is looked up (through the cache), so a role change applies at once.
// UserKey is the user's TokenKey: the subject's id alone would let a token
// speak for whichever row holds that id, and the key is the row's own.
type accessClaims struct {
	Account int64  `json:"acc"`
	UserKey string `json:"ukey"`
	jwt.RegisteredClaims
}

func (s *Service) signAccessToken(user omnivibe.User, now time.Time) (string, error) {
	if user.TokenKey == "" {
		return "", errors.New("user has no token key")
	}
	claims := accessClaims{
		Account: user.AccountID,
		UserKey: user.TokenKey,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    jwtIssuer,
			Subject:   strconv.FormatInt(user.ID, 10),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.cfg.AccessTokenTTL)),
			// Every token its own: two sign-ins in one second would
			// otherwise get the same token, and the studio's CSRF token,
			// bound to it, could not tell their sessions apart.
			ID: rand.Text(),
		},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.cfg.JWTSecret)
}

func isAPIKey(credential string) bool { return strings.HasPrefix(credential, APIKeyPrefix) }

// resolveToken verifies an access token and resolves its principal, governed
// by the account's auth generation.
func (s *Service) resolveToken(ctx context.Context, token string) (principalEntry, error) {
	var claims accessClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.cfg.JWTSecret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(jwtIssuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.now),
	)
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return principalEntry{}, errUnauthorized("access token has expired; refresh it")
		}
		return principalEntry{}, errUnauthorized("credentials are invalid")
	}
	userID, err := strconv.ParseInt(claims.Subject, 10, 64)
	if err != nil || claims.Account <= 0 {
		return principalEntry{}, errUnauthorized("credentials are invalid")
	}
	if claims.UserKey == "" {
		// Signed by this server before tokens carried the key: sign in again.
		return principalEntry{}, errUnauthorized("credentials are no longer valid")
	}
	g := s.governor(ctx, scope(claims.Account, "auth"))
	// The key is part of the cache entry's name, so an entry resolved for one
	// row is never served to a token of another row with the same id.
	p, err := s.cachedPrincipal(ctx, claims.Account, "u"+claims.Subject+"."+claims.UserKey, func(ctx context.Context) (Principal, error) {
		u, err := s.store.UserByID(ctx, userID)
		if err != nil {
			return Principal{}, err
		}
		if u.AccountID != claims.Account || u.TokenKey != claims.UserKey {
			return Principal{}, omnivibe.NotFound("user")
		}
		return Principal{UserID: u.ID, AccountID: u.AccountID, Role: u.Role}, nil
	})
	if omnivibe.ErrorCode(err) == omnivibe.CodeNotFound {
		return principalEntry{}, errUnauthorized("credentials are no longer valid")
	}
	if err != nil {
		return principalEntry{}, err
	}
	return g.entry(s, p, claims.ExpiresAt.Time), nil
}

// keyRecord is what the cache keeps of a resolved API key.
type keyRecord struct {
	Principal
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// resolveAPIKey resolves an API key (sum is its SHA-256), governed by the
// generation all keys share.
func (s *Service) resolveAPIKey(ctx context.Context, key string, sum [sha256.Size]byte) (principalEntry, error) {
	const bad = "API key is invalid, expired or revoked"
	if len(key) != len(APIKeyPrefix)+43 {
		return principalEntry{}, errUnauthorized(bad)
	}
	hash := sum[:]
	// The key's account is not known before the lookup, so keys share one
	// generation; revocations are rare, and a bump only costs a reload.
	g := s.governor(ctx, "auth:keys")
	raw, err := s.cached(ctx, "auth:keys", hex.EncodeToString(hash), principalTTL, func(ctx context.Context) ([]byte, error) {
		k, err := s.store.APIKeyByHash(ctx, hash)
		if err != nil {
			return nil, err
		}
		if k.RevokedAt != nil {
			return nil, omnivibe.NotFound("api key")
		}
		u, err := s.store.UserByID(ctx, k.UserID)
		if err != nil {
			return nil, err
		}
		if u.AccountID != k.AccountID {
			return nil, omnivibe.NotFound("api key")
		}
		rec := keyRecord{Principal: Principal{UserID: u.ID, AccountID: u.AccountID, Role: u.Role, APIKeyID: k.ID}, ExpiresAt: k.ExpiresAt, LastUsedAt: k.LastUsedAt}
		s.touchAPIKey(ctx, k)
		return json.Marshal(rec)
	})
	if omnivibe.ErrorCode(err) == omnivibe.CodeNotFound {
		return principalEntry{}, errUnauthorized(bad)
	}
	if err != nil {
		return principalEntry{}, err
	}
	var rec keyRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return principalEntry{}, err
	}
	var expires time.Time
	if rec.ExpiresAt != nil {
		if !s.now().Before(*rec.ExpiresAt) {
			return principalEntry{}, errUnauthorized(bad)
		}
		expires = *rec.ExpiresAt
	}
	// Kept at most principalTTL, so last_used_at is still recorded (by the
	// loader above) about as often as before this cache.
	return g.entry(s, rec.Principal, expires), nil
}

// touchAPIKey records that a key was used, at most once per apiKeyTouchEvery.
func (s *Service) touchAPIKey(ctx context.Context, k omnivibe.APIKey) {
	now := s.clock()
	if k.LastUsedAt != nil && now.Sub(*k.LastUsedAt) < apiKeyTouchEvery {
		return
	}
	if err := s.store.InTx(ctx, func(tx Tx) error { return tx.TouchAPIKey(ctx, k.ID, now) }); err != nil {
		s.log.Warn("api key last_used_at not recorded", "key_id", k.ID, "err", err)
	}
}

// cachedPrincipal resolves a principal of an account through the cache, under
// the account's auth generation.
func (s *Service) cachedPrincipal(ctx context.Context, accountID int64, id string, load func(context.Context) (Principal, error)) (Principal, error) {
	raw, err := s.cached(ctx, scope(accountID, "auth"), id, principalTTL, func(ctx context.Context) ([]byte, error) {
		p, err := load(ctx)
		if err != nil {
			return nil, err
		}
		return json.Marshal(p)
	})
	if err != nil {
		return Principal{}, err
	}
	var p Principal
	err = json.Unmarshal(raw, &p)
	return p, err
}

// Me returns the caller's user and account.
func (s *Service) Me(ctx context.Context, p Principal) (omnivibe.Me, error) {
	u, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		return omnivibe.Me{}, err
	}
	a, err := s.store.AccountByID(ctx, p.AccountID)
	return omnivibe.Me{User: u, Account: a}, err
}

// CreatedAPIKey is the answer of POST /auth/api-keys: the only time the secret is shown.
type CreatedAPIKey struct {
	omnivibe.APIKey
	Key string `json:"key"`
}

// CreateAPIKey makes a key that acts as the caller.
func (s *Service) CreateAPIKey(ctx context.Context, p Principal, in omnivibe.NewAPIKey) (CreatedAPIKey, error) {
	if err := in.Validate(); err != nil {
		return CreatedAPIKey{}, err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return CreatedAPIKey{}, err
	}
	key := APIKeyPrefix + base64.RawURLEncoding.EncodeToString(secret)
	hash := sha256.Sum256([]byte(key))
	now := s.clock()
	k := omnivibe.APIKey{AccountID: p.AccountID, UserID: p.UserID, Name: in.Name, Prefix: key[:len(APIKeyPrefix)+8], Hash: hash[:], CreatedAt: now}
	if in.ExpiresInDays != nil {
		exp := now.Add(time.Duration(*in.ExpiresInDays) * 24 * time.Hour)
		k.ExpiresAt = &exp
	}
	err := s.store.InTx(ctx, func(tx Tx) error { return tx.CreateAPIKey(ctx, &k) })
	return CreatedAPIKey{APIKey: k, Key: key}, err
}

// ListAPIKeys lists the caller's keys that still work (never their secrets).
func (s *Service) ListAPIKeys(ctx context.Context, p Principal) ([]omnivibe.APIKey, error) {
	return s.store.ListAPIKeys(ctx, p.AccountID, p.UserID)
}

// RevokeAPIKey stops one of the caller's keys at once.
func (s *Service) RevokeAPIKey(ctx context.Context, p Principal, id int64) error {
	err := s.store.InTx(ctx, func(tx Tx) error { return tx.RevokeAPIKey(ctx, p.AccountID, p.UserID, id, s.clock()) })
	if err != nil {
		return err
	}
	s.bump(ctx, "auth:keys")
	return nil
}
