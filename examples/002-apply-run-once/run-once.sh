#!/usr/bin/env bash
# What the platform's cron runs (e.g. */15 * * * *): Harrier's run-once for the queue "apply", for
# at most MAX_SECONDS (600; it starts no job whose timeoutSeconds exceeds the time left). It fires
# the due schedule itself, runs what is due, prints one JSON object and exits. With the
# embedded database it connects to the one the example's service started; in production, set
# HARRIER_DB_URL.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${HARRIER_DB_URL:-}" ]; then
  port=$(sed -n 4p .harrier/pg/postmaster.pid 2>/dev/null || true)
  [ -n "$port" ] || { echo "no HARRIER_DB_URL and no embedded database running (start examples/run.sh 002 first)" >&2; exit 2; }
  export HARRIER_DB_URL="postgresql://postgres@localhost:$port/harrier"
fi
# run-once connects and calls out like the service: it needs the same settings, here the stubs it may call.
STUB_PORT="${EXAMPLE_STUB_PORT:-4100}"
export HARRIER_HTTP_ALLOWED_TARGETS="${HARRIER_HTTP_ALLOWED_TARGETS:-127.0.0.1:$STUB_PORT,127.0.0.1:$((STUB_PORT + 1))}"
if [ -n "${HARRIER_JAR:-}" ]; then
  exec "${JAVA:-java}" -jar "$HARRIER_JAR" run-once --queue apply --max-seconds "${MAX_SECONDS:-600}"
fi
. scripts/pick-jdk.sh
exec "$JAVA_HOME/bin/java" -jar target/quarkus-app/quarkus-run.jar run-once --queue apply --max-seconds "${MAX_SECONDS:-600}"
