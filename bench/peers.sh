#!/usr/bin/env bash
# Harrier against its peers on one machine and one PostgreSQL, interleaved: each round runs every
# configuration once, then the ratios are printed. Harrier is the packaged jar started as a user
# starts it, with the small-machine JVM settings (bench/README.md), one first small batch (1,000
# jobs) and no other warm-up; its JOBS `noop` jobs are enqueued through the API
# (POST /api/v1/jobs/batch, 10,000 a request) into a paused queue, and the drain is timed from the
# resume to the last completion. graphile-worker and pg-boss enqueue through their batch APIs and
# are timed the same way (graphile-worker less its start and stop on an empty queue, as
# bench/peer.sh). Resident memory: Harrier's idle (5 s after its first batch) and peak (VmHWM);
# the peers' peak (max RSS of the drain process). What a job costs PostgreSQL during the drain:
# its CPU (every process of the server, those that exited included) and the WAL it wrote, per job;
# "-" when the server is not on this machine or its data directory cannot be read. And what a job
# costs the worker process: Harrier's JVM during the drain; the peer's drain process (less
# graphile-worker's start and stop on an empty queue; pg-boss's start included).
#
#   bench/peers.sh                                  # 5 rounds of 200,000 jobs
#   ROUNDS=1 JOBS=20000 bench/peers.sh              # a quick look
#   CONFIGS="harrier-24 graphile-24" bench/peers.sh  # some of: harrier-24 harrier-defaults
#                                                   #   graphile-24 pgboss-24 harrier-2000 harrier-2000-limit50
#   JVM_OPTS="" bench/peers.sh                      # Harrier with the JVM's defaults instead
#
# Uses HARRIER_TEST_DB_URL (default postgresql://postgres@127.0.0.1:5432/test; Harrier's schema
# there is dropped) and, for the peers, its own database "harrier_peer". Needs psql, node, npm, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pick-jdk.sh
DB_URL="${HARRIER_TEST_DB_URL:-postgresql://postgres@127.0.0.1:5432/test}"
DB_URL="${DB_URL#jdbc:}"
ROUNDS="${ROUNDS:-5}"
JOBS="${JOBS:-200000}"
CONFIGS="${CONFIGS:-harrier-24 graphile-24 harrier-defaults pgboss-24 harrier-2000 harrier-2000-limit50}"
# The small-machine settings of src/main/docker/Dockerfile.jvm (with its MALLOC_ARENA_MAX=2).
SMALL="-XX:+UseSerialGC -Xmx64m -XX:TieredStopAtLevel=1 -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=32m -Xss512k -XX:MaxDirectMemorySize=32m"
JVM_OPTS="${JVM_OPTS-$SMALL}"
KEY="bench-peers-key-0123456789abcdef"
PORT=18081
MGMT=19001
OUT="${OUT:-/tmp/harrier-peers.txt}"
export PGOPTIONS="-c client_min_messages=warning"

for tool in node npm psql python3 curl; do
  command -v $tool >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests
(cd bench/peer && { [ -d node_modules/pg-boss ] && [ -d node_modules/graphile-worker ] || npm ci --no-audit --no-fund --loglevel=error >/dev/null; })

