#!/usr/bin/env bash
# The failure drill of the scaled-out mode, run by hand (90 s to 3 minutes):
#
#  1. starts a fresh cluster of its own (scripts/cluster.sh: two replicas on
#     127.0.0.1:8091 and :8092, two workers, database omnivibe_drill, Redis
#     database 2, the synthetic voice);
#  2. runs `omnivibe loadtest` (the report's scenario, closed model) against
#     both replicas, users pinned half to each;
#  3. meanwhile SIGKILLs replica 1 and, later, worker 1 at fixed times, and
#     starts each again a few seconds later;
#  4. waits for the voice-over queue to drain, then checks, in PostgreSQL and
#     on disk, that every accepted voice-over task finished (succeeded, its
#     file in the shared audio directory), none lost or stuck, and that the
#     load test's failures are all connection failures inside the window
#     in which replica 1 was down.
#
# It exits 1 when a check fails. Everything is kept in .cluster-drill/:
# results/ (the load test's JSON, CSV, HTML and console output, the
# timeline, summary.txt) and state/ (the cluster: logs, audio files). The
# database stays until the next drill, for inspection.
#
# What to expect from the failures: a user of the load test is pinned to one
# replica (as a client behind no load balancer would be), so while replica
# 1 is down its users' requests are refused ("connection refused"), one
# attempt per user per think time, and the requests in flight at the kill
# fail as "connection reset" or "connection closed by server". Replica 2's
# users see nothing. A load balancer with health checks would send those
# requests to replica 2 instead; that is the load balancer's work, not the
# product's, and the drill does not pretend otherwise.
#
# Settings (environment):
#   DRILL_SECONDS=75         length of the load test
#   DRILL_USERS=100          users (70 % regular, 30 % power), -r DRILL_SPAWN_RATE=20
#   DRILL_KILL_REPLICA_AT=20 seconds into the load test: SIGKILL replica 1
#   DRILL_KILL_WORKER_AT=40  seconds into the load test: SIGKILL worker 1
#   DRILL_DOWN_SECONDS=5     how long each stays down before it is started again
#   DRILL_SETTLE_SECONDS=90  bound on the time the queue may take to drain after the load
#   DRILL_VOICE=synthetic    or "slow": a local stand-in for a hosted voice
#                            (OpenAI's speech API on 127.0.0.1) that answers
#                            after DRILL_VOICE_DELAY seconds (default 0.5), so
#                            that the worker kill catches jobs mid-run; the
#                            synthetic voice takes milliseconds, so a kill
#                            rarely does
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
top=$repo/.cluster-drill
state=$top/state
results=$top/results
cluster="$repo/scripts/cluster.sh"

seconds=${DRILL_SECONDS:-75}
users=${DRILL_USERS:-100}
spawn_rate=${DRILL_SPAWN_RATE:-20}
kill_replica_at=${DRILL_KILL_REPLICA_AT:-20}
kill_worker_at=${DRILL_KILL_WORKER_AT:-40}
down=${DRILL_DOWN_SECONDS:-5}
settle=${DRILL_SETTLE_SECONDS:-90}
voice=${DRILL_VOICE:-synthetic}
voice_delay=${DRILL_VOICE_DELAY:-0.5}

say() { echo "drill: $*" >&2; }
die() { say "$*"; exit 2; }

if [ "$kill_replica_at" -ge "$kill_worker_at" ] || [ $((kill_worker_at + down + 5)) -ge "$seconds" ]; then
  die "the kills must come in order and end 5 s before the load test does"
fi
case "$voice" in synthetic | slow) ;; *) die "DRILL_VOICE must be synthetic or slow" ;; esac
command -v python3 >/dev/null || die "python3 is needed for the checks"

export OMNIVIBE_CLUSTER_DIR=$state
export CLUSTER_DB=omnivibe_drill CLUSTER_PORT_BASE=8090 REDIS_URL=redis://127.0.0.1:6379/2
unset DATABASE_URL
# A killed worker's job is rescued once it has run longer than this; the
# synthetic voice takes milliseconds, the slow one DRILL_VOICE_DELAY.
export OMNIVIBE_JOB_TIMEOUT=10s OMNIVIBE_JOB_RESCUE_AFTER=15s
# bcrypt at cost 4: the drill's sign-ups should not eat the CPU it measures.
export OMNIVIBE_PASSWORD_HASH=bcrypt OMNIVIBE_PASSWORD_COST=4 OMNIVIBE_LOG_LEVEL=info OMNIVIBE_STT=none

