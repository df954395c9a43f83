#!/usr/bin/env bash
# Sign-up bursts as outside tools see them, on a fresh embedded server with
# the synthetic voice and the default password hashing (Argon2id, in the
# bounded pool), each run on a fresh data directory:
#  1. Locust, the report's scenario (loadtest/locustfile.py): 100 users,
#     spawn rate 10/s, 45 s, headless (apt-get install python3-locust);
#  2. omnivibe loadtest -u 50 -r 25 -t 12s.
# Each run is followed by wrk -t2 -c100 -d10s on the bare Go JSON handler of
# scripts/bench/ceiling (the first is preceded by one too); each figure is
# printed as req/s and as a ratio to the ceiling's runs either side, with
# the per-endpoint P99s and the server's peak RSS.
# Usage: scripts/bench/signup.sh [locust run time, default 45s] [loadtest run time, default 12s]
# Takes about locust time + loadtest time + 45 s.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
. scripts/bench/ceiling.sh
locust_time=${1:-45s}
lt_time=${2:-12s}
dir=$(mktemp -d)
go build -buildvcs=auto -o "$dir/omnivibe" ./cmd/omnivibe
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pid=""
stop() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; pid=""; }
trap 'stop; ceiling_stop; rm -rf "$dir"' EXIT
start() {
  rm -rf "$dir/data"
  OMNIVIBE_DATA_DIR="$dir/data" OMNIVIBE_ADDR=127.0.0.1:$port OMNIVIBE_LOG_LEVEL=warn OMNIVIBE_TTS=synthetic OMNIVIBE_STT=none \
    "$dir/omnivibe" serve >/dev/null 2>>"$dir/server.log" &
  pid=$!
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" && return; sleep 0.1; done
}
rss() { awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$pid/status"; }
ceiling_start "$dir"
ratios=()
ceiling_measure 10s

echo "== Locust: --users 100 --spawn-rate 10 --run-time $locust_time --headless (load $(cut -d' ' -f1-3 /proc/loadavg))"
start
OMNIVIBE_TTS=synthetic locust -f loadtest/locustfile.py --users 100 --spawn-rate 10 --run-time "$locust_time" --headless \
  --host "http://127.0.0.1:$port" --csv "$dir/locust" --only-summary >"$dir/locust.out" 2>&1 || true
echo "server peak RSS $(rss)"
stop
python3 - "$dir/locust_stats.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f"{'request':44s} {'reqs':>7s} {'fails':>6s} {'p50':>6s} {'p95':>6s} {'p99':>6s} ms")
for r in rows:
    name = (r["Type"] + " " + r["Name"]).strip()
    print(f"{name:44s} {r['Request Count']:>7s} {r['Failure Count']:>6s} {r['50%']:>6s} {r['95%']:>6s} {r['99%']:>6s}")
for f in csv.DictReader(open(sys.argv[1].replace("_stats.csv", "_failures.csv"))):
    print(f"  failure: {f['Method']} {f['Name']}: {f['Error']} x{f['Occurrences']}")
PY
read -r lrps lp99 lfail < <(python3 -c '
import csv, sys
r = [x for x in csv.DictReader(open(sys.argv[1])) if x["Name"] == "Aggregated"][0]
ok = float(r["Requests/s"]) - float(r["Failures/s"])
print("%.1f %s %s" % (ok, r["99%"], r["Failure Count"]))' "$dir/locust_stats.csv")
ceiling_measure 10s
ratios+=("$(ceiling_ratio "Locust (think times, so bound by its users, not the server)" "$lrps" "$lp99" "failures $lfail")")

echo "== omnivibe loadtest -u 50 -r 25 -t $lt_time (load $(cut -d' ' -f1-3 /proc/loadavg))"
start
"$dir/omnivibe" loadtest --host "http://127.0.0.1:$port" -u 50 -r 25 -t "$lt_time" --json "$dir/lt.json" >"$dir/lt.txt" 2>/dev/null || true
echo "server peak RSS $(rss)"
stop
python3 - "$dir/lt.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for e in r["endpoints"] + [dict(r["total"], method="", name="Aggregated")]:
    p = e["percentiles_ms"]
    print(f"{(e['method'] + ' ' + e['name']).strip():44s} {e['requests']:7d} {e['failures']:6d} {p['p50']:6.1f} {p['p95']:6.1f} {p['p99']:6.1f}")
for f in r["failures"]:
    print(f"  failure: {f['method']} {f['name']}: {f['error']} x{f['occurrences']}")
PY
ceiling_measure 10s
ratios+=("$(ceiling_ratio "omnivibe loadtest -u 50 -r 25 (answers that were not errors)" "$(loadtest_ok_rps "$dir/lt.json")" "$(loadtest_p99 "$dir/lt.json")")")

echo "== ratios to the bare Go JSON handler, same run"
printf '%s\n' "${ratios[@]}"
ceiling_summary
