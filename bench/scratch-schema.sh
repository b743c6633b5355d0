# Sourced by bench/stats.sh and bench/counts.sh: the database "scratch" on $PG (created if missing),
# its schema "harrier" dropped and made again by applying the migrations with psql. Sets DB.
psql "$PG/postgres" -qtAc "SELECT 1 FROM pg_database WHERE datname = 'scratch'" | grep -q 1 \
  || psql "$PG/postgres" -qc "CREATE DATABASE scratch"
DB="$PG/scratch"
psql "$DB" -qc "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS harrier CASCADE" -c "CREATE SCHEMA harrier" >/dev/null
for migration in $(ls src/main/resources/db/migration/V*.sql | sort -V); do
  psql "$DB" -q -v ON_ERROR_STOP=1 -f "$migration" >/dev/null
done