# A previous drill's cluster, if any, goes first (its database too).
if [ -f "$state/env" ]; then
  "$cluster" destroy
fi
rm -rf "$results"
mkdir -p "$results" "$state"

fake_voice_pid=""
cleanup() {
  say "stopping the drill's cluster (logs stay in $state/logs)"
  "$cluster" stop || true
  if [ -n "$fake_voice_pid" ]; then kill "$fake_voice_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

if [ "$voice" = slow ]; then
  # OpenAI's POST /v1/audio/speech, answered with half a second of 16 kHz
  # silence after the delay: what the openai synthesizer sends and expects.
  cat >"$state/fake-voice.py" <<'PY'
import io, json, sys, time, wave
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
delay = float(sys.argv[1])
buf = io.BytesIO()
with wave.open(buf, "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000); w.writeframes(b"\0\0" * 8000)
WAV = buf.getvalue()
class Voice(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path != "/v1/audio/speech":
            self.send_error(404); return
        if self.headers.get("Authorization") != "Bearer sk-drill":
            self.send_response(401); self.end_headers(); return
        if not json.loads(body).get("input"):
            self.send_response(400); self.end_headers(); return
        time.sleep(delay)
        self.send_response(200)
        self.send_header("Content-Type", "audio/wav")
        self.send_header("Content-Length", str(len(WAV)))
        self.end_headers()
        self.wfile.write(WAV)
    def log_message(self, *args):
        pass
srv = ThreadingHTTPServer(("127.0.0.1", 0), Voice)
print(srv.server_address[1], flush=True)
srv.serve_forever()
PY
  python3 "$state/fake-voice.py" "$voice_delay" >"$state/fake-voice.port" 2>"$state/fake-voice.log" &
  fake_voice_pid=$!
  for _ in $(seq 1 50); do [ -s "$state/fake-voice.port" ] && break; sleep 0.1; done
  [ -s "$state/fake-voice.port" ] || die "the stand-in voice did not start"
  OMNIVIBE_SPEECH_BASE_URL="http://127.0.0.1:$(cat "$state/fake-voice.port")"
  export OMNIVIBE_TTS=openai OPENAI_API_KEY=sk-drill OMNIVIBE_SPEECH_BASE_URL
  say "voice: a stand-in for OpenAI's speech API that answers after ${voice_delay}s"
else
  export OMNIVIBE_TTS=synthetic
fi

"$cluster" start
# shellcheck disable=SC1091
. "$state/env" # DATABASE_URL
bin=$state/omnivibe
timeline=$results/timeline
: >"$timeline"
mark() { echo "$1 $(date +%s.%N)" >>"$timeline"; }

say "load test: $users users against both replicas for ${seconds}s; replica 1 killed at ${kill_replica_at}s, worker 1 at ${kill_worker_at}s, each down ${down}s"
mark load_start
"$bin" loadtest --host http://127.0.0.1:8091 --host http://127.0.0.1:8092 -u "$users" -r "$spawn_rate" -t "${seconds}s" \
  --json "$results/load.json" --csv "$results/load" --html "$results/load.html" \
  >"$results/load.txt" 2>"$results/load.err" &
load_pid=$!
start=$(date +%s.%N)
sleep_until() { sleep "$(python3 -c "import time; print(max(0, $start + $1 - time.time()))")"; }

sleep_until "$kill_replica_at"
mark replica_kill
"$cluster" kill-replica 1
sleep "$down"
"$cluster" start-replica 1
mark replica_ready

sleep_until "$kill_worker_at"
# River's client ID of worker 1, to find the jobs it was running.
worker1_id=$(grep -o '"msg":"River client started"[^}]*"client_id":"[^"]*"' "$state/logs/worker1.log" | tail -1 | sed -E 's/.*"client_id":"([^"]*)"/\1/')
mark worker_kill
"$cluster" kill-worker 1
running_at_kill=$(psql -X -A -t "$DATABASE_URL" -c \
  "SELECT count(*) FROM river_job WHERE kind = 'audio' AND state = 'running' AND attempted_by[array_length(attempted_by, 1)] = '$worker1_id'")
sleep "$down"
"$cluster" start-worker 1
mark worker_ready

wait "$load_pid" || say "the load test exited with status $? (see $results/load.err)"
mark load_end
[ -s "$results/load.json" ] || { tail -20 "$results/load.err" >&2; die "the load test wrote no report"; }

# Settled when no task is queued or running and River has recorded every
# job's end (workers mark jobs completed in batches, just after the task; a
# job the killed worker had finished but not yet marked is rescued and
# completes on its next run, which finds its task done).
say "waiting up to ${settle}s for every voice-over task and job to finish"
settled=""
for _ in $(seq 1 "$settle"); do
  pending=$(psql -X -A -t "$DATABASE_URL" -c "SELECT
      (SELECT count(*) FROM audio_tasks WHERE status IN ('queued', 'running')) +
      (SELECT count(*) FROM river_job WHERE kind = 'audio' AND state NOT IN ('completed', 'cancelled', 'discarded'))")
  if [ "$pending" = 0 ]; then
    settled=yes
    break
  fi
  sleep 1
done
mark settled

# The database's account of the voice-overs.
psql -X -A -F ' ' -t "$DATABASE_URL" -c "SELECT status, count(*) FROM audio_tasks GROUP BY status ORDER BY status" >"$results/tasks_by_status"
psql -X -A -F ' ' -t "$DATABASE_URL" -c "SELECT state, count(*) FROM river_job WHERE kind = 'audio' GROUP BY state ORDER BY state" >"$results/jobs_by_state"
psql -X -A -t "$DATABASE_URL" -c "SELECT count(*) FROM river_job WHERE kind = 'audio' AND EXISTS (SELECT 1 FROM unnest(errors) e WHERE e->>'error' LIKE '%rescued%')" >"$results/jobs_rescued"
psql -X -A -t "$DATABASE_URL" -c "SELECT audio_path FROM audio_tasks WHERE status = 'succeeded'" >"$results/audio_paths"
missing=0
while read -r p; do
  [ -n "$p" ] && [ ! -s "$state/audio/$p" ] && missing=$((missing + 1))
done <"$results/audio_paths"
psql -X -A -F ' ' -t "$DATABASE_URL" -c "SELECT
    round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - created_at))::numeric * 1000, 1),
    round(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - created_at))::numeric * 1000, 1),
    round(max(extract(epoch FROM finished_at - created_at))::numeric, 2)
  FROM audio_tasks WHERE status = 'succeeded'" >"$results/task_times"

