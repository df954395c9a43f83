#!/usr/bin/env bash
# The load scenario at saturation against (a) the cluster of
# scripts/cluster.sh (two replicas and two workers on PostgreSQL + Redis)
# and (b) one embedded `omnivibe serve` (SQLite, in-process workers), on
# this machine, with the same command:
#
#   omnivibe loadtest --no-wait -u 100 -r 50 -t 60s --host ... [--host ...]
#
# Each run starts from an empty database; the runs alternate (a, b, a, b...)
# so that other work on the machine weighs on both alike. Both use the
# synthetic voice (no engine: the workers' cost is the queue and the
# database, not speech), the default bcrypt cost and the default workers.
# Prints one line per run (with the load average before it) and per-endpoint
# percentiles; the JSON reports stay in .cluster-bench/results.
#
# Each load test is followed by a wrk -t2 -c100 -d10s run on the bare Go JSON
# handler of scripts/bench/ceiling (the first is preceded by one too), and its
# answers that were not errors per second are printed as a ratio to the
# ceiling's runs either side of it.
#
# Usage: scripts/bench/scale-out.sh [runs per setup, default 3] [run time, default 60s]
# Takes about runs x 2 x (run time + 25 s) + 10 s.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/scripts/bench/ceiling.sh"
runs=${1:-3}
runtime=${2:-60s}
top=$repo/.cluster-bench
results=$top/results
cluster="$repo/scripts/cluster.sh"
export OMNIVIBE_CLUSTER_DIR=$top/cluster CLUSTER_DB=omnivibe_bench CLUSTER_PORT_BASE=8080 REDIS_URL=redis://127.0.0.1:6379/3
export OMNIVIBE_TTS=synthetic OMNIVIBE_STT=none OMNIVIBE_LOG_LEVEL=warn
unset DATABASE_URL
embedded_port=8089
mkdir -p "$results"

embedded_pid=""
cleanup() {
  "$cluster" stop >/dev/null 2>&1 || true
  if [ -n "$embedded_pid" ]; then kill "$embedded_pid" 2>/dev/null || true; fi
  ceiling_stop
}
trap cleanup EXIT

loadtest() { # NAME HOST...
  local name=$1
  shift
  local args=()
  for h in "$@"; do args+=(--host "$h"); done
  echo "$name $(cut -d' ' -f1-3 /proc/loadavg)" >>"$results/loadavg"
  "$top/cluster/omnivibe" loadtest --no-wait -u 100 -r 50 -t "$runtime" "${args[@]}" \
    --json "$results/$name.json" >"$results/$name.txt" 2>/dev/null
  ceiling_measure 10s >/dev/null
  ceiling_ratio "$name (answers that were not errors)" "$(loadtest_ok_rps "$results/$name.json")" "$(loadtest_p99 "$results/$name.json")" >>"$results/ratios"
}

# tasks NAME QUERY-COMMAND...: the voice-over tasks by status the moment the
# load test ended: how many the workers finished during the run.
tasks() {
  local name=$1
  shift
  "$@" >"$results/$name.tasks"
}
by_status="SELECT status, count(*) FROM audio_tasks GROUP BY status"

: >"$results/loadavg"
: >"$results/ratios"
ceiling_start "$results"
ceiling_measure 10s >/dev/null
for i in $(seq 1 "$runs"); do
  # (a) the cluster, on a fresh database.
  if [ -f "$top/cluster/env" ]; then "$cluster" destroy 2>/dev/null; fi
  "$cluster" start 2>/dev/null
  sleep 2
  loadtest "cluster-$i" http://127.0.0.1:8081 http://127.0.0.1:8082
  # shellcheck disable=SC1091
  tasks "cluster-$i" psql -X -A -F ' ' -t "$(. "$top/cluster/env" && echo "$DATABASE_URL")" -c "$by_status"
  "$cluster" stop 2>/dev/null

  # (b) one embedded server, on a fresh data directory.
  data=$(mktemp -d)
  OMNIVIBE_DATA_DIR=$data OMNIVIBE_ADDR=127.0.0.1:$embedded_port setsid "$top/cluster/omnivibe" serve \
    </dev/null >/dev/null 2>"$results/embedded-$i.log" &
  embedded_pid=$!
  for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$embedded_port/readyz" && break; sleep 0.1; done
  sleep 2
  loadtest "embedded-$i" "http://127.0.0.1:$embedded_port"
  tasks "embedded-$i" python3 -c "import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print(*row)" "$data/omnivibe.db" "$by_status"
  kill "$embedded_pid"
  wait "$embedded_pid" 2>/dev/null || true
  embedded_pid=""
  rm -rf "$data"
done
"$cluster" destroy >/dev/null 2>&1 || true

python3 - "$results" "$runs" <<'PY'
import json, statistics, sys
results, runs = sys.argv[1], int(sys.argv[2])
load = dict(l.split(None, 1) for l in open(f"{results}/loadavg"))
def row(e):
    p = e["percentiles_ms"]
    return f"{e['requests_per_s']:7.1f} req/s  p50 {p['p50']:6.1f}  p95 {p['p95']:6.1f}  p99 {p['p99']:7.1f} ms  failures {e['failures']}"
per = {}
for setup in ("cluster", "embedded"):
    for i in range(1, runs + 1):
        name = f"{setup}-{i}"
        r = json.load(open(f"{results}/{name}.json"))
        t = r["total"]
        done = {k: int(v) for k, v in (l.split() for l in open(f"{results}/{name}.tasks") if l.strip())}
        print(f"{name:11s} {row(t)} ({(t['requests'] - t['failures']) / r['duration_s']:.0f} ok/s); "
              f"voice-overs done {done.get('succeeded', 0) / r['duration_s']:.1f}/s, "
              f"{done.get('queued', 0)} queued at the end; load average before: {load[name].strip()}")
        per.setdefault(setup, []).append(r)
print()
for setup, rs in per.items():
    rps = [r["total"]["requests_per_s"] for r in rs]
    p99 = [r["total"]["percentiles_ms"]["p99"] for r in rs]
    print(f"{setup}: req/s median {statistics.median(rps):.1f} (range {min(rps):.1f}-{max(rps):.1f}); "
          f"p99 median {statistics.median(p99):.1f} ms (range {min(p99):.1f}-{max(p99):.1f})")
    names = [e["method"] + " " + e["name"] for e in rs[0]["endpoints"]]
    for n in names:
        cells = []
        for r in rs:
            e = next(e for e in r["endpoints"] if e["method"] + " " + e["name"] == n)
            p = e["percentiles_ms"]
            cells.append(f"{p['p50']:.1f}/{p['p95']:.1f}/{p['p99']:.1f}")
        print(f"  {n:40s} p50/p95/p99 ms per run: " + "  ".join(cells))
PY
echo
echo "== ratios to the bare Go JSON handler (wrk -t2 -c100 -d10s after each run), same run"
cat "$results/ratios"
ceiling_summary
