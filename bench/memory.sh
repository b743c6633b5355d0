#!/usr/bin/env bash
# Resident memory of the packaged service: idle, then while it drains a backlog of noop jobs
# enqueued through the API, then during a scrape of 10,000 URLs (a local stub, 50 ms a page, in
# Node.js) followed by 100 stream clients (curl) that read every event. Runs the jar against HARRIER_TEST_DB_URL
# (default: the PostgreSQL on 127.0.0.1:5432, database "test"), whose schema "harrier" it drops
# first. See bench/README.md.
#
#   bench/memory.sh                      # the JVM's defaults
#   JVM_OPTS="-Xmx64m ..." bench/memory.sh   # other settings (the small-machine ones: bench/README.md)
#   JOBS=50000 URLS=10000 STREAM_CLIENTS=100 bench/memory.sh   # the defaults
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pick-jdk.sh
DB_URL="${HARRIER_TEST_DB_URL:-postgresql://postgres@127.0.0.1:5432/test}"
JOBS="${JOBS:-50000}"
URLS="${URLS:-10000}"
STREAM_CLIENTS="${STREAM_CLIENTS:-100}"
STUB_PORT=18090
JVM_OPTS="${JVM_OPTS:-}"
KEY="bench-memory-key-0123456789abcdef"
PORT=18080
MGMT=19000

if [ ! -f target/quarkus-app/quarkus-run.jar ]; then
  ./mvnw -B -q package -DskipTests
fi
PGOPTIONS="-c client_min_messages=warning" psql "$DB_URL" -qc "DROP SCHEMA IF EXISTS harrier CASCADE"

# shellcheck disable=SC2086
HARRIER_DB_URL="$DB_URL" HARRIER_API_KEYS="default:$KEY" QUARKUS_HTTP_PORT=$PORT QUARKUS_MANAGEMENT_PORT=$MGMT \
  HARRIER_HTTP_ALLOWED_TARGETS="127.0.0.1:$STUB_PORT" \
  "$JAVA_HOME/bin/java" $JVM_OPTS -jar target/quarkus-app/quarkus-run.jar > /tmp/harrier-memory.log 2>&1 &
PID=$!
STUB=""
CLIENTS=()
cleanup() {
  kill "$PID" ${STUB:+"$STUB"} "${CLIENTS[@]}" 2>/dev/null || true
}
trap cleanup EXIT

rss() { awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$PID/status"; }
hwm() { awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$PID/status"; }

for _ in $(seq 1 120); do
  curl -sf "localhost:$MGMT/q/health/ready" >/dev/null && break
  sleep 0.5
done
curl -sf "localhost:$MGMT/q/health/ready" >/dev/null || { echo "BENCH memory: the service did not become ready"; tail -20 /tmp/harrier-memory.log; exit 1; }
sleep 10
echo "BENCH memory: JVM options: ${JVM_OPTS:-none, the JVM defaults}"
echo "BENCH memory: idle 10 s after ready: RSS $(rss) MB (peak so far $(hwm) MB)"

# The backlog, enqueued in batches of 1,000 while the service runs them.
BODY=$(python3 -c 'import json; print(json.dumps({"jobs": [{"kind": "noop", "args": {}}] * 1000}))')
START=$(date +%s.%N)
PEAK=0
sample() { local r; r=$(rss); [ "$r" -gt "$PEAK" ] && PEAK=$r; true; }
for _ in $(seq 1 $((JOBS / 1000))); do
  curl -sf -o /dev/null -X POST "localhost:$PORT/api/v1/jobs/batch" -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' -d "$BODY"
  sample
done
while [ "$(psql "$DB_URL" -Atc "SELECT count(*) FROM harrier.jobs WHERE status <> 'completed'")" != "0" ]; do
  sample
  sleep 0.2
done
END=$(date +%s.%N)
sample
echo "BENCH memory: enqueued and ran $JOBS noop jobs in $(python3 -c "print(round($END - $START, 1))") s; RSS peak sampled $PEAK MB, VmHWM $(hwm) MB"
sleep 10
echo "BENCH memory: 10 s after the drain: RSS $(rss) MB"

# A scrape of $URLS URLs at concurrency 200, followed by 100 stream clients.
node -e "
const http = require('node:http');
const server = http.createServer((req, res) => setTimeout(() => res.end('<p>ok ' + req.url + '</p>'), 50));
server.keepAliveTimeout = 60000;
server.listen($STUB_PORT, '127.0.0.1');
" &
STUB=$!
sleep 1
python3 -c "import json; print(json.dumps({'kind': 'scrape', 'args': {'urls': ['http://127.0.0.1:$STUB_PORT/page?n=%d' % i for i in range($URLS)], 'concurrency': 200, 'perHostConcurrency': 200, 'retries': 0, 'extract': {'type': 'raw'}}}))" \
  > /tmp/harrier-memory-scrape.json
ID=$(curl -sf -X POST "localhost:$PORT/api/v1/jobs" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d @/tmp/harrier-memory-scrape.json | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
for _ in $(seq 1 "$STREAM_CLIENTS"); do
  curl -sN "localhost:$PORT/api/v1/jobs/$ID/events" -H "Authorization: Bearer $KEY" > /dev/null &
  CLIENTS+=($!)
done
START=$(date +%s.%N)
PEAK=0
while [ "$(psql "$DB_URL" -Atc "SELECT status FROM harrier.jobs WHERE id = '$ID'")" != "completed" ]; do
  sample
  sleep 0.2
done
END=$(date +%s.%N)
sample
echo "BENCH memory: a scrape of $URLS URLs with $STREAM_CLIENTS stream clients in $(python3 -c "print(round($END - $START, 1))") s; RSS peak sampled $PEAK MB, VmHWM $(hwm) MB"
kill -TERM $PID
wait $PID || true
