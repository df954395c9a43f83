package loadtest

import (
	"math"
	"strconv"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// How a difference between two runs is judged.
//
// Latency percentiles: each run's percentile gets a distribution-free
// confidence interval from the order statistics of its histogram (binomial
// ranks, see percentileCI); a change is significant when the two intervals
// do not overlap, with the intervals' level chosen so that this is a test at
// 5 % (Bonferroni-corrected for the number of rows), and no resampling.
// The whole distribution (and the mean): a Mann-Whitney U test on the two
// histograms, every bucket a group of tied values with their mean rank and the
// variance corrected for ties; significant when p is below compareAlpha divided
// by the number of rows compared (Bonferroni) and the effect (Vargha-Delaney A,
// the chance that a request of the new run is slower than one of the base) is
// at least "small" (|A - 0.5| ≥ 0.06), so that a huge run does not call a
// microsecond a change.
// Throughput: Mann-Whitney on the per-second request counts of the whole run
// when both runs have enough seconds, else a Poisson test of the two rates.
// Errors: a two-proportion z test.
const (
	compareAlpha     = 0.01
	minEffect        = 0.06
	ciAlpha          = 0.05 // percentile intervals: 95 %, Bonferroni-corrected over the rows
	minSecondsForMWU = 10   // fewer per-second counts cannot reach the levels used here
)

// Comparison is a run set against a stored one.
type Comparison struct {
	BaseID      string
	BaseStart   time.Time
	BaseVersion string
	NewVersion  string
	BaseMachine Machine
	NewMachine  Machine
	Rows        []EndpointComparison // the Aggregated row first, then by name

	base, cur *Result // for the gates, which test at their own level
}

// SameMachine reports whether both runs came from alike machines.
func (c *Comparison) SameMachine() bool { return c.BaseMachine == c.NewMachine }

// EndpointComparison is one endpoint's differences.
type EndpointComparison struct {
	Label                  string
	BaseRequests, Requests int64
	Metrics                []MetricChange
	// MannWhitney compares the whole latency distributions; nil when either run
	// has no requests here.
	MannWhitney *MannWhitney

	base, cur *EndpointStats
}

// Metric returns the named change, or nil.
func (e *EndpointComparison) Metric(name string) *MetricChange {
	for i := range e.Metrics {
		if e.Metrics[i].Metric == name {
			return &e.Metrics[i]
		}
	}
	return nil
}

// MetricChange is one metric of one endpoint in both runs.
type MetricChange struct {
	Metric string // p50, p95, p99, avg, rps, errors
	// Base and New are milliseconds (latencies), requests per second (rps) or a
	// ratio 0-1 (errors).
	Base, New float64
	// Change is (New-Base)/Base for latencies and rps, New-Base for errors.
	Change float64
	// Significant says the difference is unlikely to be noise (see above).
	Significant bool
	// Worse says the change goes the bad way (slower, fewer req/s, more errors).
	Worse  bool
	Detail string // how significance was judged, e.g. the two intervals
}

// Verdict is "regression", "improvement" or "no significant change".
func (m *MetricChange) Verdict() string {
	switch {
	case !m.Significant:
		return "no significant change"
	case m.Worse:
		return "regression"
	default:
		return "improvement"
	}
}

// MannWhitney is the result of the rank test of two latency histograms.
type MannWhitney struct {
	U float64 // for the new run
	Z float64
	P float64 // two-sided
	// A is the probability that a request of the new run is slower than one of
	// the base, ties counted half (0.5: no shift).
	A           float64
	Significant bool
}

// Compare sets res against base.
func Compare(base, res *Result) *Comparison {
	c := &Comparison{BaseID: base.RunID, BaseStart: base.Start, BaseVersion: base.ServerVersion, NewVersion: res.ServerVersion,
		BaseMachine: base.Machine, NewMachine: res.Machine}
	type pair struct{ base, cur *EndpointStats }
	var pairs []pair
	pairs = append(pairs, pair{&base.Total, &res.Total})
	seen := map[string]bool{}
	for i := range res.Endpoints {
		e := &res.Endpoints[i]
		seen[e.Label()] = true
		pairs = append(pairs, pair{findEndpoint(base, e.Label()), e})
	}
	for i := range base.Endpoints {
		if e := &base.Endpoints[i]; !seen[e.Label()] {
			pairs = append(pairs, pair{e, nil})
		}
	}
	for i, p := range pairs {
		b, n := orEmpty(p.base), orEmpty(p.cur)
		label := n.Label()
		if p.cur == nil {
			label = b.Label()
		}
		row := compareRow(label, b, n, base, res, i == 0, 1/float64(len(pairs)))
		row.base, row.cur = b, n
		c.Rows = append(c.Rows, row)
	}
	c.base, c.cur = base, res
	return c
}

// compareRow compares one endpoint. share scales the significance levels: the
// table tests every row at once (share 1/rows, Bonferroni); a gate tests the
// one metric it names (share 1/gates).
func compareRow(label string, b, n *EndpointStats, base, res *Result, whole bool, share float64) EndpointComparison {
	alpha := compareAlpha * share
	row := EndpointComparison{Label: label, BaseRequests: b.Requests, Requests: n.Requests}
	for _, q := range []float64{50, 95, 99} {
		row.Metrics = append(row.Metrics, percentileChange(b, n, q, ciAlpha*share))
	}
	mw := mannWhitney(b.hist, n.hist, b.Requests, n.Requests, alpha)
	row.MannWhitney = mw
	avg := MetricChange{Metric: "avg", Base: millis(b.Mean), New: millis(n.Mean)}
	avg.Change = relChange(avg.Base, avg.New)
	avg.Worse = avg.New > avg.Base
	if mw != nil {
		avg.Significant = mw.Significant
		avg.Detail = mw.describe()
	}
	row.Metrics = append(row.Metrics, avg)
	row.Metrics = append(row.Metrics, throughputChange(b, n, base, res, alpha, whole))
	row.Metrics = append(row.Metrics, errorChange(b, n, alpha))
	return row
}

func findEndpoint(res *Result, label string) *EndpointStats {
	for i := range res.Endpoints {
		if res.Endpoints[i].Label() == label {
			return &res.Endpoints[i]
		}
	}
	return nil
}

func orEmpty(e *EndpointStats) *EndpointStats {
	if e == nil {
		return &EndpointStats{}
	}
	return e
}

func relChange(base, cur float64) float64 {
	if base == 0 {
		if cur == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return (cur - base) / base
}

// percentileCI is the confidence interval (level 1-alpha) of the q-th
// percentile of a histogram of n values, from its order statistics: the
// number of values below the true percentile is binomial(n, q), so the
// values at ranks l and u bracket it with probability P(l <= B < u). Up to
// exactBinomialN values the binomial is summed exactly; above, its normal
// approximation is close. A bound the data cannot give (too few values in the
// tail) is open: 0 below, unbounded above, so a percentile of a handful of
// requests is never called a change.
func percentileCI(h *hdrhistogram.Histogram, n int64, q, alpha float64) (lo, hi time.Duration) {
	if h == nil || n == 0 {
		return 0, 0
	}
	f := q / 100
	l, u := orderStatisticRanks(n, f, alpha)
	at := func(rank int64) time.Duration {
		return time.Duration(h.ValueAtPercentile(100*float64(rank)/float64(n))) * time.Microsecond
	}
	lo, hi = 0, time.Duration(math.MaxInt64)
	if l >= 1 {
		lo = at(l)
	}
	if u <= n {
		hi = at(u)
	}
	return lo, hi
}

// exactBinomialN is the largest sample whose binomial is summed exactly.
const exactBinomialN = 5000

// orderStatisticRanks returns the ranks (1-based) bracketing the f-quantile
// with confidence 1-alpha; l < 1 or u > n mean that side is open.
func orderStatisticRanks(n int64, f, alpha float64) (l, u int64) {
	if n > exactBinomialN || f <= 0 || f >= 1 {
		z := math.Sqrt2 * math.Erfinv(1-alpha)
		k := float64(n) * f
		half := z * math.Sqrt(float64(n)*f*(1-f))
		return int64(math.Floor(k - half)), int64(math.Ceil(k+half)) + 1
	}
	// cdf[j] = P(B <= j), summed from log-space terms to stay finite.
	lf, lq := math.Log(f), math.Log1p(-f)
	cdf := make([]float64, n+1)
	sum := 0.0
	lg1, _ := math.Lgamma(float64(n + 1))
	for j := int64(0); j <= n; j++ {
		lg2, _ := math.Lgamma(float64(j + 1))
		lg3, _ := math.Lgamma(float64(n - j + 1))
		sum += math.Exp(lg1 - lg2 - lg3 + float64(j)*lf + float64(n-j)*lq)
		cdf[j] = sum
	}
	// l: the largest rank with P(B < l) = cdf[l-1] <= alpha/2.
	l = 0
	for r := int64(1); r <= n; r++ {
		if cdf[r-1] <= alpha/2 {
			l = r
		}
	}
	// u: the smallest rank with P(B < u) = cdf[u-1] >= 1 - alpha/2.
	u = n + 1
	for r := int64(1); r <= n; r++ {
		if cdf[r-1] >= 1-alpha/2 {
			u = r
			break
		}
	}
	return l, u
}

func percentileChange(b, n *EndpointStats, q, alpha float64) MetricChange {
	m := MetricChange{Metric: "p" + trimFloat(q), Base: millis(b.Percentile(q)), New: millis(n.Percentile(q))}
	m.Change = relChange(m.Base, m.New)
	m.Worse = m.New > m.Base
	if b.Requests == 0 || n.Requests == 0 {
		m.Detail = "no requests in one run"
		return m
	}
	// Two intervals that do not overlap are a test at a far stricter level
	// than their own; intervals whose z is the test's divided by √2 make
	// non-overlap a test at about alpha (83 % intervals for a 5 % test, when the
	// two are alike in width; Goldstein and Healy 1995).
	level := math.Erfc(math.Erfinv(1-alpha) / math.Sqrt2)
	bl, bh := percentileCI(b.hist, b.Requests, q, level)
	nl, nh := percentileCI(n.hist, n.Requests, q, level)
	m.Significant = nl > bh || nh < bl
	m.Detail = strconv.FormatFloat(100*(1-level), 'f', 1, 64) + "% CI " + formatBound(bl) + "-" + formatBound(bh) + " vs " + formatBound(nl) + "-" + formatBound(nh)
	return m
}

// mannWhitney runs the rank test on two histograms; nil when one is empty.
func formatBound(d time.Duration) string {
	if d == time.Duration(math.MaxInt64) {
		return "open"
	}
	return formatLatency(d)
}

func mannWhitney(base, cur *hdrhistogram.Histogram, nBase, nCur int64, alpha float64) *MannWhitney {
	if base == nil || cur == nil || nBase == 0 || nCur == 0 {
		return nil
	}
	bb, cb := nonEmptyBars(base), nonEmptyBars(cur)
	n1, n2 := float64(nBase), float64(nCur)
	// Walk the union of bucket values in order; every value's counts from both
	// runs share the mean of the ranks they occupy.
	var rank, rCur, ties float64
	i, j := 0, 0
	for i < len(bb) || j < len(cb) {
		var v int64
		switch {
		case i == len(bb):
			v = cb[j].From
		case j == len(cb):
			v = bb[i].From
		default:
			v = min(bb[i].From, cb[j].From)
		}
		var a, c float64
		if i < len(bb) && bb[i].From == v {
			a = float64(bb[i].Count)
			i++
		}
		if j < len(cb) && cb[j].From == v {
			c = float64(cb[j].Count)
			j++
		}
		t := a + c
		mean := rank + (t+1)/2
		rCur += c * mean
		rank += t
		ties += t*t*t - t
	}
	n := n1 + n2
	u := rCur - n2*(n2+1)/2
	mu := n1 * n2 / 2
	variance := n1 * n2 / 12 * ((n + 1) - ties/(n*(n-1)))
	mw := &MannWhitney{U: u, A: u / (n1 * n2), P: 1}
	if variance > 0 {
		mw.Z = (u - mu) / math.Sqrt(variance)
		mw.P = math.Erfc(math.Abs(mw.Z) / math.Sqrt2)
	}
	mw.Significant = mw.P < alpha && math.Abs(mw.A-0.5) >= minEffect
	return mw
}

func nonEmptyBars(h *hdrhistogram.Histogram) []hdrhistogram.Bar {
	var out []hdrhistogram.Bar
	for _, b := range h.Distribution() {
		if b.Count > 0 {
			out = append(out, b)
		}
	}
	return out
}

func (m *MannWhitney) describe() string {
	return "Mann-Whitney p=" + formatP(m.P) + ", A=" + trimFloat(math.Round(m.A*1000)/1000)
}

func formatP(p float64) string {
	if p < 0.0001 {
		return "<0.0001"
	}
	return trimFloat(math.Round(p*10000) / 10000)
}

// throughputChange compares req/s. For the whole run it tests the per-second
// request counts (which carry the run's own ups and downs); for one endpoint,
// whose per-second counts are not kept, the two totals as Poisson counts.
func throughputChange(b, n *EndpointStats, baseRes, res *Result, alpha float64, whole bool) MetricChange {
	m := MetricChange{Metric: "rps", Base: b.RequestsPerSecond, New: n.RequestsPerSecond}
	m.Change = relChange(m.Base, m.New)
	m.Worse = m.New < m.Base
	bs, ns := steadySeconds(baseRes), steadySeconds(res)
	if whole && len(bs) >= minSecondsForMWU && len(ns) >= minSecondsForMWU {
		p, a := mannWhitneySamples(bs, ns)
		m.Significant = p < alpha && math.Abs(a-0.5) >= minEffect
		m.Detail = "Mann-Whitney on per-second counts p=" + formatP(p)
		return m
	}
	bt, nt := baseRes.Duration().Seconds(), res.Duration().Seconds()
	if bt <= 0 || nt <= 0 || b.Requests+n.Requests == 0 {
		m.Detail = "too little data"
		return m
	}
	se := math.Sqrt(float64(b.Requests)/(bt*bt) + float64(n.Requests)/(nt*nt))
	if se > 0 {
		z := (m.New - m.Base) / se
		p := math.Erfc(math.Abs(z) / math.Sqrt2)
		m.Significant = p < alpha
		m.Detail = "Poisson rate test p=" + formatP(p)
	}
	return m
}

// steadySeconds are a run's per-second request counts once every user was
// running, without the last (partial) second.
func steadySeconds(res *Result) []float64 {
	var out []float64
	for i, p := range res.History {
		if i == len(res.History)-1 || p.Users < res.Users {
			continue
		}
		out = append(out, float64(p.Requests))
	}
	return out
}

// mannWhitneySamples is the rank test on two small samples: p two-sided and A,
// the chance that a value of cur is above one of base.
func mannWhitneySamples(base, cur []float64) (p, a float64) {
	var u float64
	for _, c := range cur {
		for _, b := range base {
			switch {
			case c > b:
				u++
			case c == b:
				u += 0.5
			}
		}
	}
	n1, n2 := float64(len(base)), float64(len(cur))
	// Ties are few among request counts; the plain variance is close enough.
	sd := math.Sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
	z := (u - n1*n2/2) / sd
	return math.Erfc(math.Abs(z) / math.Sqrt2), u / (n1 * n2)
}

func errorChange(b, n *EndpointStats, alpha float64) MetricChange {
	m := MetricChange{Metric: "errors", Base: b.FailureRatio(), New: n.FailureRatio()}
	m.Change = m.New - m.Base
	m.Worse = m.New > m.Base
	n1, n2 := float64(b.Requests), float64(n.Requests)
	if n1 == 0 || n2 == 0 {
		m.Detail = "no requests in one run"
		return m
	}
	pooled := float64(b.Failures+n.Failures) / (n1 + n2)
	se := math.Sqrt(pooled * (1 - pooled) * (1/n1 + 1/n2))
	if se == 0 {
		m.Detail = "no difference"
		return m
	}
	z := (m.New - m.Base) / se
	p := math.Erfc(math.Abs(z) / math.Sqrt2)
	m.Significant = p < alpha
	m.Detail = "two-proportion z test p=" + formatP(p)
	return m
}
