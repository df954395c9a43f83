#!/usr/bin/env bash
# The security audit of `make test` and CI: gosec (any finding of medium or
# high severity fails; each #nosec in the code says why it is safe), go vet,
# then every fuzz target of the module (found with go test -list, so new ones
# join by themselves) for FUZZTIME each (default 20s). Each new interesting
# input is minimized for at most FUZZMINIMIZETIME (default 2s): Go's default
# of 60s let minimizing take most of a short run (0 executions a second for
# long stretches; 2s gave 16 times the executions of FuzzNormalize in a minute).
# Usage: scripts/security.sh            FUZZTIME=1m scripts/security.sh
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-20s}
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-2s}
GOSEC=github.com/securego/gosec/v2/cmd/gosec@v2.30.0

echo "== gosec (${GOSEC#*@}): medium and high findings fail"
go run "$GOSEC" -quiet -severity medium -confidence low -fmt text ./...

echo "== go vet"
go vet ./...

echo "== fuzz targets, ${FUZZTIME} each"
found=0
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    found=$((found + 1))
    echo "-- $pkg $target"
    if ! out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME" "$pkg" 2>&1); then
      echo "$out"
      echo "fuzz target $target failed: the input is saved under testdata/fuzz/$target in its package" >&2
      exit 1
    fi
    echo "$out" | tail -n 3
  done
done
if [ "$found" -eq 0 ]; then
  echo "no fuzz targets found" >&2
  exit 1
fi
echo "security audit passed: gosec clean, $found fuzz targets ran ${FUZZTIME} each"
