#!/usr/bin/env bash
# The yardstick for bench/queue.sh: raw claim-and-complete SQL on a minimal table, with no job
# engine at all (pgbench, 4 clients). Its figure says how fast this machine's PostgreSQL is, so
# the queue's drain can be compared with the issue's targets, set on another machine.
# Uses HARRIER_TEST_DB_URL (default: the PostgreSQL on 127.0.0.1:5432, database "test") and its
# own schema "harrier_raw", dropped at the end. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")"
url="${HARRIER_TEST_DB_URL:-postgresql://postgres@127.0.0.1:5432/test}"
url="${url#jdbc:}"
export PGOPTIONS="-c client_min_messages=warning"
command -v pgbench >/dev/null || { echo "pgbench is missing: apt-get install postgresql-client (or postgresql-contrib)" >&2; exit 1; }
trap 'psql -q -c "DROP SCHEMA IF EXISTS harrier_raw CASCADE" "$url" >/dev/null 2>&1 || true' EXIT
clients=4
jobs=200000
for batch in 100 1000; do
  transactions=$((jobs * 8 / 10 / batch / clients))   # 80 % of the rows: no claim comes back empty
  psql -q -v ON_ERROR_STOP=1 -v jobs=$jobs -f sql/raw-queue-setup.sql "$url" >/dev/null
  out=$(pgbench -n -f sql/raw-queue-batch.sql -D batch=$batch -c $clients -j 2 -t $transactions "$url" 2>&1) \
    || { echo "$out" >&2; exit 1; }
  tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
  [ -n "$tps" ] || { echo "$out" >&2; exit 1; }
  left=$(psql -Atc "SELECT count(*) FROM harrier_raw.jobs WHERE state = 'running'" "$url")
  [ "$left" = 0 ] || { echo "raw SQL left $left rows running" >&2; exit 1; }
  awk -v t="$tps" -v b="$batch" -v c="$clients" \
    'BEGIN { printf "BENCH raw sql: claim and complete in batches of %d, %d clients: %.0f rows/s\n", b, c, t * b }'
done
