#!/usr/bin/env bash
# What metrics, the access log and tracing cost: GET /api/v1/campaigns (20 rows)
# under wrk -t2 -c100 with each setting, in interleaved rounds so that the
# shared machine's noise falls on every setting alike.
#   off       OMNIVIBE_METRICS=false OMNIVIBE_ACCESS_LOG=false
#   metrics   metrics on, access log off
#   default   metrics and access log on (the defaults; the log goes to a file)
#   trace10   the defaults plus tracing at 10 % to a local OTLP receiver
# Each run is followed by a run of the same wrk command on the bare Go JSON
# handler of scripts/bench/ceiling (and the first is preceded by one), and
# printed with its ratio to the ceiling's runs either side of it.
# Usage: scripts/bench/observability.sh [duration] [rounds]   (needs wrk)
# Takes about rounds x 8 x duration + 15 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/ceiling.sh
dur=${1:-10s}
rounds=${2:-3}
# Free ports, chosen now: the machine may be running other servers.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
sinkport=$(free_port)
dir=$(mktemp -d)
go build -buildvcs=auto -o "$dir/omnivibe" ./cmd/omnivibe
go build -o "$dir/otlpsink" ./scripts/bench/otlpsink
"$dir/otlpsink" -addr 127.0.0.1:$sinkport >"$dir/sink.log" &
sink=$!
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  kill "$sink" 2>/dev/null || true
  ceiling_stop
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

run() { # name, env...
  local name=$1; shift
  rm -rf "$dir/data"
  env OMNIVIBE_DATA_DIR="$dir/data" OMNIVIBE_ADDR=127.0.0.1:$port OMNIVIBE_LOG_FORMAT=json OMNIVIBE_BACKUP_KEEP=0 "$@" \
    "$dir/omnivibe" serve >/dev/null 2>"$dir/server-$name.log" &
  pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  local api=http://127.0.0.1:$port/api/v1 token client
  token=$(curl -sf -X POST $api/auth/register -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","password":"Passw0rd!","name":"Bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  client=$(curl -sf -X POST $api/clients -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"name":"Bench client"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  for i in $(seq 1 20); do
    curl -sf -X POST $api/campaigns -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d "{\"name\":\"Seed $i\",\"client_id\":$client,\"platform\":\"youtube\"}" >/dev/null
  done
  local out rps non2xx
  out=$(wrk -t2 -c100 -d"$dur" --latency -H "Authorization: Bearer $token" "$api/campaigns")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  echo "   $name $rps req/s p50 $p50 p99 $p99 non-2xx ${non2xx:-0} load $(cut -d' ' -f1 /proc/loadavg)"
  kill $pid; wait $pid 2>/dev/null || true; pid=
  ceiling_measure "$dur"
  results+=("$(ceiling_ratio "$name" "$rps" "" "p99 $p99, non-2xx ${non2xx:-0}")")
}

results=()
ceiling_start "$dir"
echo "== GET /api/v1/campaigns, wrk -t2 -c100 -d$dur, $rounds rounds, alternating with the ceiling"
ceiling_measure "$dur"
for r in $(seq "$rounds"); do
  run off OMNIVIBE_METRICS=false OMNIVIBE_ACCESS_LOG=false
  run metrics OMNIVIBE_ACCESS_LOG=false
  run default
  run trace10 OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$sinkport OTEL_TRACES_SAMPLER_ARG=0.1
done
echo "== ratios to the bare Go JSON handler, same run"
printf '%s\n' "${results[@]}"
ceiling_summary
