-- The same claim and outcome on the narrow queue table: the claim updates the queue row (the
-- only index work: its primary key and the partial index of running rows) and the job row (a HOT
-- update: none of its indexed columns change); the outcome deletes the queue row of a job that
-- ended and updates the job row (HOT again).
WITH picked AS (
    SELECT id FROM harrier_exp_hot.job_queue
    WHERE workspace = 'w' AND queue = 'q' AND status = 'pending'
    ORDER BY priority, run_at, id
    LIMIT 1000
    FOR UPDATE SKIP LOCKED
), queued AS (
    UPDATE harrier_exp_hot.job_queue q
    SET status = 'running', attempt = q.attempt + 1, lease_owner = 'o',
        lease_expires_at = now() + make_interval(secs => 300)
    WHERE q.id = ANY(ARRAY(SELECT id FROM picked))
    RETURNING q.id, q.attempt
), claimed AS (
    UPDATE harrier_exp_hot.jobs j
    SET status = 'running', attempt = q.attempt, lease_owner = 'o', started_at = now(), updated_at = now(),
        last_event_seq = j.last_event_seq + 1
    FROM queued q
    WHERE j.id = ANY(ARRAY(SELECT id FROM queued)) AND j.id = q.id
    RETURNING j.id, j.kind, j.args::text AS args, j.attempt, j.max_attempts, j.timeout_seconds,
              j.run_at, j.started_at, j.last_event_seq
), events AS (
    INSERT INTO harrier_exp_hot.job_events (job_id, seq, type, data)
    SELECT id, last_event_seq, 'status', jsonb_build_object('status', 'running', 'attempt', attempt)
    FROM claimed
)
SELECT array_agg(id ORDER BY id)::text AS ids, array_agg(attempt ORDER BY id)::text AS attempts,
       (SELECT harrier_exp_now.notify_events(array_agg(id), array_agg(last_event_seq)) FROM claimed) AS notified
FROM claimed
\gset
WITH outcome AS (
    SELECT * FROM unnest(:ids::uuid[], :attempts::int[],
                         array_fill('completed'::text, ARRAY[cardinality(:ids::uuid[])]),
                         array_fill('null'::text, ARRAY[cardinality(:ids::uuid[])]),
                         array_fill(NULL::timestamptz, ARRAY[cardinality(:ids::uuid[])]),
                         array_fill(NULL::text, ARRAY[cardinality(:ids::uuid[])]),
                         array_fill(NULL::text, ARRAY[cardinality(:ids::uuid[])]))
        AS t(id, attempt, status, result, run_at, error_message, error_type)
), locked AS (
    SELECT id FROM harrier_exp_hot.job_queue
    WHERE id = ANY(ARRAY(SELECT id FROM outcome))
    ORDER BY id
    FOR NO KEY UPDATE
), ended AS (
    DELETE FROM harrier_exp_hot.job_queue q
    USING outcome o
    WHERE q.id = ANY(ARRAY(SELECT id FROM locked)) AND q.id = o.id
      AND q.status::text = 'running' AND q.lease_owner = 'o' AND q.attempt = o.attempt
      AND o.status IN ('completed', 'failed', 'cancelled')
    RETURNING q.id
), updated AS (
    UPDATE harrier_exp_hot.jobs j
    SET status = o.status::harrier_exp_now.job_status,
        result = CASE WHEN o.status = 'completed' THEN o.result::jsonb ELSE j.result END,
        run_at = coalesce(o.run_at, j.run_at),
        error_message = coalesce(o.error_message, j.error_message),
        error_type = CASE WHEN o.error_message IS NULL THEN j.error_type ELSE o.error_type END,
        error_attempt = CASE WHEN o.error_message IS NULL THEN j.error_attempt ELSE j.attempt END,
        error_at = CASE WHEN o.error_message IS NULL THEN j.error_at ELSE now() END,
        finished_at = now(), lease_owner = NULL, updated_at = now(), last_event_seq = j.last_event_seq + 1
    FROM outcome o
    WHERE j.id = ANY(ARRAY(SELECT id FROM ended)) AND j.id = o.id
    RETURNING j.id, j.status::text AS status, j.attempt, j.last_event_seq, j.error_message, j.run_at
), events AS (
    INSERT INTO harrier_exp_hot.job_events (job_id, seq, type, data)
    SELECT id, last_event_seq, 'status',
           jsonb_strip_nulls(jsonb_build_object('status', status, 'attempt', attempt,
               'error', CASE WHEN status IN ('retrying', 'failed') THEN error_message END,
               'runAt', CASE WHEN status = 'retrying' THEN run_at END))
    FROM updated
)
SELECT count(*),
       (SELECT harrier_exp_now.notify_events(array_agg(id), array_agg(last_event_seq)) FROM updated) AS notified
FROM updated;
