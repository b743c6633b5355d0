-- 100,000 pending no-op jobs in both schemas, ids ordered by time like Harrier's UUIDv7 ids.
TRUNCATE harrier_exp_now.jobs, harrier_exp_now.job_events, harrier_exp_hot.jobs, harrier_exp_hot.job_queue,
         harrier_exp_hot.job_events;
INSERT INTO harrier_exp_now.jobs (id, workspace, queue, kind, status, max_attempts, run_at)
SELECT (lpad(to_hex((extract(epoch FROM now()) * 1000)::bigint + g / 50), 12, '0') || '7'
        || substr(md5(g::text), 1, 3) || '8' || substr(md5(g::text), 4, 15))::uuid,
       'w', 'q', 'noop', 'pending', 3, now()
FROM generate_series(1, :jobs) g;
INSERT INTO harrier_exp_hot.jobs SELECT * FROM harrier_exp_now.jobs;
INSERT INTO harrier_exp_hot.job_queue (id, workspace, queue, priority, run_at, status)
SELECT id, workspace, queue, priority, run_at, status FROM harrier_exp_now.jobs;
VACUUM ANALYZE harrier_exp_now.jobs;
VACUUM ANALYZE harrier_exp_now.job_events;
VACUUM ANALYZE harrier_exp_hot.jobs;
VACUUM ANALYZE harrier_exp_hot.job_queue;
VACUUM ANALYZE harrier_exp_hot.job_events;
CHECKPOINT;
