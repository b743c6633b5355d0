#!/usr/bin/env bash
# What the workspace stream's counts event costs PostgreSQL on a big jobs table (issue 23): one
# workspace of JOBS jobs (default 10,000,000; four queues; all finished over the last 7 days but
# 2,000 pending, 100 running, 500 scheduled), in a schema "harrier" of the database "scratch"
# (created if missing; the schema is dropped first). Prints, best of three (EXPLAIN ANALYZE):
#   count_by_queue         every status of every queue (GET /api/v1/queues; the counts event's full read)
#   count_unfinished_by_queue  the statuses that are not terminal (the counts event between full reads)
#   finished_between       what finished in the last 2 s (the chart's tick)
#
#   bench/counts.sh                    # 10,000,000 jobs (about 8 minutes to fill on 2 cores)
#   JOBS=1000000 bench/counts.sh       # a quicker look
set -euo pipefail
cd "$(dirname "$0")/.."
PG="${PG:-postgresql://postgres@127.0.0.1:5432}"
JOBS="${JOBS:-10000000}"
. bench/scratch-schema.sh
start=$(date +%s)
psql "$DB" -q -v ON_ERROR_STOP=1 <<SQL
SET synchronous_commit = off;
INSERT INTO harrier.jobs (id, workspace, queue, kind, status, attempt, max_attempts, run_at, started_at, finished_at)
SELECT gen_random_uuid(), 'ws', 'q' || (n % 4), 'noop',
       (CASE WHEN n % 50 = 0 THEN 'cancelled' WHEN n % 12 = 0 THEN 'failed' ELSE 'completed' END)::harrier.job_status,
       1, 3, f - interval '1 second', f - interval '0.5 second', f
FROM generate_series(1, $JOBS) AS n,
     LATERAL (SELECT now() - make_interval(secs => (n::float8 / $JOBS) * 7 * 86400)) AS t(f);
INSERT INTO harrier.jobs (id, workspace, queue, kind, status, attempt, max_attempts, run_at, started_at, lease_expires_at)
SELECT gen_random_uuid(), 'ws', 'q' || (n % 4), 'noop',
       (CASE WHEN n <= 2000 THEN 'pending' WHEN n <= 2100 THEN 'running' ELSE 'scheduled' END)::harrier.job_status, 1, 3,
       CASE WHEN n <= 2100 THEN now() - make_interval(secs => n) ELSE now() + make_interval(secs => n) END,
       CASE WHEN n > 2000 AND n <= 2100 THEN now() END, CASE WHEN n > 2000 AND n <= 2100 THEN now() + interval '30 seconds' END
FROM generate_series(1, 2600) AS n;
VACUUM ANALYZE harrier.jobs;
SQL
echo "filled $JOBS jobs in $(( $(date +%s) - start )) s; table $(psql "$DB" -qtAc "SELECT pg_size_pretty(pg_total_relation_size('harrier.jobs'))")"
for name in count_by_queue count_unfinished_by_queue finished_between; do
  sql=$(statement "$name" | sed "s/\\\$1/'ws'/g; s/\\\$2::timestamptz/(now() - interval '2 seconds')/g; s/;\$//")
  explain "BENCH counts: $name, one workspace of $JOBS jobs" "$sql"
done
