#!/usr/bin/env bash
# A scaled-out OmniVibe Pro on this machine: two `omnivibe serve` replicas
# (--workers 0) and two `omnivibe worker` processes, on the local PostgreSQL
# and Redis, sharing one audio directory and one JWT secret.
#
#   scripts/cluster.sh start               build, migrate, start what is not running
#   scripts/cluster.sh stop                SIGTERM everything (SIGKILL after 30 s)
#   scripts/cluster.sh status              processes, readiness, audio tasks by status
#   scripts/cluster.sh start-replica N     start replica N (1 or 2)
#   scripts/cluster.sh restart-replica N   stop replica N gracefully, start it again
#   scripts/cluster.sh kill-replica N      SIGKILL replica N
#   scripts/cluster.sh start-worker N      start worker N (1 or 2)
#   scripts/cluster.sh kill-worker N       SIGKILL worker N
#   scripts/cluster.sh env                 print the cluster's settings
#   scripts/cluster.sh destroy             stop, drop the database, the Redis
#                                          keys and the state directory
#
# Replica N listens on 127.0.0.1:$((CLUSTER_PORT_BASE + N)): 8081 and 8082.
# Everything the cluster keeps is under the state directory (.cluster by
# default, git-ignored): the binary, the JWT secret, the shared audio
# directory, each process's data directory, pid files and logs.
#
# Settings, read by `start` the first time and then kept in <state>/env so
# that every later command (and a restarted process) uses the same ones;
# `destroy` forgets them:
#   OMNIVIBE_CLUSTER_DIR   state directory (default .cluster in the repository)
#   CLUSTER_DB             PostgreSQL database (default omnivibe_cluster),
#                          created on 127.0.0.1:5432 as user postgres
#   DATABASE_URL           instead of CLUSTER_DB: any PostgreSQL database
#   REDIS_URL              default redis://127.0.0.1:6379/1 (the tests use 15)
#   CLUSTER_PORT_BASE      default 8080
#   OMNIVIBE_TTS           default espeak when espeak-ng is installed, else
#                          synthetic (with a warning)
#   OMNIVIBE_STT           default the product's (pocketsphinx when installed)
#   OMNIVIBE_WORKERS       voice-overs per worker process (default one per CPU)
#   OMNIVIBE_JOB_TIMEOUT, OMNIVIBE_JOB_RESCUE_AFTER   default 10m and 11m
#   OMNIVIBE_PASSWORD_COST default 10
#   OMNIVIBE_LOG_LEVEL     default info
# Other variables of the environment (API keys, OMNIVIBE_SPEECH_BASE_URL...)
# reach the processes as they are, and are not kept.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${OMNIVIBE_CLUSTER_DIR:-$repo/.cluster}
bin=$dir/omnivibe

say() { echo "cluster: $*" >&2; }
die() { say "$*"; exit 1; }

# settings resolves the cluster's settings: those kept in <state>/env, else
# the environment and the defaults, which `start` then keeps.
settings() {
  if [ -f "$dir/env" ]; then
    # shellcheck disable=SC1091
    . "$dir/env"
    return
  fi
  if [ -n "${DATABASE_URL:-}" ]; then
    CLUSTER_DB=""
  else
    CLUSTER_DB=${CLUSTER_DB:-omnivibe_cluster}
    DATABASE_URL="postgres://postgres@127.0.0.1:5432/$CLUSTER_DB?sslmode=disable"
  fi
  REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/1}
  CLUSTER_PORT_BASE=${CLUSTER_PORT_BASE:-8080}
  if [ -z "${OMNIVIBE_TTS:-}" ]; then
    if command -v espeak-ng >/dev/null 2>&1; then
      OMNIVIBE_TTS=espeak
    else
      say "espeak-ng is not installed: using the synthetic voice (a signal, not speech)"
      OMNIVIBE_TTS=synthetic
    fi
  fi
  OMNIVIBE_STT=${OMNIVIBE_STT:-}
  OMNIVIBE_WORKERS=${OMNIVIBE_WORKERS:--1}
  OMNIVIBE_JOB_TIMEOUT=${OMNIVIBE_JOB_TIMEOUT:-10m}
  OMNIVIBE_JOB_RESCUE_AFTER=${OMNIVIBE_JOB_RESCUE_AFTER:-0s}
  OMNIVIBE_PASSWORD_COST=${OMNIVIBE_PASSWORD_COST:-10}
  OMNIVIBE_LOG_LEVEL=${OMNIVIBE_LOG_LEVEL:-info}
}

