# Sourced by the scripts in scripts/bench: the bare Go JSON handler of
# scripts/bench/ceiling, measured with the same wrk command in the same run,
# alternating with the server under test, so that every figure is printed as
# req/s and as a ratio to that ceiling. A ratio transfers between machines
# (and survives a shared machine's noise better); an absolute req/s does not.
#
#   ceiling_start DIR          build it into DIR and start it on a free port
#   ceiling_measure [DUR]      one wrk -t2 -c100 run on it; appends to CEILING_RUNS
#   ceiling_ratio NAME RPS [P99] [EXTRA]
#                              prints NAME: RPS req/s, RPS / (mean of the last two
#                              ceiling runs) x ceiling; call it between two measures
#   ceiling_summary            the ceiling's runs and the load average
# Needs wrk and go.

CEILING_RUNS=()
ceiling_pid=""

ceiling_start() {
  local dir=$1
  (cd "$(dirname "${BASH_SOURCE[0]}")/ceiling" && go build -o "$dir/ceiling" .)
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$dir/ceiling" -addr "127.0.0.1:$port" 2>"$dir/ceiling.log" &
  ceiling_pid=$!
  CEILING_URL="http://127.0.0.1:$port/"
  for _ in $(seq 50); do curl -sf -o /dev/null "$CEILING_URL" && return 0; sleep 0.1; done
  echo "ceiling did not start" >&2
  return 1
}

ceiling_stop() {
  if [ -n "$ceiling_pid" ]; then kill "$ceiling_pid" 2>/dev/null || true; wait "$ceiling_pid" 2>/dev/null || true; fi
  ceiling_pid=""
}

# wrk_figures OUTPUT: "RPS P99" from wrk --latency output (P99 in ms).
wrk_figures() {
  echo "$1" | awk '
    /Requests\/sec/ {rps=$2}
    $1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; p99=v}
    END {printf "%s %.2f\n", rps, p99}'
}

ceiling_measure() {
  local dur=${1:-10s} out rps p99
  out=$(wrk -t2 -c100 -d"$dur" --latency "$CEILING_URL")
  read -r rps p99 <<<"$(wrk_figures "$out")"
  CEILING_RUNS+=("$rps")
  echo "   ceiling (bare Go JSON handler): $rps req/s, p99 $p99 ms, load $(cut -d' ' -f1 /proc/loadavg)"
}

ceiling_ratio() {
  local name=$1 rps=$2 p99=${3:-} extra=${4:-}
  local n=${#CEILING_RUNS[@]}
  [ "$n" -ge 1 ] || { echo "ceiling_ratio: no ceiling run yet" >&2; return 1; }
  local ref
  ref=$(python3 -c "import sys; r=[float(x) for x in sys.argv[1:]][-2:]; print(sum(r)/len(r))" "${CEILING_RUNS[@]}")
  local ratio
  ratio=$(python3 -c "print(f'{$rps / $ref:.2f}')")
  printf '%s: %s req/s = %sx ceiling (%.0f req/s)%s%s\n' "$name" "$rps" "$ratio" "$ref" "${p99:+, p99 $p99 ms}" "${extra:+, $extra}"
}

ceiling_summary() {
  echo "ceiling runs (req/s): ${CEILING_RUNS[*]}; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# loadtest_ok_rps FILE: the answers that were not errors, per second, of an
# `omnivibe loadtest --json FILE` report.
loadtest_ok_rps() {
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); t=r["total"]; print("%.1f" % ((t["requests"]-t["failures"])/r["duration_s"]))' "$1"
}

# loadtest_p99 FILE: the aggregated P99 (ms) of a loadtest report.
loadtest_p99() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"]["percentiles_ms"]["p99"])' "$1"
}
