#!/usr/bin/env bash
# OmniVibe Pro against the first version's stack (../shared/bench/v1-peer:
# FastAPI + Uvicorn with 2 workers, SQLite WAL, Redis cache and queue, AI and
# speech mocked), on this machine, in one run, with the same commands:
#
#  1. wrk -t2 -c100 -d10s: GET /api/v1/campaigns (20 rows) and
#     POST /api/v1/campaigns, each server on a fresh database;
#  2. the load scenario at saturation:
#       omnivibe loadtest --no-wait -u 100 -r 50 -t SATURATION
#  3. (when SCENARIO is given) the report's own run shape, with think times:
#       omnivibe loadtest -u 100 -r 10 -t SCENARIO
#
# Every step runs against both servers one after the other, each on a fresh
# database, OmniVibe Pro first. OmniVibe Pro runs on its embedded default with
# the synthetic voice (the peer mocks speech too) and the default password
# hash (Argon2id in the one-slot pool; the peer hashes with bcrypt cost 10). The JSON reports stay in .v1-peer-bench/.
#
# Needs: wrk; Debian's python3-fastapi python3-uvicorn python3-jwt
# python3-bcrypt python3-redis (run by /usr/bin/python3); Redis on 127.0.0.1:6379 (the peer uses db 5).
# Usage: scripts/bench/v1-peer.sh [SATURATION, default 60s] [SCENARIO, e.g. 5m; default none]
#
# Every measurement is followed by a run of wrk -t2 -c100 on the bare Go JSON
# handler of scripts/bench/ceiling (the first is preceded by one too), and
# printed with its ratio to the ceiling's runs either side of it, for both
# servers.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/scripts/bench/ceiling.sh"
peer_dir=${PEER_DIR:-$repo/../shared/bench/v1-peer}
saturation=${1:-60s}
scenario=${2:-}
[ -f "$peer_dir/app.py" ] || { echo "v1-peer.sh: no app.py in $peer_dir (set PEER_DIR)" >&2; exit 2; }
out=$repo/.v1-peer-bench
rm -rf "$out" && mkdir -p "$out"
go build -buildvcs=auto -o "$out/omnivibe" "$repo/cmd/omnivibe"
ours_port=8091
peer_port=8092
peer_redis=redis://127.0.0.1:6379/5

pid=""
data=""
base=""
stop() {
  if [ -n "$pid" ]; then kill -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  pid=""
  if [ -n "$data" ]; then rm -rf "$data"; fi
  data=""
}
trap 'stop; ceiling_stop' EXIT
ratios=()

start() { # ours|peer: start it on a fresh database, wait until it answers; sets base
  data=$(mktemp -d)
  if [ "$1" = ours ]; then
    OMNIVIBE_DATA_DIR=$data OMNIVIBE_ADDR=127.0.0.1:$ours_port OMNIVIBE_LOG_LEVEL=warn \
      OMNIVIBE_TTS=synthetic OMNIVIBE_STT=none setsid "$out/omnivibe" serve </dev/null >/dev/null 2>>"$out/ours.log" &
  else
    redis-cli -u "$peer_redis" flushdb >/dev/null
    PEER_DB=$data/peer.db PEER_REDIS=$peer_redis setsid /usr/bin/python3 -m uvicorn app:app --app-dir "$peer_dir" \
      --host 127.0.0.1 --port $peer_port --workers 2 --log-level warning </dev/null >/dev/null 2>>"$out/peer.log" &
  fi
  pid=$!
  local port=$ours_port
  [ "$1" = peer ] && port=$peer_port
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/billing/plans" && break; sleep 0.1; done
  sleep 1
  base=http://127.0.0.1:$port
}

