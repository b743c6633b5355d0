#!/usr/bin/env bash
# What the notification lock costs (issue 16): a transaction that commits with a pending NOTIFY takes
# a lock global to the PostgreSQL cluster and holds it through its WAL flush. Measures, with 16
# concurrent clients, for CLIENT_SECONDS each:
#   1. pgbench: one-job enqueues with their NOTIFY inside the transaction (as Harrier sent them until
#      2026-12-01 d),
#      the same enqueues with none, and with none plus one debounced NOTIFY transaction a
#      millisecond beside them (what sending after the commit, debounced per instance, costs);
#   2. the packaged service: single-job POST /api/v1/jobs from 16 clients (bench/node/enqueue-load.mjs;
#      a fresh JVM, three rounds of CLIENT_SECONDS one after the other),
#      into a paused queue so that only the enqueue is timed.
# Uses HARRIER_TEST_DB_URL (default postgresql://postgres@127.0.0.1:5432/test; its schema
# "harrier" is dropped). Needs pgbench, psql, node. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pick-jdk.sh
DB_URL="${HARRIER_TEST_DB_URL:-postgresql://postgres@127.0.0.1:5432/test}"
DB_URL="${DB_URL#jdbc:}"
SECONDS_EACH="${CLIENT_SECONDS:-10}"
KEY="bench-notify-key-0123456789abcdef"
PORT=18082
MGMT=19002
export PGOPTIONS="-c client_min_messages=warning"
for tool in pgbench psql node; do command -v $tool >/dev/null || { echo "$tool is missing" >&2; exit 1; }; done
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests

psql -qc "DROP SCHEMA IF EXISTS harrier CASCADE" "$DB_URL"
HARRIER_DB_URL="$DB_URL" HARRIER_API_KEYS="default:$KEY" QUARKUS_HTTP_PORT=$PORT QUARKUS_MANAGEMENT_PORT=$MGMT \
  "$JAVA_HOME/bin/java" -jar target/quarkus-app/quarkus-run.jar > /tmp/harrier-notify.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -sf "localhost:$MGMT/q/health/ready" >/dev/null && break; sleep 0.25; done
curl -sf -o /dev/null -X PATCH "localhost:$PORT/api/v1/queues/load" -H "Authorization: Bearer $KEY" \
  -H 'Content-Type: application/json' -d '{"paused": true}' || true

bench() { # bench LABEL SCRIPT: 16 clients
  local out tps lat
  out=$(pgbench -n -f "bench/sql/$2" -c 16 -j 2 -T "$SECONDS_EACH" "$DB_URL" 2>&1) || { echo "$out" >&2; exit 1; }
  tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
  lat=$(echo "$out" | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p')
  printf 'BENCH notify: pgbench, 16 clients, %-52s %6.0f commits/s, latency %s ms\n' "$1" "$tps" "$lat"
}

# The first enqueue creates the queue row; the service's first claims are over before timing.
psql -qc "INSERT INTO harrier.queues (workspace, name, paused) VALUES ('default', 'load', true) ON CONFLICT DO NOTHING" "$DB_URL"
bench "enqueue, NOTIFY in the transaction (as before 2026-12-01 d)" notify-enqueue.sql
bench "enqueue, no NOTIFY" notify-enqueue-quiet.sql
pgbench -n -f bench/sql/notify-debounced.sql -c 1 -T "$SECONDS_EACH" "$DB_URL" > /tmp/harrier-notify-debounced.txt 2>&1 &
DEBOUNCED=$!
bench "enqueue, no NOTIFY, + 1 debounced NOTIFY a ms beside" notify-enqueue-quiet.sql
wait $DEBOUNCED
echo "BENCH notify: the debounced sender beside it: $(sed -n 's/^tps = \([0-9.]*\).*/\1/p' /tmp/harrier-notify-debounced.txt) NOTIFY transactions/s"
psql -qc "CREATE TABLE IF NOT EXISTS public.harrier_notify_scratch (id uuid, at timestamptz)" "$DB_URL"
bench "one-row insert into a scratch table, no NOTIFY" notify-scratch.sql
psql -qc "TRUNCATE harrier.jobs CASCADE" "$DB_URL"
for round in 1 2 3; do
  echo "BENCH notify: the service, single-job POST /api/v1/jobs, round $round: $(cd bench/node && HARRIER_URL="http://localhost:$PORT" HARRIER_KEY=$KEY CLIENTS=16 SECONDS="$SECONDS_EACH" node enqueue-load.mjs)"
done
psql -qc "DROP TABLE IF EXISTS public.harrier_notify_scratch" "$DB_URL"
