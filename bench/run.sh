#!/usr/bin/env bash
# catweete's load test: catweete's HTTP hot paths beside the limit (a
# minimal Go server that only verifies Slack's signature, once answering
# nothing and once answering catweete's own help ack) and the peer (a Bolt
# for JavaScript app), under the same signed load, one server after the
# other, on loopback. See bench/README.md.
#
#   bench/run.sh                       # about 4 minutes on the 2-core machine
#   bench/run.sh --duration 10s --runs 5 --workers 64
#
# Options (or the environment variable named in brackets):
#   --duration D   measured time of each run, after the warm-up [BENCH_DURATION, 5s]
#   --warmup D     load sent before each measurement, not counted [BENCH_WARMUP, 1s]
#   --workers N    closed-loop workers for help, status, click [BENCH_WORKERS, 32]
#   --runs N       runs of each measurement; the table shows medians [BENCH_RUNS, 3]
#   --rate N       app_mention events per second [BENCH_RATE, 2000]
#   --posts N      posts drafted before the runs [BENCH_POSTS, 300]
#   --approved N   of which approved, and so published [BENCH_APPROVED, 100]
#   --port P       first of the 5 loopback ports used [BENCH_PORT, 18700]
#   --out DIR      where results and logs go [BENCH_OUT, bench/out/<date>]
set -euo pipefail

cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
export CGO_ENABLED=1

duration="${BENCH_DURATION:-5s}"
warmup="${BENCH_WARMUP:-1s}"
workers="${BENCH_WORKERS:-32}"
runs="${BENCH_RUNS:-3}"
rate="${BENCH_RATE:-2000}"
posts="${BENCH_POSTS:-300}"
approved="${BENCH_APPROVED:-100}"
port="${BENCH_PORT:-18700}"
out="${BENCH_OUT:-bench/out/$(date +%Y%m%d-%H%M%S)}"
while [ $# -gt 0 ]; do
  if [ $# -lt 2 ] && [ "$1" != -h ] && [ "$1" != --help ]; then
    echo "run.sh: $1 needs a value (see --help)" >&2
    exit 2
  fi
  case "$1" in
    --duration) duration="$2" ;;
    --warmup) warmup="$2" ;;
    --workers) workers="$2" ;;
    --runs) runs="$2" ;;
    --rate) rate="$2" ;;
    --posts) posts="$2" ;;
    --approved) approved="$2" ;;
    --port) port="$2" ;;
    --out) out="$2" ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "run.sh: unknown option $1 (see --help)" >&2
      exit 2
      ;;
  esac
  shift 2
done
if [ "$approved" -gt "$posts" ] || [ "$approved" -lt 1 ]; then
  echo "run.sh: --approved must be within 1..--posts" >&2
  exit 2
fi

fake_port=$port
verifier_port=$((port + 1))
catweete_port=$((port + 2))
bolt_port=$((port + 3))
answer_port=$((port + 4))
fake="http://127.0.0.1:$fake_port"

mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/catweete-bench.XXXXXX")"
bin="$work/bin"
results="$out/results.jsonl"
: >"$results"

# Every process this script starts, stopped on the way out, whatever
# happens.
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

