package service

import (
	"context"

	"github.com/omnivibepro/omnivibe"
)

// ProviderHealth is the record of every configured provider's calls
// (internal/providers.Health).
type ProviderHealth interface {
	Snapshot() []omnivibe.ProviderStatus
}

// UseProviderHealth gives the service the record GET /providers shows.
func (s *Service) UseProviderHealth(h ProviderHealth) { s.providerHealth = h }

// Providers lists every configured writer, synthesizer and recognizer with
// its place in its chain, breaker state, success rate, latency percentiles
// and last error. Any signed-in user may see it: it describes the
// deployment, not any tenant's data (last errors are provider messages,
// which never carry a key or a request's text).
func (s *Service) Providers(_ context.Context, _ Principal) ([]omnivibe.ProviderStatus, error) {
	if s.providerHealth == nil {
		return []omnivibe.ProviderStatus{}, nil
	}
	return s.providerHealth.Snapshot(), nil
}
