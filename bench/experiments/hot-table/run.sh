#!/usr/bin/env bash
# An experiment, not a benchmark of Harrier: the engine's claim and outcome statements on the
# current jobs table against the same on a narrow table for the hot queue state (README.md here).
# Runs both in turn, `rounds` times (default 3), with pgbench (2 clients, batches of 1,000).
# Uses HARRIER_TEST_DB_URL (default: the PostgreSQL on 127.0.0.1:5432, database "test") and its
# own schemas harrier_exp_now and harrier_exp_hot, dropped at the end.
set -euo pipefail
cd "$(dirname "$0")"
url="${HARRIER_TEST_DB_URL:-postgresql://postgres@127.0.0.1:5432/test}"
url="${url#jdbc:}"
rounds="${1:-3}"
jobs=100000
clients=2
export PGOPTIONS="-c client_min_messages=warning"
command -v pgbench >/dev/null || { echo "pgbench is missing: apt-get install postgresql-client (or postgresql-contrib)" >&2; exit 1; }
trap 'psql -q -c "DROP SCHEMA IF EXISTS harrier_exp_now, harrier_exp_hot CASCADE" "$url" >/dev/null 2>&1 || true' EXIT

# CPU ticks (1/100 s) of the PostgreSQL processes on this machine, with their ended children.
pg_ticks() {
  cat /proc/[0-9]*/stat 2>/dev/null | awk '$2 == "(postgres)" { t += $14 + $15 + $16 + $17 } END { print t + 0 }'
}

psql -q -v ON_ERROR_STOP=1 -f schema.sql "$url" >/dev/null
for round in $(seq "$rounds"); do
  for variant in now hot; do
    psql -q -v ON_ERROR_STOP=1 -v jobs=$jobs -f fill.sql "$url" >/dev/null
    before=$(pg_ticks)
    out=$(PGOPTIONS="$PGOPTIONS -c plan_cache_mode=force_custom_plan -c enable_nestloop=off" \
          pgbench -n -M prepared -f "$variant.sql" -c $clients -t $((jobs / 1000 / clients)) "$url" 2>&1) \
      || { echo "$out" >&2; exit 1; }
    after=$(pg_ticks)
    tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    [ -n "$tps" ] || { echo "$out" >&2; exit 1; }
    left=$(psql -Atc "SELECT count(*) FROM harrier_exp_$variant.jobs WHERE status <> 'completed'" "$url")
    [ "$left" = 0 ] || { echo "$variant left $left jobs not completed" >&2; exit 1; }
    hot=$(psql -Atc "SELECT n_tup_hot_upd || ' of ' || n_tup_upd FROM pg_stat_user_tables
                     WHERE schemaname = 'harrier_exp_$variant' AND relname = 'jobs'" "$url")
    awk -v v="$variant" -v t="$tps" -v d=$((after - before)) -v n=$jobs -v h="$hot" 'BEGIN {
      printf "BENCH hot-table experiment, %s: %.0f jobs/s, PostgreSQL %.0f µs of CPU per job (updates of jobs that were HOT, since the schema was made: %s)\n",
             v, t * 1000, d * 10000 / n, h }'
  done
done
