// Package telemetry is how OmniVibe Pro shows what it does: Prometheus
// metrics on its own registry, OpenTelemetry traces exported over OTLP/HTTP
// when an endpoint is configured, and the slog handler that puts the trace ID
// in every log line. Off means off: without an endpoint no span is made, and
// a nil *Metrics records nothing.
package telemetry

import (
	"database/sql"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "omnivibe"

// Latency buckets in seconds: an API answer takes from a fraction of a
// millisecond (a cached list) to tens of seconds (a hosted model).
var latencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// Metrics holds the product's Prometheus registry and every instrument the
// code feeds. Its methods are safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	errors      *prometheus.CounterVec
	inFlight    prometheus.Gauge
	rateLimited *prometheus.CounterVec

	providerDuration *prometheus.HistogramVec
	providerErrors   *prometheus.CounterVec

	queueDepth    *prometheus.GaugeVec
	jobsFinished  *prometheus.CounterVec
	jobAttempts   *prometheus.HistogramVec
	jobDuration   *prometheus.HistogramVec
	stageDuration *prometheus.HistogramVec
	similarity    *prometheus.HistogramVec

	backups        *prometheus.CounterVec
	backupDuration prometheus.Histogram
	backupLast     prometheus.Gauge

	dbPools *dbPoolCollector
	caches  *cacheCollector
}

// NewMetrics makes a registry of its own (never the global one, so tests and
// several servers in one process do not collide) with the Go runtime, process
// and build collectors and every OmniVibe instrument.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f(collectors.NewBuildInfoCollector())

	m := &Metrics{reg: reg, dbPools: &dbPoolCollector{}, caches: &cacheCollector{}}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "http", Name: "requests_total",
		Help: "HTTP requests answered, by route pattern and status class (2xx, 4xx, ...)."}, []string{"method", "route", "status_class"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "http", Name: "request_duration_seconds",
		Help: "Time from the request's arrival to the end of its answer, by route pattern and status class.", Buckets: latencyBuckets},
		[]string{"method", "route", "status_class"})
	m.errors = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "http", Name: "errors_total",
		Help: "Error answers, by route pattern and the contract's error_code."}, []string{"method", "route", "error_code"})
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Subsystem: "http", Name: "requests_in_flight",
		Help: "Requests being served now."})
	m.rateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "http", Name: "rate_limited_total",
		Help: "Requests refused with 429, by the limit that refused them."}, []string{"limit"})

	m.providerDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "provider", Name: "call_duration_seconds",
		Help: "Calls to script, speech and recognition providers (each attempt of a retried call counts), by outcome.", Buckets: latencyBuckets},
		[]string{"kind", "provider", "outcome"})
	m.providerErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "provider", Name: "call_errors_total",
		Help: "Failed provider calls, by outcome (timeout, unavailable, rate_limited, ...)."}, []string{"kind", "provider", "outcome"})

	m.queueDepth = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Subsystem: "jobs", Name: "queue_depth",
		Help: "Jobs in the queue, by queue and state (available, running, retryable, scheduled)."}, []string{"queue", "state"})
	m.jobsFinished = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "jobs", Name: "finished_total",
		Help: "Jobs that reached a final state, by kind and outcome (succeeded, partial, failed, cancelled)."}, []string{"kind", "outcome"})
	m.jobAttempts = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "jobs", Name: "attempts",
		Help: "Attempts a finished job took.", Buckets: []float64{1, 2, 3, 4, 5, 7, 10}}, []string{"kind"})
	m.jobDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "jobs", Name: "duration_seconds",
		Help: "Time from a job's first start to its final state.", Buckets: latencyBuckets}, []string{"kind", "outcome"})
	m.stageDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "jobs", Name: "stage_duration_seconds",
		Help: "Time of one stage of a job (normalize, synthesize, transcribe, score, store).", Buckets: latencyBuckets}, []string{"kind", "stage", "outcome"})
	m.similarity = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "audio", Name: "similarity",
		Help:    "Similarity of a voice-over's transcript to its text (0-1), per scored attempt.",
		Buckets: []float64{0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 1}}, []string{"language"})

	m.backups = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "backup", Name: "runs_total",
		Help: "Database backups taken, by outcome."}, []string{"outcome"})
	m.backupDuration = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "backup", Name: "duration_seconds",
		Help: "Time one backup took.", Buckets: []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}})
	m.backupLast = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Subsystem: "backup", Name: "last_success_timestamp_seconds",
		Help: "Unix time of the last backup that succeeded (alert when it gets old)."})

	for _, c := range []prometheus.Collector{m.requests, m.duration, m.errors, m.inFlight, m.rateLimited,
		m.providerDuration, m.providerErrors, m.queueDepth, m.jobsFinished, m.jobAttempts, m.jobDuration, m.stageDuration, m.similarity,
		m.backups, m.backupDuration, m.backupLast, m.dbPools, m.caches} {
		f(c)
	}
	return m
}

// Registry is the registry /metrics serves, for collectors added elsewhere.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, MaxRequestsInFlight: 4})
}