log() { printf '\n== %s\n' "$*" >&2; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_port PORT PID NAME: until something listens on PORT, while PID lives.
wait_port() {
  local i
  for i in $(seq 1 300); do
    if ! port_free "$1"; then
      return 0
    fi
    if ! kill -0 "$2" 2>/dev/null; then
      echo "run.sh: $3 exited before listening; its log: $out/$3.log" >&2
      tail -n 20 "$out/$3.log" >&2 || true
      return 1
    fi
    sleep 0.1
  done
  echo "run.sh: $3 is not listening on port $1 after 30 s" >&2
  return 1
}

# settle PID NAME: waits (30 s at most) until PID has used at most one clock
# tick of CPU in a second: what catweete does after its seeding (publishing
# the approved posts, their first numbers) must not count in a measurement.
settle() {
  local i before after
  for i in $(seq 1 30); do
    before=$(awk '{print $14 + $15}' "/proc/$1/stat")
    sleep 1
    after=$(awk '{print $14 + $15}' "/proc/$1/stat")
    if [ $((after - before)) -le 1 ]; then
      return 0
    fi
  done
  echo "run.sh: $2 still busy after 30 s; measuring anyway" >&2
}

# stop PID: stops a server once its measurements are done; it is then no
# longer ours to stop on the way out.
stop() {
  local pid kept=()
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  for pid in "${pids[@]}"; do
    if [ "$pid" != "$1" ]; then
      kept+=("$pid")
    fi
  done
  pids=("${kept[@]}")
}

for p in "$fake_port" "$verifier_port" "$catweete_port" "$bolt_port" "$answer_port"; do
  if ! port_free "$p"; then
    echo "run.sh: port $p is in use; choose others with --port" >&2
    exit 1
  fi
done

random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
secret="$(random_hex 16)"
token="xoxb-bench-$(random_hex 12)"
clk_tck="$(getconf CLK_TCK)"

log "building catweete, the load generator, the fake Slack and the verifier"
mkdir -p "$bin"
go build -o "$bin/catweete" .
go build -o "$bin/loadgen" ./bench/loadgen
go build -o "$bin/fakeslack" ./bench/fakeslack
go build -o "$bin/verifier" ./bench/verifier

log "installing the Bolt app (npm ci)"
(cd bench/bolt && npm ci --no-audit --no-fund --loglevel=error)

# loadgen LABEL PID BASEURL KIND [FLAGS…]: one measurement, its result
# appended to the results file.
loadgen() {
  local label="$1" pid="$2" url="$3" kind="$4"
  shift 4
  SLACK_SIGNING_SECRET="$secret" "$bin/loadgen" -json -label "$label" -pid "$pid" -url "$url" -kind "$kind" \
    -fake "$fake" -workers "$workers" -duration "$duration" -warmup "$warmup" -clk-tck "$clk_tck" "$@" >>"$results"
}

# measure LABEL PID BASEURL KIND [FLAGS…]: the same measurement, --runs times.
measure() {
  local i
  for i in $(seq 1 "$runs"); do
    echo "-- $1 $4, run $i of $runs" >&2
    loadgen "$@"
  done
}

log "the fake Slack on 127.0.0.1:$fake_port"
env -i FAKESLACK_TOKEN="$token" "$bin/fakeslack" -addr "127.0.0.1:$fake_port" 2>"$out/fakeslack.log" &
fake_pid=$!
pids+=("$fake_pid")
wait_port "$fake_port" "$fake_pid" fakeslack

# The servers run side by side, idle but for the one under load: the help
# runs alternate between them (verifier, verifier+answer, catweete, Bolt,
# and again), so that what the shared machine does meanwhile weighs on all
# of them alike.
log "the limit: the minimal verifier on 127.0.0.1:$verifier_port"
env -i SLACK_SIGNING_SECRET="$secret" "$bin/verifier" -addr "127.0.0.1:$verifier_port" 2>"$out/verifier.log" &
verifier_pid=$!
pids+=("$verifier_pid")
wait_port "$verifier_port" "$verifier_pid" verifier

log "the peer: Bolt for JavaScript on 127.0.0.1:$bolt_port"
# node itself, not npm start: the pid measured is the server's.
env -i PATH="$PATH" HOME="$work" NODE_ENV=production \
  SLACK_BOT_TOKEN="$token" SLACK_SIGNING_SECRET="$secret" SLACK_API_URL="$fake/api/" BOLT_PORT="$bolt_port" \
  node bench/bolt/app.js 2>"$out/bolt.log" &
bolt_pid=$!
pids+=("$bolt_pid")
wait_port "$bolt_port" "$bolt_pid" bolt

log "catweete on 127.0.0.1:$catweete_port (HTTP mode, against the fake Slack)"
# Only what the load test sets: no network of the environment is
# configured, so posts go to the in-process sandbox network.
env -i PATH="$PATH" HOME="$work" \
  SLACK_BOT_TOKEN="$token" SLACK_SIGNING_SECRET="$secret" SLACK_API_URL="$fake/api/" \
  CATWEETE_DB="$work/catweete.db" CATWEETE_HTTP_ADDR="127.0.0.1:$catweete_port" \
  CATWEETE_APPROVAL_CHANNEL=CAPPROVAL CATWEETE_APPROVERS=UAPPROVER CATWEETE_TZ=Europe/Paris \
  "$bin/catweete" serve 2>"$out/catweete.log" &
catweete_pid=$!
pids+=("$catweete_pid")
wait_port "$catweete_port" "$catweete_pid" catweete
catweete_url="http://127.0.0.1:$catweete_port"

echo "-- seeding: $posts posts drafted with /catweete brouillon, the first $approved approved (published to the sandbox)" >&2
seed() {
  SLACK_SIGNING_SECRET="$secret" "$bin/loadgen" -json -label catweete -pid "$catweete_pid" -url "$catweete_url" \
    -fake "$fake" -clk-tck "$clk_tck" "$@" >>"$out/seed.jsonl"
}
seed -kind draft -count "$posts" -workers 4
seed -kind approve -count "$approved" -post-from 1 -workers 2
settle "$catweete_pid" catweete

# The limit answering what catweete answers: catweete's own help ack,
# fetched once, sent by a second verifier. The difference between the two
# verifiers is the cost of sending those bytes, which the empty limit
# does not pay and catweete's help does.
help_ack="$work/help-ack.json"
SLACK_SIGNING_SECRET="$secret" "$bin/loadgen" -url "$catweete_url" -fake "$fake" -kind help -save-ack "$help_ack"
cp "$help_ack" "$out/help-ack.json"
log "the limit answering catweete's help ack ($(wc -c <"$help_ack") bytes): a second verifier on 127.0.0.1:$answer_port"
env -i SLACK_SIGNING_SECRET="$secret" "$bin/verifier" -addr "127.0.0.1:$answer_port" -answer "$help_ack" \
  2>"$out/verifier-answer.log" &
answer_pid=$!
pids+=("$answer_pid")
wait_port "$answer_port" "$answer_pid" verifier-answer

for i in $(seq 1 "$runs"); do
  echo "-- help, round $i of $runs: verifier, verifier+answer, catweete, Bolt" >&2
  loadgen verifier "$verifier_pid" "http://127.0.0.1:$verifier_port" help
  loadgen verifier+answer "$answer_pid" "http://127.0.0.1:$answer_port" help
  loadgen catweete "$catweete_pid" "$catweete_url" help
  loadgen bolt "$bolt_pid" "http://127.0.0.1:$bolt_port" help -path /slack/events
done
stop "$verifier_pid"
stop "$answer_pid"
stop "$bolt_pid"

measure catweete "$catweete_pid" "$catweete_url" status
# A second approver's click on a post already approved: answered with who
# was first, privately.
measure catweete "$catweete_pid" "$catweete_url" click -post-from 1 -post-to "$approved" -version 1
measure catweete "$catweete_pid" "$catweete_url" mention -rate "$rate" -drain 20s
stop "$catweete_pid"

log "results ($results)"
"$bin/loadgen" -report "$results" | tee "$out/report.txt"