save_settings() {
  mkdir -p "$dir"
  {
    for v in CLUSTER_DB DATABASE_URL REDIS_URL CLUSTER_PORT_BASE OMNIVIBE_TTS OMNIVIBE_STT OMNIVIBE_WORKERS \
      OMNIVIBE_JOB_TIMEOUT OMNIVIBE_JOB_RESCUE_AFTER OMNIVIBE_PASSWORD_COST OMNIVIBE_LOG_LEVEL; do
      printf '%s=%q\n' "$v" "${!v}"
    done
  } >"$dir/env.tmp"
  mv "$dir/env.tmp" "$dir/env"
}

port_of() { echo $((CLUSTER_PORT_BASE + $1)); }

check_index() {
  case "${1:-}" in
    1 | 2) ;;
    *) die "which one? 1 or 2 (got '${1:-}')" ;;
  esac
}

# pid_of prints the pid of a process this script started, if it still runs
# this cluster's binary (a pid file left by a dead process whose number was
# reused names someone else's process, which must never be signalled).
pid_of() {
  local f=$dir/run/$1.pid pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null && return 1 # dead, not yet reaped
  local cmdline
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  case "$cmdline" in
    "$bin "* | "setsid $bin "*) echo "$pid" ;; # setsid: in the instant before it execs
    *) return 1 ;;
  esac
}

# common_env is the environment every process of the cluster shares.
common_env() {
  echo "DATABASE_URL=$DATABASE_URL"
  echo "REDIS_URL=$REDIS_URL"
  echo "OMNIVIBE_AUDIO_DIR=$dir/audio"
  echo "OMNIVIBE_JWT_SECRET=$(cat "$dir/jwt-secret")"
  echo "OMNIVIBE_TTS=$OMNIVIBE_TTS"
  echo "OMNIVIBE_STT=$OMNIVIBE_STT"
  echo "OMNIVIBE_JOB_TIMEOUT=$OMNIVIBE_JOB_TIMEOUT"
  echo "OMNIVIBE_JOB_RESCUE_AFTER=$OMNIVIBE_JOB_RESCUE_AFTER"
  echo "OMNIVIBE_PASSWORD_COST=$OMNIVIBE_PASSWORD_COST"
  echo "OMNIVIBE_LOG_LEVEL=$OMNIVIBE_LOG_LEVEL"
  echo "OMNIVIBE_LOG_FORMAT=json"
  echo "OMNIVIBE_SHUTDOWN_TIMEOUT=10s"
}

# launch NAME ARGS... starts the binary in the background, detached from
# this shell, its output appended to logs/NAME.log, and records its pid.
# It prints the log's size before the start, where this run's output begins.
launch() {
  local name=$1
  shift
  local log=$dir/logs/$name.log
  mkdir -p "$dir/logs" "$dir/run" "$dir/$name"
  touch "$log"
  local offset
  offset=$(stat -c %s "$log")
  echo "--- $(date -u +%FT%T.%3NZ) start $name" >>"$log"
  local -a env
  mapfile -t env < <(common_env)
  # A session of its own: a Ctrl-C or hang-up of this terminal does not
  # reach the cluster, only `stop` and `kill-*` do.
  env "${env[@]}" OMNIVIBE_DATA_DIR="$dir/$name" setsid "$bin" "$@" </dev/null >>"$log" 2>&1 &
  echo $! >"$dir/run/$name.pid"
  echo "$offset"
}

