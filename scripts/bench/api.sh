#!/usr/bin/env bash
# Measures the hot endpoints with wrk against a fresh embedded server:
#   GET /api/v1/campaigns (20 campaigns in the account), POST /api/v1/campaigns,
#   POST /api/v1/writer/generate (uncached),
# each between two runs of the same wrk command on the bare Go JSON handler
# of scripts/bench/ceiling (ceiling, GET, ceiling, POST, ceiling, writer,
# ceiling), and prints each as req/s and as a ratio to the ceiling's runs
# either side of it.
# Usage: scripts/bench/api.sh [duration, default 10s]   (needs wrk: apt-get install wrk)
# OMNIVIBE_BIN=path measures that binary instead of building this tree (to
# compare two builds, each against the ceiling of its own run).
# Takes about 7 x duration + 15 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/ceiling.sh
dur=${1:-10s}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
if [ -n "${OMNIVIBE_BIN:-}" ]; then cp "$OMNIVIBE_BIN" "$dir/omnivibe"; else go build -buildvcs=auto -o "$dir/omnivibe" ./cmd/omnivibe; fi
OMNIVIBE_DATA_DIR="$dir/data" OMNIVIBE_ADDR=127.0.0.1:$port OMNIVIBE_LOG_LEVEL=warn "$dir/omnivibe" serve >/dev/null 2>"$dir/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; ceiling_stop; rm -rf "$dir"' EXIT
ceiling_start "$dir"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
api=http://127.0.0.1:$port/api/v1
token=$(curl -sf -X POST $api/auth/register -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"Passw0rd!","name":"Bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
client=$(curl -sf -X POST $api/clients -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"name":"Bench client"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for i in $(seq 1 20); do
  curl -sf -X POST $api/campaigns -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"name\":\"Seed $i\",\"client_id\":$client,\"platform\":\"youtube\",\"concept_tone\":\"casual\"}" >/dev/null
done
echo "== body sizes: ours $(curl -sf "$api/campaigns" -H "Authorization: Bearer $token" | wc -c) bytes, ceiling $(curl -sf "$CEILING_URL" | wc -c) bytes"
non2xx() { echo "$1" | awk '/Non-2xx/ {n=$5} END {print "non-2xx " (n ? n : 0)}'; }
results=()
measure() { # NAME wrk-args...
  local name=$1 out rps p99
  shift
  out=$(wrk -t2 -c100 -d"$dur" --latency "$@")
  read -r rps p99 <<<"$(wrk_figures "$out")"
  echo "   $name: $rps req/s, p99 $p99 ms, $(non2xx "$out"), load $(cut -d' ' -f1 /proc/loadavg)"
  ceiling_measure "$dur"
  results+=("$(ceiling_ratio "$name" "$rps" "$p99" "$(non2xx "$out")")")
}
echo "== wrk -t2 -c100 -d$dur, alternating with the ceiling"
ceiling_measure "$dur"
measure "GET /api/v1/campaigns (20 rows)" -H "Authorization: Bearer $token" "$api/campaigns"
measure "POST /api/v1/campaigns (unique names)" -s scripts/bench/create-campaign.lua "$api/campaigns" -- "$token" "$client"
curl -sf -X PUT $api/billing/plan -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"plan":"pro"}' >/dev/null
measure "POST /api/v1/writer/generate (local writer, uncached)" -s scripts/bench/generate-script.lua "$api/writer/generate" -- "$token"
echo "== ratios to the bare Go JSON handler, same run"
printf '%s\n' "${results[@]}"
ceiling_summary
echo "scripts written this month: $(curl -sf "$api/billing/usage" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["used"]["scripts"])'); campaigns stored: $(curl -sf "$api/campaigns?page_size=1" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')"
