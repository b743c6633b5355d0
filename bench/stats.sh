#!/usr/bin/env bash
# The stats benchmark: GET /api/v1/stats's two statements (dev.harrier.queue.JobStats) on a jobs
# table of 10,000,000 finished jobs. Applies the migrations with psql to a schema "harrier" in the
# database "scratch" (created if missing; its schema "harrier" is dropped first), fills it with
# generate_series (20 workspaces of 500,000 jobs each, 10 kinds, finished evenly over 7 days),
# vacuums, and prints each statement's time for one workspace (EXPLAIN ANALYZE, best of three) and
# the scans of its plan, for the windows 24h and 7d.
#
#   bench/stats.sh                         # 10,000,000 jobs
#   JOBS=1000000 bench/stats.sh            # a quicker look
set -euo pipefail
cd "$(dirname "$0")/.."
PG="${PG:-postgresql://postgres@127.0.0.1:5432}"
JOBS="${JOBS:-10000000}"
. bench/scratch-schema.sh
start=$(date +%s)
# Each workspace gets JOBS/20 jobs; finished_at spread evenly over the last 7 days; 10 kinds; 90 %
# completed, 8 % failed, 2 % cancelled; every tenth took two attempts.
psql "$DB" -q -v ON_ERROR_STOP=1 <<SQL
SET synchronous_commit = off;
INSERT INTO harrier.jobs (id, workspace, queue, kind, status, attempt, max_attempts, run_at, started_at, finished_at)
SELECT gen_random_uuid(), 'ws' || (n % 20), 'default', 'kind' || ((n / 20) % 10),
       (CASE WHEN n % 50 = 0 THEN 'cancelled' WHEN n % 12 = 0 THEN 'failed' ELSE 'completed' END)::harrier.job_status,
       CASE WHEN n % 10 = 0 THEN 2 ELSE 1 END, 3,
       f - make_interval(secs => 0.05 + (n % 97) / 10.0 + (n % 13) / 100.0),
       f - make_interval(secs => (n % 97) / 10.0),
       f
FROM generate_series(1, $JOBS) AS n,
     LATERAL (SELECT now() - make_interval(secs => (n::float8 / $JOBS) * 7 * 86400)) AS t(f);
VACUUM ANALYZE harrier.jobs;
SQL
echo "filled $JOBS jobs in $(( $(date +%s) - start )) s; table $(psql "$DB" -qtAc "SELECT pg_size_pretty(pg_total_relation_size('harrier.jobs'))")"
for window in "24 hours" "7 days"; do
  for name in stats_by_kind stats_slowest; do
    sql=$(statement "$name" | sed "s/\\\$1/'ws7'/g; s/\\\$2/now() - interval '$window'/g; s/;\$//")
    explain "$name, one workspace of $((JOBS / 20)) jobs, window $window" "$sql"
  done
done