# new_output prints what a log got since offset.
new_output() { tail -c +$(($2 + 1)) "$dir/logs/$1.log"; }

start_replica() {
  local n=$1 name=replica$1 port pid
  port=$(port_of "$n")
  if pid=$(pid_of "$name"); then
    say "$name already runs (pid $pid, port $port)"
    return
  fi
  local offset
  offset=$(launch "$name" serve --addr "127.0.0.1:$port" --workers 0)
  # Ready when /readyz answers 200: the database and Redis answer.
  for _ in $(seq 1 300); do
    if curl -sf -o /dev/null "http://127.0.0.1:$port/readyz"; then
      say "$name ready on http://127.0.0.1:$port (pid $(cat "$dir/run/$name.pid"))"
      return
    fi
    if ! pid_of "$name" >/dev/null; then
      new_output "$name" "$offset" >&2
      die "$name exited at start (log: $dir/logs/$name.log)"
    fi
    sleep 0.1
  done
  die "$name is not ready after 30 s (log: $dir/logs/$name.log)"
}

start_worker() {
  local name=worker$1 pid
  if pid=$(pid_of "$name"); then
    say "$name already runs (pid $pid)"
    return
  fi
  local offset
  offset=$(launch "$name" worker --workers "$OMNIVIBE_WORKERS")
  for _ in $(seq 1 300); do
    if new_output "$name" "$offset" | grep -q "omnivibe worker running"; then
      say "$name running (pid $(cat "$dir/run/$name.pid")): $(new_output "$name" "$offset" | grep -m1 "omnivibe worker running")"
      return
    fi
    if ! pid_of "$name" >/dev/null; then
      new_output "$name" "$offset" >&2
      die "$name exited at start (log: $dir/logs/$name.log)"
    fi
    sleep 0.1
  done
  die "$name is not running after 30 s (log: $dir/logs/$name.log)"
}

# stop_process NAME: SIGTERM, then SIGKILL after 30 s.
stop_process() {
  local name=$1 pid
  if ! pid=$(pid_of "$name"); then
    rm -f "$dir/run/$name.pid"
    return
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    pid_of "$name" >/dev/null || break
    sleep 0.1
  done
  if pid_of "$name" >/dev/null; then
    say "$name (pid $pid) still runs 30 s after SIGTERM: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/run/$name.pid"
  say "$name stopped"
}

kill_process() {
  local name=$1 pid
  pid=$(pid_of "$name") || die "$name is not running"
  kill -KILL "$pid"
  while pid_of "$name" >/dev/null; do sleep 0.05; done
  rm -f "$dir/run/$name.pid"
  echo "--- $(date -u +%FT%T.%3NZ) SIGKILL $name" >>"$dir/logs/$name.log"
  say "$name (pid $pid) killed with SIGKILL"
}

# prepare checks PostgreSQL and Redis, creates the database and the shared
# state, builds the binary and applies the migrations once.
prepare() {
  if ! { command -v psql && command -v redis-cli; } >/dev/null; then
    die "psql and redis-cli are needed: run scripts/test-deps.sh once (it installs and starts PostgreSQL and Redis)"
  fi
  [ "$(redis-cli -u "$REDIS_URL" ping 2>/dev/null || true)" = PONG ] ||
    die "Redis does not answer at $REDIS_URL: run scripts/test-deps.sh"
  psql -q "$DATABASE_URL" -c 'SELECT 1' >/dev/null 2>&1 || {
    [ -n "${CLUSTER_DB:-}" ] || die "PostgreSQL database $DATABASE_URL does not answer"
    pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL does not answer on 127.0.0.1:5432: run scripts/test-deps.sh"
    say "creating database $CLUSTER_DB"
    psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 5432 -U postgres -d postgres -c "CREATE DATABASE $CLUSTER_DB" >/dev/null
  }
  mkdir -p "$dir/audio" "$dir/run" "$dir/logs"
  if [ ! -s "$dir/jwt-secret" ]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/jwt-secret")
  fi
  say "building $bin"
  (cd "$repo" && CGO_ENABLED=0 go build -trimpath -buildvcs=auto -o "$bin.new" ./cmd/omnivibe)
  mv "$bin.new" "$bin"
  local -a env
  mapfile -t env < <(common_env)
  env "${env[@]}" OMNIVIBE_DATA_DIR="$dir/migrate" "$bin" migrate >&2
}

