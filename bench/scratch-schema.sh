# Sourced by bench/stats.sh and bench/counts.sh: the database "scratch" on $PG (created if missing),
# its schema "harrier" dropped and made again by applying the migrations with psql. Sets DB, and
# defines `statement NAME` (a named statement of sql/jobs.sql) and `explain LABEL SQL` (its best of
# three EXPLAIN ANALYZE times, then the scans of its plan).
psql "$PG/postgres" -qtAc "SELECT 1 FROM pg_database WHERE datname = 'scratch'" | grep -q 1 \
  || psql "$PG/postgres" -qc "CREATE DATABASE scratch"
DB="$PG/scratch"
psql "$DB" -qc "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS harrier CASCADE" -c "CREATE SCHEMA harrier" >/dev/null
for migration in $(ls src/main/resources/db/migration/V*.sql | sort -V); do
  psql "$DB" -q -v ON_ERROR_STOP=1 -f "$migration" >/dev/null
done

statement() {
  awk -v name="$1" '/^-- name: /{on = ($3 == name); next} on && !/^--/' src/main/resources/sql/jobs.sql
}
explain() {
  local best="" ms
  for _ in 1 2 3; do
    ms=$(psql "$DB" -qtAc "EXPLAIN (ANALYZE, FORMAT JSON) $2" | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['Execution Time'])")
    best=$(python3 -c "print(min(float('$ms'), float('${best:-1e9}')))")
  done
  echo "$1: best of 3 = ${best} ms"
  psql "$DB" -qtAc "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) $2" | grep -E "Scan|Heap Fetches" | sed 's/^/    /'
}
