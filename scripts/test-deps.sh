#!/usr/bin/env bash
# Installs and starts what the tests need, on a fresh Debian machine of the
# project's kind: the speech engines, Chromium, curl, Node.js for the OpenAPI
# lint, and PostgreSQL and Redis running on
# 127.0.0.1 (started when they are installed but stopped). Safe to run again:
# each step is skipped when already done.
#
#   scripts/test-deps.sh COMMAND...   also creates a fresh PostgreSQL test
#                                     database, runs COMMAND with
#                                     OMNIVIBE_TEST_POSTGRES_URL and
#                                     OMNIVIBE_TEST_REDIS_URL set, then drops
#                                     the database; exits with COMMAND's status.
#   scripts/test-deps.sh              prepares the same and prints the two
#                                     variables as export lines, for
#                                     eval "$(scripts/test-deps.sh)"; the
#                                     database stays until dropped.
#
# Everything but those export lines goes to stderr.
set -euo pipefail

PGHOST=127.0.0.1
PGPORT=5432
PGUSER=postgres
REDIS_URL_FOR_TESTS=redis://127.0.0.1:6379/15

say() { echo "test-deps: $*" >&2; }

sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"

need_apt=()
command -v espeak-ng >/dev/null 2>&1 || need_apt+=(espeak-ng)
command -v pocketsphinx_batch >/dev/null 2>&1 || need_apt+=(pocketsphinx)
[ -d /usr/share/pocketsphinx/model/en-us ] || need_apt+=(pocketsphinx-en-us)
command -v flite >/dev/null 2>&1 || need_apt+=(flite) # a second synthesizer for the verifier's tests: a check tuned on one voice overfits
command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql)
command -v psql >/dev/null 2>&1 || need_apt+=(postgresql-client)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium) # the studio's browser test
command -v curl >/dev/null 2>&1 || need_apt+=(curl)         # the README's walk-through, the OpenAPI lint
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)   # the README's walk-through reads JSON with it
command -v npx >/dev/null 2>&1 || need_apt+=(nodejs npm)    # the OpenAPI lint (Redocly CLI, from npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing ${need_apt[*]}"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >&2
fi

# PostgreSQL: start the cluster when it does not answer (the command the
# machine itself starts it with).
if ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
  say "starting PostgreSQL"
  $sudo_cmd pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start >&2
  for _ in $(seq 1 50); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 0.2; done
  pg_isready -h "$PGHOST" -p "$PGPORT" >&2
fi

# Redis: start it when it does not answer; it keeps nothing on disk.
if [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null || true)" != "PONG" ]; then
  say "starting Redis"
  $sudo_cmd mkdir -p /var/lib/redis /var/log/redis
  $sudo_cmd redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >&2
  for _ in $(seq 1 50); do [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null || true)" = "PONG" ] && break; sleep 0.2; done
  [ "$(redis-cli -h 127.0.0.1 -p 6379 ping)" = "PONG" ]
fi

go mod download >&2

# A database of this run's own: the tests make a schema each inside it.
db="omnivibe_test_$(date +%s)_$$"
psql -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -c "CREATE DATABASE $db" >&2
export OMNIVIBE_TEST_POSTGRES_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$db?sslmode=disable"
export OMNIVIBE_TEST_REDIS_URL="$REDIS_URL_FOR_TESTS"
say "PostgreSQL test database $db, Redis $OMNIVIBE_TEST_REDIS_URL"

if [ $# -eq 0 ]; then
  echo "export OMNIVIBE_TEST_POSTGRES_URL='$OMNIVIBE_TEST_POSTGRES_URL'"
  echo "export OMNIVIBE_TEST_REDIS_URL='$OMNIVIBE_TEST_REDIS_URL'"
  exit 0
fi

drop_db() {
  psql -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >&2 || true
}
trap drop_db EXIT
status=0
"$@" || status=$?
exit "$status"