// RequestStarted counts a request in flight until RequestDone.
func (m *Metrics) RequestStarted() {
	if m != nil {
		m.inFlight.Inc()
	}
}

// RequestDone ends what RequestStarted began.
func (m *Metrics) RequestDone() {
	if m != nil {
		m.inFlight.Dec()
	}
}

// RateLimited counts a request refused by the named limit.
func (m *Metrics) RateLimited(limit string) {
	if m != nil {
		m.rateLimited.WithLabelValues(limit).Inc()
	}
}

// RouteMetrics are the instruments of one route, resolved once so that
// recording a request costs a few atomic additions and no allocation.
type RouteMetrics struct {
	m             *Metrics
	method, route string
	// classes holds the counter and histogram of each status class (index
	// status/100; 0 for anything outside 100-599), made on first use so
	// that series exist only for classes that happened.
	classes [6]atomic.Pointer[classMetrics]
}

type classMetrics struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

var classNames = [6]string{"other", "1xx", "2xx", "3xx", "4xx", "5xx"}

// Route returns the instruments of one route. method and route come from the
// registered pattern, never from the request, so a client cannot create
// series. Route returns nil on a nil *Metrics.
func (m *Metrics) Route(method, route string) *RouteMetrics {
	if m == nil {
		return nil
	}
	return &RouteMetrics{m: m, method: method, route: route}
}

// Observe records one answer.
func (r *RouteMetrics) Observe(status int, took time.Duration) {
	if r == nil {
		return
	}
	c := status / 100
	if c < 1 || c > 5 {
		c = 0
	}
	cm := r.classes[c].Load()
	if cm == nil {
		cm = &classMetrics{
			requests: r.m.requests.WithLabelValues(r.method, r.route, classNames[c]),
			duration: r.m.duration.WithLabelValues(r.method, r.route, classNames[c]),
		}
		r.classes[c].Store(cm) // a racing store holds the same children
	}
	cm.requests.Inc()
	cm.duration.Observe(took.Seconds())
}

// Error counts an error answer by its error_code.
func (r *RouteMetrics) Error(code string) {
	if r == nil {
		return
	}
	r.m.errors.WithLabelValues(r.method, r.route, code).Inc()
}

// ProviderCall is one call to a hosted or local provider.
type ProviderCall struct {
	Kind     string // writer, tts, stt
	Provider string // local, anthropic, openai, elevenlabs, espeak, ...
	Model    string
	// Outcome is "ok" or why the call failed (timeout, unavailable,
	// rate_limited, refused, unusable_answer, ...).
	Outcome  string
	Attempt  int // 1 for the first try of a call
	Status   int // HTTP status; 0 without one
	Start    time.Time
	Duration time.Duration
}

// ObserveProviderCall records a provider call's latency, and counts it as an
// error unless its outcome is "ok".
func (m *Metrics) ObserveProviderCall(c ProviderCall) {
	if m == nil {
		return
	}
	m.providerDuration.WithLabelValues(c.Kind, c.Provider, c.Outcome).Observe(c.Duration.Seconds())
	if c.Outcome != "ok" {
		m.providerErrors.WithLabelValues(c.Kind, c.Provider, c.Outcome).Inc()
	}
}

// SetQueueDepth reports how many jobs of a queue are in a state; the job
// queue calls it periodically.
func (m *Metrics) SetQueueDepth(queue, state string, n int) {
	if m != nil {
		m.queueDepth.WithLabelValues(queue, state).Set(float64(n))
	}
}

// JobFinished records a job that reached a final state.
func (m *Metrics) JobFinished(kind, outcome string, attempts int, took time.Duration) {
	if m == nil {
		return
	}
	m.jobsFinished.WithLabelValues(kind, outcome).Inc()
	m.jobAttempts.WithLabelValues(kind).Observe(float64(attempts))
	m.jobDuration.WithLabelValues(kind, outcome).Observe(took.Seconds())
}

// JobStage records one stage of a job; err nil means it succeeded.
func (m *Metrics) JobStage(kind, stage string, took time.Duration, err error) {
	if m == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.stageDuration.WithLabelValues(kind, stage, outcome).Observe(took.Seconds())
}

// Similarity records the score of one transcribed attempt.
func (m *Metrics) Similarity(language string, score float64) {
	if m != nil {
		m.similarity.WithLabelValues(language).Observe(score)
	}
}

// BackupDone records a backup; err nil means it succeeded at end.
func (m *Metrics) BackupDone(took time.Duration, end time.Time, err error) {
	if m == nil {
		return
	}
	if err != nil {
		m.backups.WithLabelValues("error").Inc()
		return
	}
	m.backups.WithLabelValues("ok").Inc()
	m.backupDuration.Observe(took.Seconds())
	m.backupLast.Set(float64(end.Unix()))
}

// AddDBPool reports a database/sql pool's statistics, read at each scrape,
// under pool (writer, reader, ...).
func (m *Metrics) AddDBPool(pool string, stats func() sql.DBStats) {
	if m != nil {
		m.dbPools.mu.Lock()
		m.dbPools.pools = append(m.dbPools.pools, dbPool{pool, stats})
		m.dbPools.mu.Unlock()
	}
}

