#!/usr/bin/env bash
# Remote workers over HTTP (issue 18): no-op jobs drained by 1, 4 and 16 worker processes
# (bench/node/remote-worker.mjs: claim with the long poll, complete each job, Node's fetch with
# keep-alive), claims of 1 and of 50 jobs; jobs per second from the queue's unpause to the last
# completion (counted by the workers, no polling), after a warm-up drain, and the pickup latency of single jobs enqueued while the workers wait in their claim
# (startedAt - createdAt, both the database's clock). The packaged service at its defaults.
# Uses HARRIER_TEST_DB_URL (default postgresql://postgres@127.0.0.1:5432/test; its schema "harrier"
# is dropped). JOBS (10,000), PICKUP (100), SETTINGS ("1x1 4x1 16x1 1x50 4x50 16x50": workers x batch).
# Needs psql, node. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pick-jdk.sh
DB_URL="${HARRIER_TEST_DB_URL:-postgresql://postgres@127.0.0.1:5432/test}"
DB_URL="${DB_URL#jdbc:}"
KEY="bench-remote-key-0123456789abcdef"
PORT=18083
MGMT=19003
export PGOPTIONS="-c client_min_messages=warning"
for tool in psql node curl; do command -v $tool >/dev/null || { echo "$tool is missing" >&2; exit 1; }; done
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests

psql -qc "DROP SCHEMA IF EXISTS harrier CASCADE" "$DB_URL"
HARRIER_DB_URL="$DB_URL" HARRIER_API_KEYS="default:$KEY" QUARKUS_HTTP_PORT=$PORT QUARKUS_MANAGEMENT_PORT=$MGMT \
  "$JAVA_HOME/bin/java" ${JVM_OPTS:-} -jar target/quarkus-app/quarkus-run.jar > /tmp/harrier-remote.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -sf "localhost:$MGMT/q/health/ready" >/dev/null && break; sleep 0.25; done

echo "# $(date -u +%FT%TZ) $(nproc) cores, JOBS=${JOBS:-10000} PICKUP=${PICKUP:-100}"
# A warm-up drain first (the JIT), then each setting on an emptied jobs table.
HARRIER_URL="http://localhost:$PORT" HARRIER_API_KEY="$KEY" SETTINGS="4x50" JOBS=10000 PICKUP=10 \
  node bench/node/remote-bench.mjs > /dev/null
for setting in ${SETTINGS:-1x1 4x1 16x1 1x50 4x50 16x50}; do
  psql -qc "TRUNCATE harrier.jobs, harrier.job_events, harrier.job_items CASCADE" "$DB_URL"
  HARRIER_URL="http://localhost:$PORT" HARRIER_API_KEY="$KEY" SETTINGS="$setting" node bench/node/remote-bench.mjs
done
