package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/omnivibepro/omnivibe/client"
)

// resourceEvery is how often an open-model run reads the servers' /metrics.
const resourceEvery = 10 * time.Second

// ResourceStats are the servers' own resource readings during an open-model
// run, one sample every ten seconds per host, with the trend of each.
type ResourceStats struct {
	Hosts []HostResources `json:"hosts"`
}

// Growing reports whether any host's resource use was flagged as growing.
func (r *ResourceStats) Growing() bool {
	for _, h := range r.Hosts {
		for _, t := range h.Trends {
			if t.Growing {
				return true
			}
		}
	}
	return false
}

// HostResources are one server's samples and trends.
type HostResources struct {
	Host    string           `json:"host"`
	Samples []ResourceSample `json:"samples"`
	Trends  []ResourceTrend  `json:"trends"`
	Errors  int              `json:"errors"` // scrapes that failed
}

// ResourceSample is one reading, next to the generator's latencies of the same
// ten seconds. A metric the server did not expose is -1.
type ResourceSample struct {
	ElapsedS   float64 `json:"elapsed_s"`
	RSSBytes   float64 `json:"rss_bytes"`
	Goroutines float64 `json:"goroutines"`
	OpenFDs    float64 `json:"open_fds"`
	RPS        float64 `json:"window_rps"`
	P50Ms      float64 `json:"window_p50_ms"`
	P95Ms      float64 `json:"window_p95_ms"`
}

// ResourceTrend is the least-squares line through one metric's samples.
type ResourceTrend struct {
	Metric string  `json:"metric"` // rss_bytes, goroutines, open_fds
	First  float64 `json:"first"`
	Last   float64 `json:"last"`
	// SlopePerHour is the fitted growth per hour; R2 how well a line fits.
	SlopePerHour float64 `json:"slope_per_hour"`
	R2           float64 `json:"r2"`
	// Growing is set when the fitted growth over the run is past the metric's
	// threshold and a line explains most of the variation (R² ≥ 0.5): steady
	// growth, not one burst.
	Growing bool   `json:"growing"`
	Note    string `json:"note,omitempty"`
}

// growthThreshold is how much a metric may grow over a run (by the fitted
// line) before it is flagged: the larger of a share of its mean and a floor.
var growthThreshold = map[string]struct{ share, floor float64 }{
	"rss_bytes":  {0.20, 16 << 20},
	"goroutines": {0.20, 50},
	"open_fds":   {0.20, 20},
}

// parseProcessMetrics reads the three readings from a Prometheus text page.
func parseProcessMetrics(r io.Reader) (rss, goroutines, fds float64) {
	rss, goroutines, fds = -1, -1, -1
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest, ok := strings.Cut(line, " ")
		if !ok || strings.Contains(name, "{") {
			continue // the three are unlabelled gauges
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			continue
		}
		switch name {
		case "process_resident_memory_bytes":
			rss = v
		case "go_goroutines":
			goroutines = v
		case "process_open_fds":
			fds = v
		}
	}
	return rss, goroutines, fds
}

// resourceWatcher scrapes every host's /metrics through the API client.
type resourceWatcher struct {
	clients []*client.Client
	hosts   []HostResources
	mu      sync.Mutex
}

func newResourceWatcher(transport http.RoundTripper, opts Options) *resourceWatcher {
	w := &resourceWatcher{}
	hc := &http.Client{Transport: transport, Timeout: min(opts.Timeout, 5*time.Second)}
	for _, h := range opts.Hosts {
		w.clients = append(w.clients, client.New(h, client.WithHTTPClient(hc), client.WithUserAgent(userAgent[0]),
			client.WithMetricsToken(opts.MetricsToken)))
		w.hosts = append(w.hosts, HostResources{Host: h})
	}
	return w
}

