package webhook

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// Box encrypts signing secrets at rest with AES-256-GCM. Unlike an API key, a
// signing secret cannot be kept as a hash: the server needs it to sign. Its
// key is derived from the server's secret (the one that signs access tokens),
// so a copy of the database alone does not reveal any signing secret;
// replacing the server secret makes the stored ones unreadable (rotate them).
type Box struct{ aead cipher.AEAD }

// boxInfo separates this key from any other derived from the same secret.
const boxInfo = "omnivibe webhook signing secrets v1"

// NewBox returns a Box whose key is derived from serverSecret with HKDF-SHA256.
func NewBox(serverSecret []byte) (*Box, error) {
	if len(serverSecret) < 32 {
		return nil, errors.New("webhook: server secret must be at least 32 bytes")
	}
	key, err := hkdf.Key(sha256.New, serverSecret, nil, boxInfo, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts a secret: a random nonce followed by the ciphertext.
func (b *Box) Seal(secret string) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(secret)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return b.aead.Seal(nonce, nonce, []byte(secret), nil), nil
}

// Open decrypts what Seal made.
func (b *Box) Open(sealed []byte) (string, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("webhook: sealed secret too short")
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return "", fmt.Errorf("webhook: cannot decrypt a signing secret (was the server secret replaced?): %w", err)
	}
	return string(plain), nil
}
