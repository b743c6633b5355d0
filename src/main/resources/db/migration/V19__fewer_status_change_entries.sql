-- A job's claim and its outcome are non-HOT updates: each inserts an entry into every index of
-- jobs whose predicate the new row meets. Two of the seven entries a job cost are dropped
-- (bench/README.md, peers "2026-12-03 f": what a job costs PostgreSQL, before and after).
--
-- The listing index leaves running jobs out: the claim no longer inserts into it. A listing of
-- running jobs reads jobs_running_idx (the running jobs of a workspace are a few thousand at most:
-- its instances' slots and remote workers' leases) and sorts them.
DROP INDEX harrier.jobs_list_status_idx;
CREATE INDEX jobs_list_status_idx ON harrier.jobs (workspace, status, created_at DESC, id DESC)
    WHERE status <> 'running';

-- Pruning reads the stats index, workspace by workspace, one outcome at a time: the index of
-- finished jobs by status and time, an entry for every outcome, is gone. The stats index gains
-- the outcome as its second key column (it was included) so that each outcome's retention is one
-- range of it; the stats statements name the three outcomes.
DROP INDEX harrier.jobs_finished_idx;
DROP INDEX harrier.jobs_stats_idx;
CREATE INDEX jobs_stats_idx ON harrier.jobs (workspace, status, finished_at)
    INCLUDE (kind, attempt, run_at, started_at, id)
    WHERE finished_at IS NOT NULL;