python3 - "$results" "$settled" "$settle" "$missing" "$running_at_kill" "$voice" <<'PY' | tee "$results/summary.txt"
import json, re, sys
from datetime import datetime
results, settled, settle, missing, running_at_kill, voice = sys.argv[1:7]
t = {}
for line in open(f"{results}/timeline"):
    k, v = line.split()
    t[k] = float(v)
load = json.load(open(f"{results}/load.json"))
def ts(s):  # Go's RFC 3339 with nanoseconds, to seconds since the epoch
    s = re.sub(r"(\.\d{6})\d+", r"\1", s).replace("Z", "+00:00")
    return datetime.fromisoformat(s).timestamp()
def rows(name):
    return [l.split() for l in open(f"{results}/{name}") if l.strip()]
tasks = {s: int(n) for s, n in rows("tasks_by_status")}
jobs = {s: int(n) for s, n in rows("jobs_by_state")}
rescued = int(open(f"{results}/jobs_rescued").read().strip() or 0)
p50, p99, slowest = (rows("task_times") or [["-", "-", "-"]])[0]
failed_checks = []
def check(ok, what):
    print(("  ok    " if ok else "  FAIL  ") + what)
    if not ok:
        failed_checks.append(what)

rel = lambda k: t[k] - t["load_start"]
print(f"timeline (seconds after the load test started): replica 1 killed {rel('replica_kill'):.1f}, ready {rel('replica_ready'):.1f}; "
      f"worker 1 killed {rel('worker_kill'):.1f}, running {rel('worker_ready'):.1f}; load ended {rel('load_end'):.1f}; "
      f"queue drained {t['settled'] - t['load_end']:.1f} s after the load")
