#!/usr/bin/env bash
# Measures the hot endpoints with wrk against a fresh embedded server:
#   GET /api/v1/campaigns (20 campaigns in the account), POST /api/v1/campaigns,
#   POST /api/v1/writer/generate (uncached).
# Usage: scripts/bench/api.sh [duration]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
dur=${1:-10s}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
go build -o "$dir/omnivibe" ./cmd/omnivibe
OMNIVIBE_DATA_DIR="$dir/data" OMNIVIBE_ADDR=127.0.0.1:$port OMNIVIBE_LOG_LEVEL=warn "$dir/omnivibe" serve >/dev/null 2>"$dir/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
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
echo "== GET /api/v1/campaigns (20 rows), wrk -t2 -c100 -d$dur"
wrk -t2 -c100 -d"$dur" --latency -H "Authorization: Bearer $token" "$api/campaigns"
echo "== POST /api/v1/campaigns (unique names), wrk -t2 -c100 -d$dur"
wrk -t2 -c100 -d"$dur" --latency -s scripts/bench/create-campaign.lua "$api/campaigns" -- "$token" "$client"
curl -sf -X PUT $api/billing/plan -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"plan":"pro"}' >/dev/null
echo "== POST /api/v1/writer/generate (local writer, new topic each time: uncached), wrk -t2 -c100 -d$dur"
wrk -t2 -c100 -d"$dur" --latency -s scripts/bench/generate-script.lua "$api/writer/generate" -- "$token"
echo "== scripts written this month: $(curl -sf "$api/billing/usage" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["used"]["scripts"])')"
echo "== campaigns stored: $(curl -sf "$api/campaigns?page_size=1" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')"
