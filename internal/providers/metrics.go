package providers

import "github.com/prometheus/client_golang/prometheus"

// Collector exports a Health as Prometheus metrics, read at each scrape:
// omnivibe_provider_requests_total{kind,provider,outcome} and
// omnivibe_provider_breaker_state{kind,provider} (0 closed, 1 half-open,
// 2 open; absent for providers without a breaker). Latency is the
// histogram omnivibe_provider_call_duration_seconds, kept by telemetry.
type Collector struct {
	h        *Health
	requests *prometheus.Desc
	breaker  *prometheus.Desc
}

// NewCollector returns the collector of h.
func NewCollector(h *Health) *Collector {
	return &Collector{h: h,
		requests: prometheus.NewDesc("omnivibe_provider_requests_total",
			"Calls to each configured provider (each attempt of a retried call counts), by outcome.",
			[]string{"kind", "provider", "outcome"}, nil),
		breaker: prometheus.NewDesc("omnivibe_provider_breaker_state",
			"Circuit breaker of each provider of a fallback chain: 0 closed, 1 half-open, 2 open.",
			[]string{"kind", "provider"}, nil),
	}
}

// Describe sends the descriptors.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.requests
	ch <- c.breaker
}

// Collect sends the current values.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.h.Totals(func(kind, name string, byOutcome map[string]int64, breaker func() string) {
		for outcome, n := range byOutcome {
			ch <- prometheus.MustNewConstMetric(c.requests, prometheus.CounterValue, float64(n), kind, name, outcome)
		}
		if breaker == nil {
			return
		}
		v := 0.0
		switch breaker() {
		case "half-open":
			v = 1
		case "open":
			v = 2
		}
		ch <- prometheus.MustNewConstMetric(c.breaker, prometheus.GaugeValue, v, kind, name)
	})
}
