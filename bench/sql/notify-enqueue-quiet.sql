-- The same enqueue with no NOTIFY in its transaction: the wake-up and announcement are sent after
-- the commit, by notify-debounced.sql (bench/notify.sh).
INSERT INTO harrier.jobs (id, workspace, queue, kind, status, args, max_attempts, run_at)
VALUES (gen_random_uuid(), 'default', 'load', 'noop', 'pending', '{}', 5, now())
RETURNING id, workspace, queue;