// sample reads every host once and returns a line for the progress output.
func (w *resourceWatcher) sample(ctx context.Context, elapsed time.Duration, p HistoryPoint) string {
	var parts []string
	for i, c := range w.clients {
		text, err := c.Metrics(ctx)
		w.mu.Lock()
		h := &w.hosts[i]
		if err != nil {
			h.Errors++
			w.mu.Unlock()
			parts = append(parts, fmt.Sprintf("%s: /metrics failed", h.Host))
			continue
		}
		rss, g, fds := parseProcessMetrics(strings.NewReader(text))
		h.Samples = append(h.Samples, ResourceSample{ElapsedS: elapsed.Seconds(), RSSBytes: rss, Goroutines: g, OpenFDs: fds,
			RPS: p.WindowRequestsPerSecond, P50Ms: millis(p.WindowP50), P95Ms: millis(p.WindowP95)})
		w.mu.Unlock()
		parts = append(parts, fmt.Sprintf("%s: rss %s goroutines %s fds %s", h.Host, formatBytes(rss), formatCount(g), formatCount(fds)))
	}
	return fmt.Sprintf("resources at %s | %s | req/s %.1f p50 %s p95 %s", elapsed.Truncate(time.Second),
		strings.Join(parts, "; "), p.WindowRequestsPerSecond, formatLatency(p.WindowP50), formatLatency(p.WindowP95))
}

func (w *resourceWatcher) stats() *ResourceStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := &ResourceStats{}
	for _, h := range w.hosts {
		h.Trends = nil
		for _, m := range []string{"rss_bytes", "goroutines", "open_fds"} {
			h.Trends = append(h.Trends, trendOf(m, h.Samples))
		}
		out.Hosts = append(out.Hosts, h)
	}
	return out
}

// trendOf fits a line through one metric's samples.
func trendOf(metric string, samples []ResourceSample) ResourceTrend {
	t := ResourceTrend{Metric: metric}
	var xs, ys []float64
	for _, s := range samples {
		v := map[string]float64{"rss_bytes": s.RSSBytes, "goroutines": s.Goroutines, "open_fds": s.OpenFDs}[metric]
		if v >= 0 {
			xs, ys = append(xs, s.ElapsedS), append(ys, v)
		}
	}
	if len(ys) == 0 {
		t.Note = "not exposed by the server"
		return t
	}
	t.First, t.Last = ys[0], ys[len(ys)-1]
	if len(ys) < 3 {
		t.Note = "fewer than 3 samples: no trend"
		return t
	}
	slope, r2 := linearFit(xs, ys)
	t.SlopePerHour, t.R2 = slope*3600, r2
	var mean float64
	for _, y := range ys {
		mean += y
	}
	mean /= float64(len(ys))
	th := growthThreshold[metric]
	growth := slope * (xs[len(xs)-1] - xs[0])
	t.Growing = growth > math.Max(th.share*mean, th.floor) && r2 >= 0.5
	if t.Growing {
		t.Note = fmt.Sprintf("grew steadily by %.0f%% of its mean over the run", growth/mean*100)
	}
	return t
}

// linearFit is ordinary least squares: the slope and R².
func linearFit(xs, ys []float64) (slope, r2 float64) {
	n := float64(len(xs))
	var sx, sy, sxx, sxy, syy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
		sxx += xs[i] * xs[i]
		sxy += xs[i] * ys[i]
		syy += ys[i] * ys[i]
	}
	vx := sxx - sx*sx/n
	vy := syy - sy*sy/n
	cxy := sxy - sx*sy/n
	if vx == 0 {
		return 0, 0
	}
	slope = cxy / vx
	if vy == 0 {
		return slope, 1 // a flat line fits exactly
	}
	return slope, cxy * cxy / (vx * vy)
}

func formatBytes(b float64) string {
	if b < 0 {
		return "n/a"
	}
	return strconv.FormatFloat(b/(1<<20), 'f', 1, 64) + "MB"
}

func formatCount(v float64) string {
	if v < 0 {
		return "n/a"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}
