package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Password hashing: the algorithm, its cost, and the pool it runs in.
//
// New passwords are hashed with Argon2id at OWASP's current parameters
// (Password Storage Cheat Sheet: m=19 MiB, t=2, p=1). It was chosen by
// measuring both allowed hashes on the 2-core machine this was built on
// (BenchmarkPasswordHash in password_bench_test.go): Argon2id at those
// parameters took 100 ms of one core per hash, bcrypt at cost 10 took 191 ms
// (cost 11: 397 ms), under the same load. Argon2id is the stronger of the two
// (memory-hard, so a GPU or ASIC attacker pays in memory too) and, in Go, the
// cheaper per sign-up, so it gives both more safety and about twice the
// sign-ups per core. Its price is memory: 19 MiB per hash in flight, which
// the pool below bounds (workers × 19 MiB).
//
// bcrypt stays available (PasswordAlgorithm "bcrypt") and every bcrypt hash
// already stored keeps working: a login checks a password against the hash's
// own algorithm and parameters, and when they are not the configured ones,
// it stores a new hash of the password it just checked.
//
// Hashing is CPU work that cannot be shared or interrupted, and a burst of
// sign-ups used to take every core, so that every other request waited
// behind it. All hashing and checking therefore runs in a Pool (pool.go) of
// its own: max(1, NumCPU-1) slots, keeping one core for the rest of the API,
// and a bounded wait queue whose overflow is refused at once with 503 busy.

// Password algorithms of Config.PasswordAlgorithm.
const (
	PasswordArgon2id = "argon2id"
	PasswordBcrypt   = "bcrypt"
)

// OWASP's Argon2id parameters (memory in KiB).
const (
	argon2Memory  = 19 * 1024
	argon2Time    = 2
	argon2Threads = 1
	argon2KeyLen  = 32
	argon2SaltLen = 16
)

// passwordQueuePerWorker bounds the wait: at about 0.1 s per hash, 32 waiting
// per slot is a wait of about 3 s at worst, beyond which a client is better
// told to come back.
const passwordQueuePerWorker = 32

// hashPassword hashes a new password in the pool.
func (s *Service) hashPassword(ctx context.Context, password string) ([]byte, error) {
	var hash []byte
	var herr error
	err := s.passwords.Do(ctx, func() { hash, herr = s.hashNow(password) })
	if err != nil {
		return nil, err
	}
	return hash, herr
}

// checkPassword checks a password against a stored hash in the pool. When it
// matches and the hash is not of the configured algorithm and parameters,
// rehash is a new hash of the password to store in its place.
func (s *Service) checkPassword(ctx context.Context, hash []byte, password string) (ok bool, rehash []byte, err error) {
	err = s.passwords.Do(ctx, func() {
		ok = verifyPassword(hash, password)
		if ok && s.needsRehash(hash) {
			rehash, _ = s.hashNow(password) // a failure only leaves the old hash in place
		}
	})
	return ok, rehash, err
}

// hashNow hashes on the calling goroutine; only the pool calls it (and New,
// once, for the dummy hash).
func (s *Service) hashNow(password string) ([]byte, error) {
	if s.cfg.PasswordAlgorithm == PasswordBcrypt {
		return bcrypt.GenerateFromPassword(prehash(password), s.cfg.PasswordCost)
	}
	salt := make([]byte, argon2SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	key := argon2.IDKey([]byte(password), salt, argon2Time, argon2Memory, argon2Threads, argon2KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Appendf(nil, "$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argon2Memory, argon2Time, argon2Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// needsRehash reports whether a stored hash is not of the configured
// algorithm and parameters.
func (s *Service) needsRehash(hash []byte) bool {
	if s.cfg.PasswordAlgorithm == PasswordBcrypt {
		cost, err := bcrypt.Cost(hash)
		return err != nil || cost != s.cfg.PasswordCost
	}
	p, err := parseArgon2(string(hash))
	return err != nil || p.memory != argon2Memory || p.time != argon2Time || p.threads != argon2Threads || len(p.key) != argon2KeyLen
}

// verifyPassword checks a password against a hash of either algorithm, with
// the hash's own parameters.
func verifyPassword(hash []byte, password string) bool {
	if !strings.HasPrefix(string(hash), "$argon2id$") {
		// bcrypt hashes were made of the SHA-256 of the password (see prehash).
		return bcrypt.CompareHashAndPassword(hash, prehash(password)) == nil
	}
	p, err := parseArgon2(string(hash))
	if err != nil {
		return false
	}
	key := argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.key))) // #nosec G115 -- parseArgon2 bounds the key length
	return subtle.ConstantTimeCompare(key, p.key) == 1
}

type argon2Params struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

// parseArgon2 reads a hash in the PHC string format,
// $argon2id$v=19$m=19456,t=2,p=1$salt$key, refusing parameters that would
// make a check cost more than a stored hash ever should.
func parseArgon2(s string) (argon2Params, error) {
	var p argon2Params
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, errors.New("not an argon2id hash")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return p, err
	}
	if p.memory < 8 || p.memory > 1<<20 || p.time < 1 || p.time > 16 || p.threads < 1 {
		return p, errors.New("argon2id parameters out of range")
	}
	var err error
	if p.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return p, err
	}
	if p.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(p.key) < 16 || len(p.key) > 64 {
		return p, errors.New("argon2id key malformed")
	}
	return p, nil
}

// prehash reduces a password for bcrypt, which reads at most 72 bytes while a
// 128-character password can be 512: its SHA-256, in base64 to keep NUL bytes
// out of bcrypt's input. Argon2id takes the password as it is.
func prehash(password string) []byte {
	sum := sha256.Sum256([]byte(password))
	out := make([]byte, base64.StdEncoding.EncodedLen(len(sum)))
	base64.StdEncoding.Encode(out, sum[:])
	return out
}
