-- One job enqueued as harrier.jobs' insert_many does it, with its wake-up and its announcement
-- sent inside the transaction (pg_notify at commit), as today (bench/notify.sh).
WITH inserted AS (
    INSERT INTO harrier.jobs (id, workspace, queue, kind, status, args, max_attempts, run_at)
    VALUES (gen_random_uuid(), 'default', 'load', 'noop', 'pending', '{}', 5, now())
    RETURNING id, workspace, queue
)
SELECT id, harrier.notify_jobs(ARRAY[workspace], ARRAY[queue]), harrier.notify_events(ARRAY[id], ARRAY[0::bigint])
FROM inserted;