total = load["total"]
print(f"load: {total['requests']} requests, {total['failures']} failed ({100 * total['failure_ratio']:.2f} %), "
      f"{total['requests_per_s']:.1f} req/s, p50 {total['percentiles_ms']['p50']:.1f} ms, p99 {total['percentiles_ms']['p99']:.1f} ms")

# Failures by kind: a connection failure is what a killed replica causes.
conn_kinds = ("connection refused", "connection reset", "connection closed by server", "broken pipe")
by_kind = {}
for f in load["failures"]:
    by_kind[f["error"]] = by_kind.get(f["error"], 0) + f["occurrences"]
print("failures by kind:" + ("" if by_kind else " none"))
for kind, n in sorted(by_kind.items(), key=lambda kv: -kv[1]):
    print(f"  {n:6d}  {kind}")
other = {k: n for k, n in by_kind.items() if not any(c in k for c in conn_kinds)}

# Failures by time: each history point counts the requests that ended in
# the second before its time. The window is from the kill to 2 s after
# replica 1 answered /readyz again (a refused user retries after its wait).
lo, hi = t["replica_kill"], t["replica_ready"] + 2
inside = outside = 0
late = []
for h in load["history"]:
    end = ts(h["time"])
    if h["failures"] == 0:
        continue
    if end >= lo and end - 1 <= hi:
        inside += h["failures"]
    else:
        outside += h["failures"]
        late.append(f"{end - t['load_start']:.0f}s: {h['failures']}")
unplaced = total["failures"] - inside - outside  # ended after the last history point
if unplaced:
    outside += unplaced
    late.append(f"after the last second: {unplaced}")
print(f"failures while replica 1 was down (+2 s): {inside}; at any other time: {outside}" + (f" ({', '.join(late)})" if late else ""))

audio = next((e for e in load["endpoints"] if e["name"] == "/api/v1/audio/generate"), None)
accepted = audio["requests"] - audio["failures"] if audio else 0
rows_total = sum(tasks.values())
print(f"voice-overs: {accepted} accepted (202) by the API, {rows_total} task rows: " + ", ".join(f"{n} {s}" for s, n in tasks.items()))
print(f"river jobs: " + ", ".join(f"{n} {s}" for s, n in jobs.items()) + f"; {rescued} rescued after the worker kill "
      f"({running_at_kill} running on worker 1 when it was killed)")
print(f"task timing: enqueue to running p50 {p50} ms, p99 {p99} ms; slowest task {slowest} s from request to finished")

print("checks:")
check(total["requests"] > 0, "the load test ran")
check(rows_total >= accepted and (audio is None or rows_total <= audio["requests"]),
      "every accepted voice-over has its task row (rows between accepted and sent requests)")
check(settled == "yes", f"the queue drained within {settle} s after the load (no task or job stuck queued or running)")
check(set(tasks) <= {"succeeded"}, "every task succeeded (none failed, lost or stuck)")
check(all(s in ("completed",) for s in jobs), "every River job completed (none discarded, cancelled or pending)")
check(int(missing) == 0, f"every succeeded task's file is in the shared audio directory ({missing} missing)")
check(not other, "every load-test failure is a connection failure" + (f" (others: {other})" if other else ""))
check(outside == 0, "no failure outside the window in which replica 1 was down")
if voice == "slow":
    check(int(running_at_kill) > 0 and rescued > 0, "the worker kill caught jobs mid-run, and they were rescued")
elif int(running_at_kill) == 0:
    print("  note  the worker kill caught no job mid-run (synthetic jobs take milliseconds); DRILL_VOICE=slow makes it")
print("drill " + ("FAILED: " + "; ".join(failed_checks) if failed_checks else "passed"))
sys.exit(1 if failed_checks else 0)
PY
