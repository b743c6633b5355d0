-- One claim of 1,000 and the outcome of those 1,000, as the engine's statements did them when
-- copied, 2026-11-24 (then JobSql.JOB_CLAIM and JobSql.JOB_SET_OUTCOME_IF_RUNNING_MANY, now claim
-- and set_outcome_if_running_many in src/main/resources/sql/jobs.sql); the arrays the engine
-- binds are built here from the claimed ids.
WITH picked AS (
    SELECT id FROM harrier_exp_now.jobs
    WHERE workspace = 'w' AND queue = 'q' AND status = 'pending'
    ORDER BY priority, run_at, id
    LIMIT 1000
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE harrier_exp_now.jobs j
    SET status = 'running', attempt = j.attempt + 1, lease_owner = 'o',
        lease_expires_at = now() + make_interval(secs => 300), started_at = now(), updated_at = now(),
        last_event_seq = j.last_event_seq + 1
    WHERE j.id = ANY(ARRAY(SELECT id FROM picked))
    RETURNING j.id, j.kind, j.args::text AS args, j.attempt, j.max_attempts, j.timeout_seconds,
              j.run_at, j.started_at, j.last_event_seq
), events AS (
    INSERT INTO harrier_exp_now.job_events (job_id, seq, type, data)
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
    SELECT id FROM harrier_exp_now.jobs
    WHERE id = ANY(ARRAY(SELECT id FROM outcome))
    ORDER BY id
    FOR NO KEY UPDATE
), updated AS (
    UPDATE harrier_exp_now.jobs j
    SET status = (CASE WHEN j.cancel_requested_at IS NOT NULL AND o.status IN ('retrying', 'pending')
                       THEN 'cancelled' ELSE o.status END)::harrier_exp_now.job_status,
        result = CASE WHEN o.status = 'completed' THEN o.result::jsonb ELSE j.result END,
        run_at = coalesce(o.run_at, j.run_at),
        attempt = CASE WHEN o.status = 'pending' AND j.cancel_requested_at IS NULL THEN j.attempt - 1 ELSE j.attempt END,
        error_message = coalesce(o.error_message, j.error_message),
        error_type = CASE WHEN o.error_message IS NULL THEN j.error_type ELSE o.error_type END,
        error_attempt = CASE WHEN o.error_message IS NULL THEN j.error_attempt ELSE j.attempt END,
        error_at = CASE WHEN o.error_message IS NULL THEN j.error_at ELSE now() END,
        finished_at = CASE WHEN o.status IN ('completed', 'failed', 'cancelled')
                             OR j.cancel_requested_at IS NOT NULL THEN now() END,
        lease_owner = NULL, lease_expires_at = NULL, cancel_requested_at = NULL,
        updated_at = now(), last_event_seq = j.last_event_seq + 1
    FROM outcome o
    WHERE j.id = ANY(ARRAY(SELECT id FROM locked)) AND j.id = o.id
      AND j.status::text = 'running' AND j.lease_owner = 'o' AND j.attempt = o.attempt
    RETURNING j.id, j.status::text AS status, j.attempt, j.last_event_seq, j.error_message, j.run_at
), events AS (
    INSERT INTO harrier_exp_now.job_events (job_id, seq, type, data)
    SELECT id, last_event_seq, 'status',
           jsonb_strip_nulls(jsonb_build_object('status', status, 'attempt', attempt,
               'error', CASE WHEN status IN ('retrying', 'failed') THEN error_message END,
               'runAt', CASE WHEN status = 'retrying' THEN run_at END))
    FROM updated
)
SELECT count(*),
       (SELECT harrier_exp_now.notify_events(array_agg(id), array_agg(last_event_seq)) FROM updated) AS notified
FROM updated;
