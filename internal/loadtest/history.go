package loadtest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// historyFile is the SQLite file inside --history-dir.
const historyFile = "loadtest.db"

// historySchema is the history file's whole schema. It is the load test's own
// file, not the server's database, so it is created here rather than by a
// migration; CREATE IF NOT EXISTS keeps older files usable.
const historySchema = `
CREATE TABLE IF NOT EXISTS runs (
	id             TEXT PRIMARY KEY,
	started_at     TEXT NOT NULL,
	ended_at       TEXT NOT NULL,
	model          TEXT NOT NULL,
	hosts          TEXT NOT NULL,
	options        TEXT NOT NULL,
	server_version TEXT NOT NULL,
	cpu_model      TEXT NOT NULL,
	cores          INTEGER NOT NULL,
	requests       INTEGER NOT NULL,
	failures       INTEGER NOT NULL,
	rps            REAL NOT NULL,
	p50_us         INTEGER NOT NULL,
	p99_us         INTEGER NOT NULL,
	slo_met        INTEGER,          -- NULL: no targets were given
	slo            TEXT NOT NULL,     -- JSON: the targets and verdicts
	interrupted    INTEGER NOT NULL,
	abandoned      INTEGER NOT NULL,
	seconds        TEXT NOT NULL,     -- JSON: per-second requests, failures, users
	extras         TEXT NOT NULL      -- JSON: job tracking and server resources, when measured
);
CREATE INDEX IF NOT EXISTS runs_started ON runs (started_at);
CREATE TABLE IF NOT EXISTS run_endpoints (
	run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	method     TEXT NOT NULL,         -- empty for the Aggregated row
	name       TEXT NOT NULL,
	requests   INTEGER NOT NULL,
	failures   INTEGER NOT NULL,
	bytes      INTEGER NOT NULL,
	min_ns     INTEGER NOT NULL,
	max_ns     INTEGER NOT NULL,
	mean_ns    INTEGER NOT NULL,
	rps        REAL NOT NULL,
	fps        REAL NOT NULL,
	percentiles TEXT NOT NULL,        -- JSON: Locust's percentiles in microseconds
	histogram  BLOB,                  -- HdrHistogram V2 compressed encoding, microseconds
	PRIMARY KEY (run_id, method, name)
);
CREATE TABLE IF NOT EXISTS baselines (
	name       TEXT PRIMARY KEY,
	run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	created_at TEXT NOT NULL
);
`

// History is the store of past runs: one SQLite file under --history-dir.
type History struct {
	db *sql.DB
}