// CacheStats are a cache's counters since it was made.
type CacheStats struct {
	Hits, Misses, Evictions uint64
}

// AddCache reports a cache's hits, misses and evictions, read at each scrape.
func (m *Metrics) AddCache(name string, stats func() CacheStats) {
	if m != nil {
		m.caches.mu.Lock()
		m.caches.caches = append(m.caches.caches, namedCache{name, stats})
		m.caches.mu.Unlock()
	}
}

var (
	dbOpenDesc  = prometheus.NewDesc(namespace+"_db_open_connections", "Connections open in the pool.", []string{"pool"}, nil)
	dbInUseDesc = prometheus.NewDesc(namespace+"_db_in_use_connections", "Connections in use.", []string{"pool"}, nil)
	dbIdleDesc  = prometheus.NewDesc(namespace+"_db_idle_connections", "Idle connections.", []string{"pool"}, nil)
	dbMaxDesc   = prometheus.NewDesc(namespace+"_db_max_open_connections", "Most connections the pool opens.", []string{"pool"}, nil)
	dbWaitsDesc = prometheus.NewDesc(namespace+"_db_wait_total", "Times a query waited for a free connection.", []string{"pool"}, nil)
	dbWaitDesc  = prometheus.NewDesc(namespace+"_db_wait_seconds_total", "Time spent waiting for a free connection.", []string{"pool"}, nil)
	dbClosed    = prometheus.NewDesc(namespace+"_db_closed_connections_total", "Connections closed by the pool's idle and lifetime limits.", []string{"pool", "reason"}, nil)
)

// dbPoolCollector reads sql.DBStats at scrape time: nothing is paid per query.
type dbPoolCollector struct {
	mu    sync.Mutex
	pools []dbPool
}

type dbPool struct {
	name  string
	stats func() sql.DBStats
}

func (c *dbPoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dbOpenDesc, dbInUseDesc, dbIdleDesc, dbMaxDesc, dbWaitsDesc, dbWaitDesc, dbClosed} {
		ch <- d
	}
}

func (c *dbPoolCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	pools := c.pools
	c.mu.Unlock()
	for _, p := range pools {
		s := p.stats()
		ch <- prometheus.MustNewConstMetric(dbOpenDesc, prometheus.GaugeValue, float64(s.OpenConnections), p.name)
		ch <- prometheus.MustNewConstMetric(dbInUseDesc, prometheus.GaugeValue, float64(s.InUse), p.name)
		ch <- prometheus.MustNewConstMetric(dbIdleDesc, prometheus.GaugeValue, float64(s.Idle), p.name)
		ch <- prometheus.MustNewConstMetric(dbMaxDesc, prometheus.GaugeValue, float64(s.MaxOpenConnections), p.name)
		ch <- prometheus.MustNewConstMetric(dbWaitsDesc, prometheus.CounterValue, float64(s.WaitCount), p.name)
		ch <- prometheus.MustNewConstMetric(dbWaitDesc, prometheus.CounterValue, s.WaitDuration.Seconds(), p.name)
		ch <- prometheus.MustNewConstMetric(dbClosed, prometheus.CounterValue, float64(s.MaxIdleClosed), p.name, "max_idle")
		ch <- prometheus.MustNewConstMetric(dbClosed, prometheus.CounterValue, float64(s.MaxIdleTimeClosed), p.name, "max_idle_time")
		ch <- prometheus.MustNewConstMetric(dbClosed, prometheus.CounterValue, float64(s.MaxLifetimeClosed), p.name, "max_lifetime")
	}
}

var (
	cacheHitsDesc      = prometheus.NewDesc(namespace+"_cache_hits_total", "Cache lookups that found a value.", []string{"cache"}, nil)
	cacheMissesDesc    = prometheus.NewDesc(namespace+"_cache_misses_total", "Cache lookups that had to load the value.", []string{"cache"}, nil)
	cacheEvictionsDesc = prometheus.NewDesc(namespace+"_cache_evictions_total", "Values evicted to keep the cache within its size.", []string{"cache"}, nil)
)

type cacheCollector struct {
	mu     sync.Mutex
	caches []namedCache
}

type namedCache struct {
	name  string
	stats func() CacheStats
}

func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- cacheHitsDesc
	ch <- cacheMissesDesc
	ch <- cacheEvictionsDesc
}

func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	caches := c.caches
	c.mu.Unlock()
	for _, cc := range caches {
		s := cc.stats()
		ch <- prometheus.MustNewConstMetric(cacheHitsDesc, prometheus.CounterValue, float64(s.Hits), cc.name)
		ch <- prometheus.MustNewConstMetric(cacheMissesDesc, prometheus.CounterValue, float64(s.Misses), cc.name)
		ch <- prometheus.MustNewConstMetric(cacheEvictionsDesc, prometheus.CounterValue, float64(s.Evictions), cc.name)
	}
}
