-- One batch of no-op jobs through graphile-worker's own batch API.
SELECT count(*) FROM graphile_worker.add_jobs(
    (SELECT array_agg(('noop', '{}'::json, NULL, NULL, NULL, NULL, NULL, NULL)::graphile_worker.job_spec)
     FROM generate_series(1, :batch)));