base="${DB_URL%%\?*}"
query="${DB_URL:${#base}}"
if [[ "${base#*://}" == */* ]]; then server="${base%/*}"; else server="$base"; fi
export PEER_DB_URL="$server/harrier_peer$query" NO_LOG_SUCCESS=1 JOBS PEER_CONCURRENCY=24
admin="$server/postgres$query"

PID=""
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
  psql -q -c "DROP DATABASE IF EXISTS harrier_peer WITH (FORCE)" "$admin" >/dev/null 2>&1 || true
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
api() { curl -sf -o /dev/null -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' "$@"; }
mb() { awk "/^$1/ {print int(\$2 / 1024)}" "/proc/$PID/status"; }
record() { # record ROUND CONFIG JOBS/S IDLE_MB PEAK_MB WORKER_SECONDS (the drain's CPU; its cost from cost_from)
  local worker
  worker=$(awk -v s="$6" -v j="$JOBS" 'BEGIN { printf "%.1f", s * 1e6 / j }')
  echo "$1 $2 $3 $4 $5 $cost $worker" >> "$OUT"
  printf 'BENCH peers round %s %-22s %8.0f jobs/s  RSS idle %s MB, peak %s MB  per job: PostgreSQL %s us CPU, %s B WAL; worker %s us CPU\n' \
    "$1" "$2" "$3" "$4" "$5" ${cost% *} ${cost#* } "$worker"
}
jvm_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$PID/stat"; }
# Runs a node script of bench/peer under /usr/bin/time: its output, then "PEAK_KB CPU_SECONDS".
timed_node() { (cd bench/peer && /usr/bin/time -f '%M %U %S' node "$@" 2>&1) |
  awk '{ if (NR > 1) print last; last = $0 } END { split(last, f, " "); print f[1], f[2] + f[3] }'; }

# PostgreSQL's CPU time in clock ticks: its processes' and the exited ones' (the postmaster's children).
postmaster=$(head -1 "$(psql -Atc "SHOW data_directory" "$DB_URL" 2>/dev/null)/postmaster.pid" 2>/dev/null || true)
server_ticks() {
  [ -n "$postmaster" ] && [ -r "/proc/$postmaster/stat" ] || { echo -; return; }
  local ticks pid
  ticks=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat")
  for pid in $(pgrep -P "$postmaster"); do
    ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$ticks"
}
wal() { psql -Atc "SELECT pg_current_wal_lsn() - '0/0'" "$DB_URL"; }
cost=""
cost_start() { ticks0=$(server_ticks); wal0=$(wal); }
cost_from() { # the drain's cost per job since cost_start: "CPU_US WAL_BYTES"
  local ticks1 wal1
  ticks1=$(server_ticks); wal1=$(wal)
  cost=$(awk -v t0="$ticks0" -v t1="$ticks1" -v w0="$wal0" -v w1="$wal1" -v j="$JOBS" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%s %.0f", (t0 == "-" ? "-" : sprintf("%.1f", (t1 - t0) / hz * 1e6 / j)), (w1 - w0) / j }')
}

python3 -c "import json; print(json.dumps({'jobs': [{'kind': 'noop', 'args': {}}] * 10000}))" > /tmp/harrier-peers-batch.json
python3 -c "import json; print(json.dumps({'jobs': [{'kind': 'noop', 'args': {}}] * 1000}))" > /tmp/harrier-peers-first.json

# 1 while a job is pending or running, from the last entry of each partial index (a count of the
# table took 20 to 100 ms of PostgreSQL's CPU every 50 ms of the drain, which the peers do not pay;
# the first entry, 1.7 us of PostgreSQL a job: the claimed jobs' entries stay at the head of the
# claim index until a vacuum, and each poll walked them).
unfinished() {
  psql -Atc "SELECT coalesce((SELECT 1 FROM harrier.jobs WHERE status = 'pending' ORDER BY workspace DESC, queue DESC, priority DESC, run_at DESC, id DESC LIMIT 1),
                             (SELECT 1 FROM harrier.jobs WHERE status = 'running' ORDER BY workspace DESC, queue DESC, lease_expires_at DESC LIMIT 1), 0)" "$DB_URL"
}

harrier() { # harrier ROUND NAME SLOTS LIMIT: SLOTS empty for the default, LIMIT empty for none
  local round=$1 name=$2 slots=$3 limit=$4 start seconds idle cpu0
  psql -qc "DROP SCHEMA IF EXISTS harrier CASCADE" "$DB_URL"
  # shellcheck disable=SC2086
  env ${slots:+HARRIER_WORKER_SLOTS=$slots} MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" HARRIER_DB_URL="$DB_URL" HARRIER_API_KEYS="default:$KEY" \
    QUARKUS_HTTP_PORT=$PORT QUARKUS_MANAGEMENT_PORT=$MGMT \
    "$JAVA_HOME/bin/java" $JVM_OPTS -jar target/quarkus-app/quarkus-run.jar > /tmp/harrier-peers.log 2>&1 &
  PID=$!
  for _ in $(seq 1 240); do curl -sf "localhost:$MGMT/q/health/ready" >/dev/null && break; sleep 0.25; done
  curl -sf "localhost:$MGMT/q/health/ready" >/dev/null || { echo "the service did not start" >&2; tail -20 /tmp/harrier-peers.log >&2; exit 1; }
  api -X POST "localhost:$PORT/api/v1/jobs/batch" -d @/tmp/harrier-peers-first.json
  while [ "$(unfinished)" != 0 ]; do sleep 0.1; done
  sleep 5
  idle=$(mb VmRSS)
  api -X PATCH "localhost:$PORT/api/v1/queues/default" -d "{\"paused\": true${limit:+, \"concurrency\": $limit}}"
  for _ in $(seq $((JOBS / 10000))); do api -X POST "localhost:$PORT/api/v1/jobs/batch" -d @/tmp/harrier-peers-batch.json; done
  psql -qc "VACUUM ANALYZE harrier.jobs" "$DB_URL"
  cost_start; cpu0=$(jvm_seconds); start=$(now)
  api -X PATCH "localhost:$PORT/api/v1/queues/default" -d '{"paused": false}'
  while [ "$(unfinished)" != 0 ]; do sleep 0.05; done
  seconds=$(since "$start"); cost_from
  record "$round" "$name" "$(awk -v j="$JOBS" -v s="$seconds" 'BEGIN { print j / s }')" "$idle" "$(mb VmHWM)" \
    "$(awk -v a="$cpu0" -v b="$(jvm_seconds)" 'BEGIN { print b - a }')"
  kill -TERM $PID; wait $PID || true; PID=""
}

peer_database() {
  psql -q -c "DROP DATABASE IF EXISTS harrier_peer WITH (FORCE)" -c "CREATE DATABASE harrier_peer" "$admin"
}

graphile() { # graphile ROUND
  local empty empty_cpu start seconds out
  peer_database
  (cd bench/peer && node migrate.mjs)
  start=$(now); empty_cpu=$(timed_node drain.mjs | tail -1 | cut -d' ' -f2); empty=$(since "$start")
  for _ in $(seq $((JOBS / 10000))); do
    psql -q -At -v ON_ERROR_STOP=1 -v batch=10000 -f bench/peer/enqueue.sql "$PEER_DB_URL" >/dev/null
  done
  psql -qc "VACUUM ANALYZE graphile_worker._private_jobs" "$PEER_DB_URL"
  cost_start; start=$(now)
  out=$(timed_node drain.mjs | tail -1)
  seconds=$(since "$start"); cost_from
  [ "$(psql -Atc "SELECT count(*) FROM graphile_worker._private_jobs" "$PEER_DB_URL")" = 0 ] || { echo "graphile-worker left jobs" >&2; exit 1; }
  record "$1" graphile-24 "$(awk -v j="$JOBS" -v s="$seconds" -v z="$empty" 'BEGIN { print j / (s - z) }')" - \
    $((${out% *} / 1024)) "$(awk -v a="$empty_cpu" -v b="${out#* }" 'BEGIN { print b - a }')"
}

pgboss() { # pgboss ROUND
  local out seconds usage
  peer_database
  (cd bench/peer && node pgboss-enqueue.mjs)
  psql -qc "VACUUM ANALYZE pgboss.job" "$PEER_DB_URL"
  cost_start
  out=$(timed_node pgboss-drain.mjs)
  cost_from
  seconds=$(echo "$out" | tail -2 | head -1)
  usage=$(echo "$out" | tail -1)
  [ "$(psql -Atc "SELECT count(*) FROM pgboss.job WHERE state <> 'completed'" "$PEER_DB_URL")" = 0 ] || { echo "pg-boss left jobs" >&2; exit 1; }
  record "$1" pgboss-24 "$(awk -v j="$JOBS" -v s="$seconds" 'BEGIN { print j / s }')" - $((${usage% *} / 1024)) "${usage#* }"
}

: > "$OUT"
echo "BENCH peers: $ROUNDS rounds of $JOBS jobs; Harrier's JVM options: ${JVM_OPTS:-none}; $(nproc) cores"
for round in $(seq "$ROUNDS"); do
  for config in $CONFIGS; do
    case $config in
      harrier-24) harrier "$round" "$config" 24 "" ;;
      harrier-defaults) harrier "$round" "$config" "" "" ;;
      harrier-2000) harrier "$round" "$config" 2000 "" ;;
      harrier-2000-limit50) harrier "$round" "$config" 2000 50 ;;
      graphile-24) graphile "$round" ;;
      pgboss-24) pgboss "$round" ;;
      *) echo "unknown configuration $config" >&2; exit 1 ;;
    esac
  done
done
python3 bench/peers-summary.py "$OUT"
