#!/usr/bin/env bash
# What a claim costs as the jobs claimed since the last vacuum pile up: the claim index keeps the
# entries of claimed jobs (dead, at its head, where the claim's scan starts) until a vacuum removes
# them, so every claim walks past them. One workspace with HISTORY finished jobs (default
# 1,000,000) and JOBS pending ones (default 220,000) in one queue, in the schema "harrier" of the
# database "scratch" (bench/scratch-schema.sh); the `claim` statement of sql/jobs.sql takes BATCH
# jobs at a time (default 10), each claim committed and its jobs completed in a second
# transaction, as the engine does: all but 20,000 of them, then VACUUM, then 10,000 more. Prints
# the claim's mean time for each step of 10,000 jobs, then VACUUM's time and the claim's after it.
#
#   bench/claim-head.sh
#   HISTORY=10000000 JOBS=200000 bench/claim-head.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PG="${PG:-postgresql://postgres@127.0.0.1:5432}"
HISTORY="${HISTORY:-1000000}"
JOBS="${JOBS:-220000}"
BATCH="${BATCH:-10}"
# Means are printed every 10,000 jobs; 20,000 are left for after the vacuum.
(( 10000 % BATCH == 0 && JOBS % 10000 == 0 && JOBS > 20000 )) \
  || { echo "BATCH must divide 10,000, JOBS be a multiple of 10,000 above 20,000" >&2; exit 1; }
. bench/scratch-schema.sh
claim=$(statement claim | sed 's/;$//')
psql "$DB" -q -v ON_ERROR_STOP=1 <<SQL
SET synchronous_commit = off;
INSERT INTO harrier.jobs (id, workspace, queue, kind, status, attempt, max_attempts, run_at, started_at, finished_at)
SELECT gen_random_uuid(), 'ws', 'history', 'noop', 'completed', 1, 3, f, f, f
FROM generate_series(1, $HISTORY) AS n, LATERAL (SELECT now() - make_interval(secs => n::float8 / $HISTORY * 86400)) AS t(f);
INSERT INTO harrier.jobs (id, workspace, queue, kind, status, attempt, max_attempts, run_at)
SELECT gen_random_uuid(), 'ws', 'q', 'noop', 'pending', 0, 3, now() + make_interval(secs => n::float8 / 1e6)
FROM generate_series(1, $JOBS) AS n;
VACUUM ANALYZE harrier.jobs;
SQL
# drain JOBS LABEL [SQL]: claims JOBS jobs, BATCH at a time, printing each 10,000's mean claim time
# (a procedure, to commit each claim; temporary, so made in each session), then runs SQL.
drain() {
  psql "$DB" -q -v ON_ERROR_STOP=1 <<SQL 2>&1 | sed -n 's/^NOTICE:  /BENCH claim-head: /p; /ERROR/p'
CREATE PROCEDURE pg_temp.drain(jobs int, batch int, label text) LANGUAGE plpgsql AS \$\$
DECLARE
  started timestamptz;
  spent interval := '0';
  claimed record;
  ids uuid[];
  done int := 0;
BEGIN
  WHILE done < jobs LOOP
    started := clock_timestamp();
    ids := '{}';
    FOR claimed IN EXECUTE \$claim\$ $claim \$claim\$
        USING 'ws'::text, 'q'::text, batch, 'bench'::text, 300::float8, ARRAY['noop']::text[] LOOP
      ids := ids || claimed.id;
    END LOOP;
    spent := spent + (clock_timestamp() - started);
    COMMIT;
    UPDATE harrier.jobs SET status = 'completed', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
    WHERE id = ANY(ids);
    COMMIT;
    done := done + batch;
    IF done % 10000 = 0 THEN
      RAISE NOTICE '% % jobs claimed: % ms a claim of %', label, done, round(extract(epoch FROM spent) * 1000 / (10000 / batch), 3), batch;
      spent := '0';
    END IF;
  END LOOP;
END \$\$;
CALL pg_temp.drain($1, $BATCH, '$2');
${3:-}
SQL
}

drain $((JOBS - 20000)) "since the last vacuum," \
  "DO \$\$ BEGIN RAISE NOTICE 'the claim index: % pages', pg_relation_size('harrier.jobs_claim_idx') / 8192; END \$\$;"
start=$(date +%s.%N)
psql "$DB" -qc "VACUUM harrier.jobs"
echo "BENCH claim-head: VACUUM harrier.jobs took $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s ($HISTORY finished jobs)"
drain 10000 "after VACUUM:"
