#!/usr/bin/env bash
# A peer on the same machine: graphile-worker (Node.js), a PostgreSQL job queue, with its local
# queue and batched completion on, as its own performance test sets them. Enqueues 100,000 no-op
# jobs through its batch API, then times the drain, the way bench/queue.sh times Harrier's.
# Like graphile-worker's perfTest, the time of a start and stop on an empty queue is taken off.
# Uses the PostgreSQL of HARRIER_TEST_DB_URL (default 127.0.0.1:5432) and its own database
# "harrier_peer", dropped at the end. Needs node and npm. See bench/README.md.
#   bench/peer.sh [worker processes...]   (default: 1 4; the perfTest runs 4)
set -euo pipefail
cd "$(dirname "$0")/peer"
url="${HARRIER_TEST_DB_URL:-postgresql://postgres@127.0.0.1:5432/test}"
url="${url#jdbc:}"
base="${url%%\?*}"        # without ?user=...&sslmode=..., which is kept for both databases
query="${url:${#base}}"
if [[ "${base#*://}" == */* ]]; then server="${base%/*}"; else server="$base"; fi   # a URL may name no database
export PEER_DB_URL="$server/harrier_peer$query" NO_LOG_SUCCESS=1 PGOPTIONS="-c client_min_messages=warning"
admin="$server/postgres$query"
concurrency="${PEER_CONCURRENCY:-24}"
jobs=100000
batch=10000
for tool in node npm psql; do
  command -v $tool >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
[ -d node_modules/graphile-worker ] || npm ci --no-audit --no-fund --loglevel=error >/dev/null
trap 'psql -q -c "DROP DATABASE IF EXISTS harrier_peer WITH (FORCE)" "$admin" >/dev/null 2>&1 || true' EXIT
psql -q -c "DROP DATABASE IF EXISTS harrier_peer WITH (FORCE)" -c "CREATE DATABASE harrier_peer" "$admin"
node migrate.mjs

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
drain() { # drain PROCESSES: seconds until every worker process has found the queue empty and exited
  local start pids=() failed=0
  start=$(now)
  for _ in $(seq "$1"); do node drain.mjs >&2 & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ $failed = 0 ] || { echo "a graphile-worker process failed" >&2; exit 1; }
  since "$start"
}

for processes in "${@:-1 4}"; do
  for p in $processes; do
    empty=$(drain "$p")
    start=$(now)
    for _ in $(seq $((jobs / batch))); do
      psql -q -At -v ON_ERROR_STOP=1 -v batch=$batch -f enqueue.sql "$PEER_DB_URL" >/dev/null
    done
    enqueue=$(since "$start")
    psql -q -c "VACUUM ANALYZE graphile_worker._private_jobs" "$PEER_DB_URL"
    seconds=$(drain "$p")
    left=$(psql -Atc "SELECT count(*) FROM graphile_worker._private_jobs" "$PEER_DB_URL")
    [ "$left" = 0 ] || { echo "graphile-worker left $left jobs" >&2; exit 1; }
    awk -v j=$jobs -v e="$enqueue" -v s="$seconds" -v z="$empty" -v p="$p" -v c="$concurrency" 'BEGIN {
      printf "BENCH peer graphile-worker: enqueued %d noop jobs in %.2f s (%.0f jobs/s)\n", j, e, j / e
      printf "BENCH peer graphile-worker: drained %d jobs in %.2f s - %.2f s start and stop = %.0f jobs/s (%d processes of %d jobs, local queue 500)\n", j, s, z, j / (s - z), p, c
    }'
  done
done
