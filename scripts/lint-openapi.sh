#!/usr/bin/env bash
# Lints the OpenAPI document as the server serves it: builds omnivibe, starts
# it on a free port with an empty data directory, fetches /openapi.json and
# runs Redocly CLI's lint with redocly.yaml (the recommended rules, all of
# them errors). Exits non-zero on any problem. Needs go, curl and npx (Node.js
# and npm: scripts/test-deps.sh installs them); npx fetches the pinned CLI
# from the npm registry into npm's own cache.
set -euo pipefail
cd "$(dirname "$0")/.."

# The version tested; change it on purpose, with the document linted again.
REDOCLY_CLI=2.77.0
# It needs Node.js 20.19+ or 22.12+; an older one (Debian 12's is 18) runs
# it on this Node.js, fetched by npx from the npm registry as well.
FALLBACK_NODE=22.12.0

GO=${GO:-go}
tmp=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

$GO build -o "$tmp/omnivibe" ./cmd/omnivibe
mkdir "$tmp/data"
OMNIVIBE_ADDR=127.0.0.1:0 OMNIVIBE_DATA_DIR="$tmp/data" OMNIVIBE_LOG_LEVEL=warn \
  "$tmp/omnivibe" serve >"$tmp/stdout" 2>"$tmp/log" &
server=$!
# Its first line says where it listens: "omnivibe listening on http://...".
base=""
for _ in $(seq 1 100); do
  base=$(sed -n '1s/^omnivibe listening on \(http:[^ ]*\).*/\1/p' "$tmp/stdout")
  [ -n "$base" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$base" ]; then
  echo "lint-openapi: the server did not start:" >&2
  cat "$tmp/log" >&2
  exit 1
fi
curl -sSf -o "$tmp/openapi.json" "$base/openapi.json"

packages=(-p "@redocly/cli@$REDOCLY_CLI")
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
  process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) || a > 22 ? 0 : 1)' 2>/dev/null; then
  packages+=(-p "node@$FALLBACK_NODE")
fi
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  npx --yes "${packages[@]}" -- redocly lint --config redocly.yaml --format=stylish "$tmp/openapi.json"
