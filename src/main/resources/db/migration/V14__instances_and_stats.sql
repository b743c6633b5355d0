-- Operations without SQL: GET /api/v1/instances reads what every instance writes of itself (API-only
-- instances register too), and GET /api/v1/stats reads the jobs that finished in a window.
ALTER TABLE harrier.instances
    ADD COLUMN version text,
    ADD COLUMN region  text,
    ADD COLUMN worker  boolean NOT NULL DEFAULT true,
    ADD COLUMN running integer NOT NULL DEFAULT 0;

-- Stats read a workspace's jobs by the time they finished; the included columns let the counts and
-- percentiles come from the index alone (an index-only scan where the visibility map allows).
CREATE INDEX jobs_stats_idx ON harrier.jobs (workspace, finished_at)
    INCLUDE (kind, status, attempt, run_at, started_at, id)
    WHERE finished_at IS NOT NULL;