// OpenHistory opens (creating when needed) the history under dir.
func OpenHistory(dir string) (*History, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil { // #nosec G301 -- a results directory meant to be shared, as mkdir -p makes it
		return nil, fmt.Errorf("history directory: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, historyFile)+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	// One connection: two load tests finishing at once take turns, and no
	// deferred transaction meets SQLITE_BUSY (DESIGN.md).
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(historySchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("history %s: %w", filepath.Join(dir, historyFile), err)
	}
	return &History{db: db}, nil
}

// Close closes the file.
func (h *History) Close() error { return h.db.Close() }

// storedOptions is the part of Options worth keeping with a run.
type storedOptions struct {
	Hosts       []string `json:"hosts"`
	Users       int      `json:"users"`
	SpawnRate   float64  `json:"spawn_rate"`
	RunTimeS    float64  `json:"run_time_s"`
	NoWait      bool     `json:"no_wait"`
	Rate        float64  `json:"rate,omitempty"`
	MaxInFlight int      `json:"max_inflight"`
	TimeoutS    float64  `json:"timeout_s"`
	TrackJobs   bool     `json:"track_jobs,omitempty"`
	SLOs        []string `json:"slos,omitempty"`
}

// storedSecond is one history point, as much of it as comparisons need.
type storedSecond struct {
	ElapsedS float64 `json:"t"`
	Requests int64   `json:"r"`
	Failures int64   `json:"f"`
	Users    int     `json:"u"`
}

// storedExtras are the failures table and the optional measurements of a run.
type storedExtras struct {
	Failures  []FailureStats `json:"failures,omitempty"`
	Jobs      *JobStats      `json:"jobs,omitempty"`
	Resources *ResourceStats `json:"resources,omitempty"`
}

type storedSLO struct {
	Endpoint string `json:"endpoint"`
	Spec     string `json:"spec"`
	Observed string `json:"observed"`
	Met      bool   `json:"met"`
	Message  string `json:"message"`
}

// Save stores a finished run. A run already stored (same id) is an error.
func (h *History) Save(ctx context.Context, res *Result) error {
	opts, _ := json.Marshal(storedOptions{
		Hosts: res.Hosts, Users: res.Users, SpawnRate: res.SpawnRate, RunTimeS: res.RunTime.Seconds(),
		NoWait: res.NoWait, Rate: res.Rate, MaxInFlight: res.MaxInFlight, TimeoutS: res.Timeout.Seconds(),
		TrackJobs: res.Jobs != nil, SLOs: sloSpecs(res.SLOs),
	})
	seconds := make([]storedSecond, 0, len(res.History))
	for _, p := range res.History {
		seconds = append(seconds, storedSecond{ElapsedS: p.Elapsed.Seconds(), Requests: p.Requests, Failures: p.Failures, Users: p.Users})
	}
	secJSON, _ := json.Marshal(seconds)
	slos := make([]storedSLO, 0, len(res.SLOs))
	for _, s := range res.SLOs {
		slos = append(slos, storedSLO{Endpoint: s.SLO.Endpoint, Spec: s.SLO.Spec, Observed: s.Observed, Met: s.Met, Message: s.Message})
	}
	sloJSON, _ := json.Marshal(slos)
	extras, _ := json.Marshal(storedExtras{Failures: res.Failures, Jobs: res.Jobs, Resources: res.Resources})
	var sloMet any
	if len(res.SLOs) > 0 {
		sloMet = res.SLOsMet()
	}

	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO runs (id, started_at, ended_at, model, hosts, options, server_version,
		cpu_model, cores, requests, failures, rps, p50_us, p99_us, slo_met, slo, interrupted, abandoned, seconds, extras)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		res.RunID, res.Start.UTC().Format(time.RFC3339Nano), res.End.UTC().Format(time.RFC3339Nano), res.Model,
		strings.Join(res.Hosts, " "), string(opts), res.ServerVersion, res.Machine.CPUModel, res.Machine.Cores,
		res.Total.Requests, res.Total.Failures, res.Total.RequestsPerSecond,
		res.Total.Percentile(50).Microseconds(), res.Total.Percentile(99).Microseconds(),
		sloMet, string(sloJSON), res.Interrupted, res.Abandoned, string(secJSON), string(extras))
	if err != nil {
		return fmt.Errorf("store run %s: %w", res.RunID, err)
	}
	rows := append([]*EndpointStats{&res.Total}, endpointPointers(res.Endpoints)...)
	for _, e := range rows {
		pcts := make([]int64, 0, len(reportPercentiles))
		for _, d := range e.Percentiles() {
			pcts = append(pcts, d.Microseconds())
		}
		pctJSON, _ := json.Marshal(pcts)
		var blob []byte
		if e.hist != nil {
			if blob, err = e.hist.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err != nil {
				return fmt.Errorf("encode histogram of %s: %w", e.Label(), err)
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO run_endpoints (run_id, method, name, requests, failures, bytes,
			min_ns, max_ns, mean_ns, rps, fps, percentiles, histogram) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			res.RunID, e.Method, e.Name, e.Requests, e.Failures, e.ContentBytes, int64(e.Min), int64(e.Max), int64(e.Mean),
			e.RequestsPerSecond, e.FailuresPerSecond, string(pctJSON), blob)
		if err != nil {
			return fmt.Errorf("store run %s, %s: %w", res.RunID, e.Label(), err)
		}
	}
	return tx.Commit()
}

func endpointPointers(eps []EndpointStats) []*EndpointStats {
	out := make([]*EndpointStats, len(eps))
	for i := range eps {
		out[i] = &eps[i]
	}
	return out
}

func sloSpecs(rs []SLOResult) []string {
	var out []string
	for _, s := range rs {
		spec := s.SLO.Spec
		if s.SLO.Endpoint != "" {
			spec = s.SLO.Endpoint + ":" + spec
		}
		out = append(out, spec)
	}
	return out
}

// RunSummary is one line of `loadtest history`.
type RunSummary struct {
	ID            string
	Start         time.Time
	Duration      time.Duration
	Model         string
	Hosts         string
	ServerVersion string
	Requests      int64
	Failures      int64
	RPS           float64
	P50, P99      time.Duration
	SLOMet        *bool
	Baselines     []string
}

// ErrRunNotFound is returned when no stored run matches a reference.
var ErrRunNotFound = errors.New("no such run")

// List returns the stored runs, newest first, at most limit (0: all).
func (h *History) List(ctx context.Context, limit int) ([]RunSummary, error) {
	q := `SELECT r.id, r.started_at, r.ended_at, r.model, r.hosts, r.server_version, r.requests, r.failures, r.rps,
		r.p50_us, r.p99_us, r.slo_met, COALESCE((SELECT group_concat(b.name, ',') FROM baselines b WHERE b.run_id = r.id), '')
		FROM runs r ORDER BY r.started_at DESC, r.id LIMIT ?`
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := h.db.QueryContext(ctx, q, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RunSummary
	for rows.Next() {
		var s RunSummary
		var start, end, baselines string
		var p50, p99 int64
		var met sql.NullBool
		if err := rows.Scan(&s.ID, &start, &end, &s.Model, &s.Hosts, &s.ServerVersion, &s.Requests, &s.Failures, &s.RPS,
			&p50, &p99, &met, &baselines); err != nil {
			return nil, err
		}
		s.Start, _ = time.Parse(time.RFC3339Nano, start)
		e, _ := time.Parse(time.RFC3339Nano, end)
		s.Duration = e.Sub(s.Start)
		s.P50, s.P99 = time.Duration(p50)*time.Microsecond, time.Duration(p99)*time.Microsecond
		if met.Valid {
			s.SLOMet = &met.Bool
		}
		if baselines != "" {
			s.Baselines = strings.Split(baselines, ",")
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Resolve turns a reference into a run id: "latest" (the newest run), a
// baseline name, a whole run id or an unambiguous prefix of one.
func (h *History) Resolve(ctx context.Context, ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", errors.New("empty run reference")
	}
	var id string
	if ref == "latest" {
		err := h.db.QueryRowContext(ctx, `SELECT id FROM runs ORDER BY started_at DESC, id LIMIT 1`).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("latest: %w (the history is empty)", ErrRunNotFound)
		}
		return id, err
	}
	err := h.db.QueryRowContext(ctx, `SELECT run_id FROM baselines WHERE name = ?`, ref).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	rows, err := h.db.QueryContext(ctx, `SELECT id FROM runs WHERE substr(id, 1, length(?)) = ? ORDER BY id LIMIT 2`, ref, ref)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", err
		}
		ids = append(ids, s)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	switch len(ids) {
	case 0:
		return "", fmt.Errorf("%q: %w (want a run id from 'omnivibe loadtest history', a baseline name, or latest)", ref, ErrRunNotFound)
	case 1:
		return ids[0], nil
	default:
		return "", fmt.Errorf("%q matches more than one run; give more of the id", ref)
	}
}

// Load reads a stored run back into a Result: its options, statistics,
// per-endpoint histograms, per-second counts, failures table and extras (not
// the per-second percentiles, which the history does not keep).
func (h *History) Load(ctx context.Context, ref string) (*Result, error) {
	id, err := h.Resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	res := &Result{RunID: id}
	var start, end, hosts, opts, slo, seconds, extras string
	var met sql.NullBool
	err = h.db.QueryRowContext(ctx, `SELECT started_at, ended_at, model, hosts, options, server_version, cpu_model, cores,
		slo_met, slo, interrupted, abandoned, seconds, extras FROM runs WHERE id = ?`, id).
		Scan(&start, &end, &res.Model, &hosts, &opts, &res.ServerVersion, &res.Machine.CPUModel, &res.Machine.Cores,
			&met, &slo, &res.Interrupted, &res.Abandoned, &seconds, &extras)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	res.Start, _ = time.Parse(time.RFC3339Nano, start)
	res.End, _ = time.Parse(time.RFC3339Nano, end)
	var o storedOptions
	if err := json.Unmarshal([]byte(opts), &o); err != nil {
		return nil, fmt.Errorf("run %s options: %w", id, err)
	}
	res.Hosts, res.Users, res.SpawnRate, res.NoWait, res.Rate, res.MaxInFlight = o.Hosts, o.Users, o.SpawnRate, o.NoWait, o.Rate, o.MaxInFlight
	res.RunTime = time.Duration(o.RunTimeS * float64(time.Second))
	res.Timeout = time.Duration(o.TimeoutS * float64(time.Second))
	var slos []storedSLO
	if err := json.Unmarshal([]byte(slo), &slos); err != nil {
		return nil, fmt.Errorf("run %s targets: %w", id, err)
	}
	for _, s := range slos {
		res.SLOs = append(res.SLOs, SLOResult{SLO: SLO{Endpoint: s.Endpoint, Spec: s.Spec}, Met: s.Met, Observed: s.Observed, Message: s.Message})
	}
	var secs []storedSecond
	if err := json.Unmarshal([]byte(seconds), &secs); err != nil {
		return nil, fmt.Errorf("run %s seconds: %w", id, err)
	}
	for _, s := range secs {
		res.History = append(res.History, HistoryPoint{Elapsed: time.Duration(s.ElapsedS * float64(time.Second)),
			Requests: s.Requests, Failures: s.Failures, Users: s.Users})
	}
	var ex storedExtras
	if err := json.Unmarshal([]byte(extras), &ex); err != nil {
		return nil, fmt.Errorf("run %s extras: %w", id, err)
	}
	res.Failures, res.Jobs, res.Resources = ex.Failures, ex.Jobs, ex.Resources

	rows, err := h.db.QueryContext(ctx, `SELECT method, name, requests, failures, bytes, min_ns, max_ns, mean_ns, rps, fps, histogram
		FROM run_endpoints WHERE run_id = ? ORDER BY name, method`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e EndpointStats
		var minNs, maxNs, meanNs int64
		var blob []byte
		if err := rows.Scan(&e.Method, &e.Name, &e.Requests, &e.Failures, &e.ContentBytes, &minNs, &maxNs, &meanNs,
			&e.RequestsPerSecond, &e.FailuresPerSecond, &blob); err != nil {
			return nil, err
		}
		e.Min, e.Max, e.Mean = time.Duration(minNs), time.Duration(maxNs), time.Duration(meanNs)
		if len(blob) > 0 {
			if e.hist, err = hdrhistogram.Decode(blob); err != nil {
				return nil, fmt.Errorf("run %s, %s: histogram: %w", id, e.Label(), err)
			}
		}
		if e.Method == "" {
			res.Total = e
		} else {
			res.Endpoints = append(res.Endpoints, e)
		}
	}
	return res, rows.Err()
}

// SetBaseline names a stored run (replacing the run a name pointed at).
func (h *History) SetBaseline(ctx context.Context, name, ref string) (string, error) {
	if err := validBaselineName(name); err != nil {
		return "", err
	}
	id, err := h.Resolve(ctx, ref)
	if err != nil {
		return "", err
	}
	_, err = h.db.ExecContext(ctx, `INSERT INTO baselines (name, run_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET run_id = excluded.run_id, created_at = excluded.created_at`,
		name, id, time.Now().UTC().Format(time.RFC3339Nano))
	return id, err
}

// validBaselineName keeps names from shadowing what Resolve understands.
func validBaselineName(name string) error {
	switch {
	case name == "" || len(name) > 64:
		return errors.New("a baseline name is 1-64 characters")
	case name == "latest":
		return errors.New(`"latest" always means the newest run; choose another baseline name`)
	case strings.ContainsAny(name, " \t\n,:"):
		return fmt.Errorf("baseline name %q: no spaces, commas or colons", name)
	}
	return nil
}

// Baseline is one named run.
type Baseline struct {
	Name    string
	RunID   string
	Created time.Time
}

// Baselines lists the named runs by name.
func (h *History) Baselines(ctx context.Context) ([]Baseline, error) {
	rows, err := h.db.QueryContext(ctx, `SELECT name, run_id, created_at FROM baselines ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Baseline
	for rows.Next() {
		var b Baseline
		var created string
		if err := rows.Scan(&b.Name, &b.RunID, &created); err != nil {
			return nil, err
		}
		b.Created, _ = time.Parse(time.RFC3339Nano, created)
		out = append(out, b)
	}
	return out, rows.Err()
}

// DeleteBaseline removes a name (the run stays).
func (h *History) DeleteBaseline(ctx context.Context, name string) error {
	r, err := h.db.ExecContext(ctx, `DELETE FROM baselines WHERE name = ?`, name)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("no baseline named %q", name)
	}
	return nil
}