status() {
  local name pid port
  for n in 1 2; do
    name=replica$n
    port=$(port_of "$n")
    if pid=$(pid_of "$name"); then
      local ready
      ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)
      echo "$name  running  pid $pid  http://127.0.0.1:$port  readyz $ready"
    else
      echo "$name  stopped           http://127.0.0.1:$port"
    fi
  done
  for n in 1 2; do
    name=worker$n
    if pid=$(pid_of "$name"); then
      echo "$name   running  pid $pid"
    else
      echo "$name   stopped"
    fi
  done
  echo "audio tasks by status:"
  psql -X -q -A -F ' ' -t "$DATABASE_URL" -c "SELECT '  ' || status, count(*) FROM audio_tasks GROUP BY status ORDER BY status" 2>/dev/null ||
    echo "  (no database yet)"
}

destroy() {
  for name in replica1 replica2 worker1 worker2; do stop_process "$name"; done
  if [ -n "${CLUSTER_DB:-}" ]; then
    psql -q -h 127.0.0.1 -p 5432 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $CLUSTER_DB WITH (FORCE)" >/dev/null &&
      say "dropped database $CLUSTER_DB"
  else
    say "DATABASE_URL was given, not CLUSTER_DB: the database is left as it is"
  fi
  local redis_db
  redis_db=$(sed -nE 's#^rediss?://[^/]*/([0-9]+).*#\1#p' <<<"$REDIS_URL")
  redis-cli -u "$REDIS_URL" --scan --pattern 'omnivibe:*' | xargs -r -n 500 redis-cli -u "$REDIS_URL" del >/dev/null &&
    say "deleted the omnivibe:* keys of Redis database ${redis_db:-0}"
  rm -rf "$dir"
  say "removed $dir"
}

# started_once: the single-process commands need what `start` prepared.
started_once() {
  if ! [ -f "$dir/env" ] || ! [ -x "$bin" ] || ! [ -s "$dir/jwt-secret" ]; then
    die "no cluster in $dir: run scripts/cluster.sh start first"
  fi
}

settings
cmd=${1:-}
case "$cmd" in
  start)
    prepare
    save_settings
    start_replica 1
    start_replica 2
    start_worker 1
    start_worker 2
    say "up: http://127.0.0.1:$(port_of 1) and http://127.0.0.1:$(port_of 2); logs in $dir/logs"
    ;;
  stop)
    for name in replica1 replica2 worker1 worker2; do stop_process "$name"; done
    ;;
  status) status ;;
  start-replica)
    check_index "${2:-}"
    started_once
    start_replica "$2"
    ;;
  restart-replica)
    check_index "${2:-}"
    started_once
    stop_process "replica$2"
    start_replica "$2"
    ;;
  kill-replica)
    check_index "${2:-}"
    started_once
    kill_process "replica$2"
    ;;
  start-worker)
    check_index "${2:-}"
    started_once
    start_worker "$2"
    ;;
  kill-worker)
    check_index "${2:-}"
    started_once
    kill_process "worker$2"
    ;;
  env)
    echo "state directory: $dir"
    echo "replicas: http://127.0.0.1:$(port_of 1) http://127.0.0.1:$(port_of 2)"
    [ -f "$dir/jwt-secret" ] && common_env | sed 's/^OMNIVIBE_JWT_SECRET=.*/OMNIVIBE_JWT_SECRET=(in jwt-secret)/'
    ;;
  destroy) destroy ;;
  *)
    awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"
    [ -z "$cmd" ] || [ "$cmd" = help ] || [ "$cmd" = -h ] || exit 2
    ;;
esac
