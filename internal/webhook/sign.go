// Package webhook speaks the Standard Webhooks specification
// (https://www.standardwebhooks.com): signing secrets and signatures, the
// encryption that keeps secrets at rest, the retry schedule, and the sender
// that delivers an event over HTTP through a dialer that refuses addresses
// inside the server's network.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// SecretPrefix begins every signing secret, as the specification has it.
const SecretPrefix = "whsec_"

// NewSecret returns a new signing secret: whsec_ and 32 random bytes in
// standard base64 (the specification asks for 24 to 64).
func NewSecret() (string, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(key), nil
}

// SecretKey returns the HMAC key of a secret: the base64-decoded part after whsec_.
func SecretKey(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(key) < 24 {
		return nil, errors.New("webhook: malformed signing secret")
	}
	return key, nil
}

// Sign returns one signature of a message under a key, as the
// webhook-signature header carries it: "v1," and the base64 HMAC-SHA256 of
// "{id}.{timestamp}.{body}".
func Sign(key []byte, msgID string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID))
	mac.Write([]byte{'.'})
	mac.Write(strconv.AppendInt(nil, timestamp, 10))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SignatureHeader returns the webhook-signature header for a message signed
// by every key (the current secret and, during a rotation's overlap, the
// previous one), space-separated as the specification allows.
func SignatureHeader(keys [][]byte, msgID string, timestamp int64, body []byte) string {
	sigs := make([]string, len(keys))
	for i, k := range keys {
		sigs[i] = Sign(k, msgID, timestamp, body)
	}
	return strings.Join(sigs, " ")
}