seed() { # BASE: an account with one client and 20 campaigns; prints "token client"
  local api=$1/api/v1 token client
  token=$(curl -sf -X POST "$api/auth/register" -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","password":"Passw0rd!","name":"Bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  client=$(curl -sf -X POST "$api/clients" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"name":"Bench client"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  for i in $(seq 1 20); do
    curl -sf -o /dev/null -X POST "$api/campaigns" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d "{\"name\":\"Seed $i\",\"client_id\":$client,\"concept_tone\":\"casual\",\"target_duration\":60}"
  done
  echo "$token $client"
}

wrk_pair() { # which
  local token client
  start "$1"
  read -r token client < <(seed "$base")
  local w rps p99
  echo "== $1: GET /api/v1/campaigns (20 rows), wrk -t2 -c100 -d10s"
  w=$(wrk -t2 -c100 -d10s --latency -H "Authorization: Bearer $token" "$base/api/v1/campaigns")
  echo "$w" | grep -E 'Requests/sec|  (50|99)%|Non-2xx|errors' || true
  read -r rps p99 <<<"$(wrk_figures "$w")"
  ceiling_measure 10s
  ratios+=("$(ceiling_ratio "$1: GET /api/v1/campaigns" "$rps" "$p99")")
  echo "== $1: POST /api/v1/campaigns, wrk -t2 -c100 -d10s"
  w=$(wrk -t2 -c100 -d10s --latency -s "$repo/scripts/bench/create-campaign.lua" "$base/api/v1/campaigns" -- "$token" "$client")
  echo "$w" | grep -E 'Requests/sec|  (50|99)%|Non-2xx|errors' || true
  read -r rps p99 <<<"$(wrk_figures "$w")"
  ceiling_measure 10s
  ratios+=("$(ceiling_ratio "$1: POST /api/v1/campaigns" "$rps" "$p99")")
  stop
}

loadtest() { # which name flags...
  local which=$1 name=$2
  shift 2
  start "$which"
  echo "$name-$which load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/loadavg"
  "$out/omnivibe" loadtest --host "$base" "$@" --json "$out/$name-$which.json" --csv "$out/$name-$which" \
    >"$out/$name-$which.txt" 2>/dev/null || true
  stop
  ceiling_measure 10s
  ratios+=("$(ceiling_ratio "$which: $name mix (answers that were not errors)" "$(loadtest_ok_rps "$out/$name-$which.json")" "$(loadtest_p99 "$out/$name-$which.json")")")
}

ceiling_start "$out"
ceiling_measure 10s
for which in ours peer; do wrk_pair "$which"; done
for which in ours peer; do loadtest "$which" saturation --no-wait -u 100 -r 50 -t "$saturation"; done
if [ -n "$scenario" ]; then
  for which in ours peer; do loadtest "$which" scenario -u 100 -r 10 -t "$scenario"; done
fi

python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
for name in ("saturation", "scenario"):
    runs = {w: f"{out}/{name}-{w}.json" for w in ("ours", "peer")}
    if not all(os.path.exists(p) for p in runs.values()):
        continue
    r = {w: json.load(open(p)) for w, p in runs.items()}
    print(f"\n== {name}")
    for w in ("ours", "peer"):
        t, d = r[w]["total"], r[w]["duration_s"]
        print(f"{w}: {t['requests_per_s']:.1f} req/s, {(t['requests'] - t['failures']) / d:.1f} answers that were not errors/s, {t['failures']} failures")
    print(f"{'request':42s} {'ours req/s':>10s} {'p50/p95/p99 ms':>22s} {'fail':>6s} | {'v1 req/s':>9s} {'p50/p95/p99 ms':>22s} {'fail':>6s}")
    def cells(e):
        p = e["percentiles_ms"]
        return f"{e['requests_per_s']:10.1f} {p['p50']:6.1f}/{p['p95']:6.1f}/{p['p99']:7.1f} {e['failures']:6d}"
    names = [(e["method"], e["name"]) for e in r["ours"]["endpoints"]]
    for m, n in names + [("", "Aggregated")]:
        def find(rep):
            if n == "Aggregated":
                return rep["total"]
            return next((e for e in rep["endpoints"] if (e["method"], e["name"]) == (m, n)), None)
        a, b = find(r["ours"]), find(r["peer"])
        print(f"{(m + ' ' + n).strip():42s} {cells(a)} | {cells(b) if b else '-':>40s}")
print(open(f"{out}/loadavg").read())
PY
echo "== ratios to the bare Go JSON handler, same run"
printf '%s\n' "${ratios[@]}"
ceiling_summary
