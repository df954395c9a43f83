package omnivibe

import "time"

// The answer of GET /api/v1/providers: every configured script writer,
// synthesizer and recognizer, in chain order, and its health.

// ProviderStatus is what GET /api/v1/providers shows of one provider.
type ProviderStatus struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	// Position is the provider's place in its chain, from 1 (tried first);
	// 0 for a provider that is not configured (any more).
	Position int `json:"position"`
	// Breaker is the circuit breaker's state: closed, open, half-open, or
	// none for a provider without one.
	Breaker   string             `json:"breaker"`
	Last5m    ProviderWindow     `json:"last_5m"`
	Last60m   ProviderWindow     `json:"last_60m"`
	LastError *ProviderLastError `json:"last_error"`
}

// ProviderWindow sums the calls of a number of minutes, the current one included.
type ProviderWindow struct {
	Requests  int64 `json:"requests"`
	Successes int64 `json:"successes"`
	Failures  int64 `json:"failures"`
	// SuccessRate is Successes / Requests; null without requests.
	SuccessRate *float64 `json:"success_rate"`
	// LatencyMS are percentiles of every call's duration in milliseconds,
	// failed ones included; null without requests.
	LatencyMS *LatencyPercentiles `json:"latency_ms"`
}

// LatencyPercentiles are percentiles of a latency distribution, in milliseconds.
type LatencyPercentiles struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
}

// ProviderLastError is a provider's latest failure.
type ProviderLastError struct {
	Outcome string    `json:"outcome"`
	Message string    `json:"message"`
	At      time.Time `json:"at"`
}
