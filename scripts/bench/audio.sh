#!/usr/bin/env bash
# Voice-over numbers on a fresh embedded server with the local engines
# (espeak-ng + pocketsphinx) and the default workers (one per CPU):
#  1. one 60-second English script end to end (queued -> succeeded),
#  2. jobs per minute over a batch of 60-second scripts,
#  3. POST /api/v1/audio/generate latency while the workers are busy with
#     60-second scripts and the queue is deep: the report's scenario in the open
#     model (omnivibe loadtest --rate), so latency counts from each request's
#     scheduled start and the server is measured below saturation, not at it.
# Usage: scripts/bench/audio.sh [batch size] [load duration] [requests per second]
# Before and after step 3, wrk -t2 -c100 -d10s measures the bare Go JSON
# handler of scripts/bench/ceiling, and the load test's answers per second
# are printed as a ratio to it (an open-model run answers what it is sent,
# so the ratio says more about the machine than about the server; steps 1-2
# print the ceiling beside them for the same reason).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/ceiling.sh
batch=${1:-20}
dur=${2:-60s}
rate=${3:-300}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
# The open model reads the server's /metrics, which the API's address serves
# only with the metrics token: the server and the load test share one.
export OMNIVIBE_METRICS_TOKEN="bench-$RANDOM$RANDOM"
go build -buildvcs=auto -o "$dir/omnivibe" ./cmd/omnivibe
# Password cost 4 only makes registering the benchmark's 300 accounts quick.
OMNIVIBE_DATA_DIR="$dir/data" OMNIVIBE_ADDR=127.0.0.1:$port OMNIVIBE_LOG_LEVEL=warn OMNIVIBE_PASSWORD_HASH=bcrypt OMNIVIBE_PASSWORD_COST=4 \
  "$dir/omnivibe" serve >/dev/null 2>"$dir/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; ceiling_stop; rm -rf "$dir"' EXIT
ceiling_start "$dir"
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
api=http://127.0.0.1:$port/api/v1
register() {
  curl -sf -X POST $api/auth/register -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1@example.com\",\"password\":\"Passw0rd!\",\"name\":\"Bench\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
token=$(register bench)
curl -sf -X PUT $api/billing/plan -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"plan":"pro"}' >/dev/null
# A 60-second English script from the local writer.
text=$(curl -sf -X POST $api/writer/generate -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"topic":"home cafe latte art","language":"en","target_duration":60}' \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps("\n".join(b["text"] for b in d["blocks"])))')
submit() { curl -sf -X POST $api/audio/generate -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d "{\"text\":$text,\"language\":\"en\",\"accuracy_threshold\":0.9}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["task_id"])'; }
status() { curl -sf $api/audio/status/$1 -H "Authorization: Bearer $token"; }
waitfor() { while :; do s=$(status $1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'); case $s in queued|running) sleep 0.1;; *) echo $s; return;; esac; done; }

echo "== one 60-second English script, end to end"
start=$(date +%s.%N); id=$(submit); final=$(waitfor $id); end=$(date +%s.%N)
status $id | python3 -c 'import json,sys; d=json.load(sys.stdin); print("status %s, %d attempt(s), similarity %s, audio %.1f s" % (d["status"], d["attempts"], d["similarity"], d["duration"]))'
python3 -c "print(f'wall time {$end-$start:.2f} s')"

echo "== $batch scripts of 60 s, jobs per minute"
start=$(date +%s.%N); ids=(); for i in $(seq $batch); do ids+=($(submit)); done
for id in "${ids[@]}"; do waitfor $id >/dev/null; done; end=$(date +%s.%N)
python3 -c "print(f'{$batch} jobs in {$end-$start:.1f} s: {$batch*60/($end-$start):.1f} jobs/min')"

ceiling_measure 10s
echo "== POST /api/v1/audio/generate while the workers run: a queue of 60-second scripts, then loadtest --rate $rate -t $dur"
for i in $(seq 100); do submit >/dev/null || break; done   # the account's cap: 100 queued
echo "queued before the load: $(curl -sf "$api/audio?status=queued&page_size=1" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')"
"$dir/omnivibe" loadtest --host "http://127.0.0.1:$port" --rate "$rate" -u 100 -r 50 -t "$dur" --json "$dir/load.json" | grep -v "^provisioning\|^running"
echo "60-second scripts still queued after the load: $(curl -sf "$api/audio?status=queued&page_size=1" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')"
ceiling_measure 10s
ceiling_ratio "loadtest --rate $rate (answers that were not errors)" "$(loadtest_ok_rps "$dir/load.json")" "$(loadtest_p99 "$dir/load.json")"
ceiling_summary
