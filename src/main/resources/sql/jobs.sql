-- The statements on harrier.jobs: enqueue, read, claim, leases, outcomes, cancel and retry,
-- maintenance (promote, rescue, prune) and the counts of the queue stats and metrics. A statement
-- lives with the table it writes, or reads first; status changes also append their status event.
-- Values are always bound parameters ($1, $2, ...). Each block is one statement under its name
-- line; dev.harrier.sql.Table reads them, and SqlStatementsTest prepares every one.

-- name: insert_many
-- Inserts many jobs; those whose unique key is held by a live job are skipped (the partial unique
-- index decides, so concurrent enqueues cannot both win). Creates missing queue rows. With $13
-- true, wakes the workers of every queue that got a pending job and announces the new jobs (NOTIFY
-- is sent at commit: for enqueues in a caller's transaction); with false, queue.EnqueueNotices
-- sends them after the commit (notify_enqueued). Pipelines: $17 childFailure, $18 then and $19 callback
-- (JSON text); $20 held (a child an `each` holds back: scheduled, run_at 'infinity', until
-- harrier.release_children); $21 the child's key under its parent; $22 a reason the job could not
-- be made (an unfillable template): it is created failed with it; $23 its own backoff (JSON text). A child is counted on its parent
-- by the trigger jobs_children_inserted, which refuses a parent that has ended.
WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
                         $7::timestamptz[], $8::int[], $9::int[], $10::text[], $11::text[], $12::uuid[],
                         $14::text[], $15::timestamptz[], $16::boolean[], $17::text[], $18::text[], $19::text[],
                         $20::boolean[], $21::text[], $22::text[], $23::text[])
        AS t(id, workspace, queue, kind, args, priority, run_at, max_attempts, timeout_seconds,
             unique_key, tags, parent_id, schedule, scheduled_for, triggered, child_failure, then_job, callback,
             held, child_key, invalid, backoff)
), new_queues AS (
    INSERT INTO harrier.queues (workspace, name)
    SELECT DISTINCT workspace, queue FROM input
    ON CONFLICT DO NOTHING
), inserted AS (
    INSERT INTO harrier.jobs (id, workspace, queue, kind, status, priority, args, max_attempts,
                              timeout_seconds, run_at, unique_key, tags, parent_id, schedule,
                              scheduled_for, triggered, child_failure, then_job, callback, child_key,
                              error_message, error_type, error_at, finished_at, backoff)
    SELECT id, workspace, queue, kind,
           CASE WHEN invalid IS NOT NULL THEN 'failed' WHEN held OR run_at > now() THEN 'scheduled'
                ELSE 'pending' END::harrier.job_status,
           priority, args::jsonb, max_attempts, timeout_seconds,
           CASE WHEN held AND invalid IS NULL THEN 'infinity' ELSE coalesce(run_at, now()) END, unique_key,
           ARRAY(SELECT jsonb_array_elements_text(tags::jsonb)), parent_id, schedule, scheduled_for,
           coalesce(triggered, false), coalesce(child_failure, 'ignore'), then_job::jsonb, callback::jsonb, child_key,
           invalid, CASE WHEN invalid IS NOT NULL THEN 'invalid_template' END,
           CASE WHEN invalid IS NOT NULL THEN now() END, CASE WHEN invalid IS NOT NULL THEN now() END, backoff::jsonb
    FROM input
    ON CONFLICT (workspace, unique_key)
        WHERE unique_key IS NOT NULL AND status NOT IN ('completed', 'failed', 'cancelled')
        DO NOTHING
    RETURNING *
)
SELECT id, workspace, queue, kind, status::text AS status, priority, attempt, max_attempts, args::text AS args,
       timeout_seconds, progress_step, progress_details, progress_done, progress_total, result::text AS result,
       error_message, error_type, error_attempt, error_at, unique_key, tags, parent_id, schedule, scheduled_for, triggered, last_event_seq,
       child_failure, children_total, children_running, children_completed, children_failed, children_cancelled,
       then_job::text AS then_job, callback::text AS callback, backoff::text AS backoff,
       created_at, updated_at, run_at, started_at, finished_at,
       (SELECT harrier.notify_jobs(array_agg(workspace), array_agg(queue))
        FROM inserted WHERE status = 'pending' AND $13::boolean) AS notified,
       -- New jobs are announced to the workspace streams as their sequence number 0
       -- (they have no event row: their first document is the job itself).
       (SELECT harrier.notify_events(array_agg(id), array_agg(0::bigint)) FROM inserted WHERE $13::boolean) AS announced
FROM inserted;

-- name: notify_enqueued
-- The notifications of enqueues that committed without them (insert_many with $13 false), many
-- enqueues' in one transaction: wakes the queues ($1, $2) of the other instances (this one, $5,
-- woke its own already) and announces the jobs ($3) with their sequence number ($4, 0). It writes
-- nothing durable, so its commit does not wait for a WAL flush (NOTIFY gives the transaction an
-- id, and so a commit record to flush).
SELECT harrier.notify_jobs_from($1::text[], $2::text[], $5) AS notified,
       harrier.notify_events($3::uuid[], $4::bigint[]) AS announced,
       set_config('synchronous_commit', 'off', true) AS async;

-- name: get_live_by_unique_keys
-- The live (non-terminal) jobs that hold some unique keys of a workspace.
SELECT id, workspace, queue, kind, status::text AS status, priority, attempt, max_attempts, args::text AS args,
       timeout_seconds, progress_step, progress_details, progress_done, progress_total, result::text AS result,
       error_message, error_type, error_attempt, error_at, unique_key, tags, parent_id, schedule, scheduled_for, triggered, last_event_seq,
       child_failure, children_total, children_running, children_completed, children_failed, children_cancelled,
       then_job::text AS then_job, callback::text AS callback, backoff::text AS backoff,
       created_at, updated_at, run_at, started_at, finished_at FROM harrier.jobs
WHERE workspace = $1 AND unique_key = ANY($2::text[])
  AND status NOT IN ('completed', 'failed', 'cancelled');

-- name: get
SELECT id, workspace, queue, kind, status::text AS status, priority, attempt, max_attempts, args::text AS args,
       timeout_seconds, progress_step, progress_details, progress_done, progress_total, result::text AS result,
       error_message, error_type, error_attempt, error_at, unique_key, tags, parent_id, schedule, scheduled_for, triggered, last_event_seq,
       child_failure, children_total, children_running, children_completed, children_failed, children_cancelled,
       then_job::text AS then_job, callback::text AS callback, backoff::text AS backoff,
       created_at, updated_at, run_at, started_at, finished_at FROM harrier.jobs WHERE id = $1;

-- name: get_many
SELECT id, workspace, queue, kind, status::text AS status, priority, attempt, max_attempts, args::text AS args,
       timeout_seconds, progress_step, progress_details, progress_done, progress_total, result::text AS result,
       error_message, error_type, error_attempt, error_at, unique_key, tags, parent_id, schedule, scheduled_for, triggered, last_event_seq,
       child_failure, children_total, children_running, children_completed, children_failed, children_cancelled,
       then_job::text AS then_job, callback::text AS callback, backoff::text AS backoff,
       created_at, updated_at, run_at, started_at, finished_at FROM harrier.jobs WHERE id = ANY($1::uuid[]);

-- name: line_carries_tags
-- A workspace token with tags reads a job when the job or an ancestor carries them all. The depth
-- bound is a guard against a cycle no code makes (a parent is always created first).
WITH RECURSIVE line(id, parent_id, tags, depth) AS (
    SELECT id, parent_id, tags, 0 FROM harrier.jobs WHERE id = $1
    UNION ALL
    SELECT j.id, j.parent_id, j.tags, line.depth + 1
    FROM harrier.jobs j JOIN line ON j.id = line.parent_id
    WHERE line.depth < 100
)
SELECT EXISTS (SELECT 1 FROM line WHERE tags @> $2::text[]) AS carries;

-- name: get_in_workspace
SELECT id, workspace, queue, kind, status::text AS status, priority, attempt, max_attempts, args::text AS args,
       timeout_seconds, progress_step, progress_details, progress_done, progress_total, result::text AS result,
       error_message, error_type, error_attempt, error_at, unique_key, tags, parent_id, schedule, scheduled_for, triggered, last_event_seq,
       child_failure, children_total, children_running, children_completed, children_failed, children_cancelled,
       then_job::text AS then_job, callback::text AS callback, backoff::text AS backoff,
       created_at, updated_at, run_at, started_at, finished_at FROM harrier.jobs WHERE id = $1 AND workspace = $2;

-- name: list_ids_in_workspace
SELECT id, status::text AS status FROM harrier.jobs WHERE workspace = $1 AND id = ANY($2::uuid[]);

-- name: list
-- Newest first: the newest rows of each status asked for, each read from jobs_list_status_idx
-- (running jobs, which it leaves out, from jobs_running_idx, sorted: migration V19), merged.
-- (No index on (workspace, created_at) serves it: one less index for every status change
-- to update, see migration V4.) The status names are the enum's, not input.
-- Each branch: the filters are bound parameters, never spliced in ("$n IS NULL OR column = $n");
-- a branch of a status the filter leaves out is dropped by the planner (a one-time filter on the
-- bound array: sessions plan with the values, see sql/PlanningPool).
SELECT id, workspace, queue, kind, status::text AS status, priority, attempt, max_attempts, args::text AS args,
       timeout_seconds, progress_step, progress_details, progress_done, progress_total, result::text AS result,
       error_message, error_type, error_attempt, error_at, unique_key, tags, parent_id, schedule, scheduled_for, triggered, last_event_seq,
       child_failure, children_total, children_running, children_completed, children_failed, children_cancelled,
       then_job::text AS then_job, callback::text AS callback, backoff::text AS backoff,
       created_at, updated_at, run_at, started_at, finished_at
FROM (
(SELECT * FROM harrier.jobs
 WHERE workspace = $1 AND status = 'scheduled' AND (cardinality($2::text[]) = 0 OR 'scheduled' = ANY($2::text[]))
   AND ($3::text IS NULL OR kind = $3)
   AND ($4::text IS NULL OR queue = $4)
   AND ($9::text IS NULL OR schedule = $9)
   AND (cardinality($5::text[]) = 0 OR (tags <> '{}' AND tags @> $5::text[]))
   AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::uuid))
 ORDER BY created_at DESC, id DESC
 LIMIT $8)
UNION ALL
(SELECT * FROM harrier.jobs
 WHERE workspace = $1 AND status = 'pending' AND (cardinality($2::text[]) = 0 OR 'pending' = ANY($2::text[]))
   AND ($3::text IS NULL OR kind = $3)
   AND ($4::text IS NULL OR queue = $4)
   AND ($9::text IS NULL OR schedule = $9)
   AND (cardinality($5::text[]) = 0 OR (tags <> '{}' AND tags @> $5::text[]))
   AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::uuid))
 ORDER BY created_at DESC, id DESC
 LIMIT $8)
UNION ALL
(SELECT * FROM harrier.jobs
 WHERE workspace = $1 AND status = 'running' AND (cardinality($2::text[]) = 0 OR 'running' = ANY($2::text[]))
   AND ($3::text IS NULL OR kind = $3)
   AND ($4::text IS NULL OR queue = $4)
   AND ($9::text IS NULL OR schedule = $9)
   AND (cardinality($5::text[]) = 0 OR (tags <> '{}' AND tags @> $5::text[]))
   AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::uuid))
 ORDER BY created_at DESC, id DESC
 LIMIT $8)
UNION ALL
(SELECT * FROM harrier.jobs
 WHERE workspace = $1 AND status = 'retrying' AND (cardinality($2::text[]) = 0 OR 'retrying' = ANY($2::text[]))
   AND ($3::text IS NULL OR kind = $3)
   AND ($4::text IS NULL OR queue = $4)
   AND ($9::text IS NULL OR schedule = $9)
   AND (cardinality($5::text[]) = 0 OR (tags <> '{}' AND tags @> $5::text[]))
   AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::uuid))
 ORDER BY created_at DESC, id DESC
 LIMIT $8)
UNION ALL
(SELECT * FROM harrier.jobs
 WHERE workspace = $1 AND status = 'waiting' AND (cardinality($2::text[]) = 0 OR 'waiting' = ANY($2::text[]))
   AND ($3::text IS NULL OR kind = $3)
   AND ($4::text IS NULL OR queue = $4)
   AND ($9::text IS NULL OR schedule = $9)
   AND (cardinality($5::text[]) = 0 OR (tags <> '{}' AND tags @> $5::text[]))
   AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::uuid))
 ORDER BY created_at DESC, id DESC
 LIMIT $8)
UNION ALL
(SELECT * FROM harrier.jobs
 WHERE workspace = $1 AND status = 'completed' AND (cardinality($2::text[]) = 0 OR 'completed' = ANY($2::text[]))
   AND ($3::text IS NULL OR kind = $3)
   AND ($4::text IS NULL OR queue = $4)
   AND ($9::text IS NULL OR schedule = $9)
   AND (cardinality($5::text[]) = 0 OR (tags <> '{}' AND tags @> $5::text[]))
   AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::uuid))
 ORDER BY created_at DESC, id DESC
 LIMIT $8)
UNION ALL
(SELECT * FROM harrier.jobs
 WHERE workspace = $1 AND status = 'failed' AND (cardinality($2::text[]) = 0 OR 'failed' = ANY($2::text[]))
   AND ($3::text IS NULL OR kind = $3)
   AND ($4::text IS NULL OR queue = $4)
   AND ($9::text IS NULL OR schedule = $9)
   AND (cardinality($5::text[]) = 0 OR (tags <> '{}' AND tags @> $5::text[]))
   AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::uuid))
 ORDER BY created_at DESC, id DESC
 LIMIT $8)
UNION ALL
(SELECT * FROM harrier.jobs
 WHERE workspace = $1 AND status = 'cancelled' AND (cardinality($2::text[]) = 0 OR 'cancelled' = ANY($2::text[]))
   AND ($3::text IS NULL OR kind = $3)
   AND ($4::text IS NULL OR queue = $4)
   AND ($9::text IS NULL OR schedule = $9)
   AND (cardinality($5::text[]) = 0 OR (tags <> '{}' AND tags @> $5::text[]))
   AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::uuid))
 ORDER BY created_at DESC, id DESC
 LIMIT $8)
) AS newest
ORDER BY created_at DESC, id DESC
LIMIT $8;

-- name: list_children
-- A job's children ($10), newest first, with the filters of `list`, read from jobs_parent_idx (the
-- children of one job only, however large the workspace).
SELECT id, workspace, queue, kind, status::text AS status, priority, attempt, max_attempts, args::text AS args,
       timeout_seconds, progress_step, progress_details, progress_done, progress_total, result::text AS result,
       error_message, error_type, error_attempt, error_at, unique_key, tags, parent_id, schedule, scheduled_for, triggered, last_event_seq,
       child_failure, children_total, children_running, children_completed, children_failed, children_cancelled,
       then_job::text AS then_job, callback::text AS callback, backoff::text AS backoff,
       created_at, updated_at, run_at, started_at, finished_at FROM harrier.jobs
WHERE parent_id = $10 AND workspace = $1
  AND (cardinality($2::text[]) = 0 OR status::text = ANY($2::text[]))
  AND ($3::text IS NULL OR kind = $3)
  AND ($4::text IS NULL OR queue = $4)
  AND ($9::text IS NULL OR schedule = $9)
  AND (cardinality($5::text[]) = 0 OR (tags <> '{}' AND tags @> $5::text[]))
  AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::uuid))
ORDER BY created_at DESC, id DESC
LIMIT $8;

-- name: count_by_queue
SELECT queue, status::text AS status, count(*) AS jobs,
       coalesce(extract(epoch FROM now() - min(run_at)), 0)::float8 AS oldest
FROM harrier.jobs WHERE workspace = $1
GROUP BY queue, status;

-- name: count_unfinished_by_queue
-- A workspace's jobs that are not finished, by queue and status, and the oldest run_at of each:
-- the counts event between two full counts (dev.harrier.stream.WorkspaceCounts). Read through
-- jobs_list_status_idx and, for running jobs (which it leaves out), jobs_running_idx, whatever
-- the number of finished jobs; as one condition on the five statuses, neither index served it and
-- the planner read the whole table.
SELECT queue, status::text AS status, count(*) AS jobs,
       coalesce(extract(epoch FROM now() - min(run_at)), 0)::float8 AS oldest
FROM (
    SELECT queue, status, run_at FROM harrier.jobs
    WHERE workspace = $1 AND status IN ('scheduled', 'pending', 'retrying', 'waiting')
    UNION ALL
    SELECT queue, status, run_at FROM harrier.jobs
    WHERE workspace = $1 AND status = 'running'
) unfinished
GROUP BY queue, status;

-- name: count_live_by_queue
SELECT workspace, queue, status::text AS status, count(*) AS jobs,
       extract(epoch FROM now() - min(run_at))::float8 AS oldest_pending
FROM harrier.jobs
WHERE status IN ('scheduled', 'pending', 'running', 'retrying', 'waiting')
GROUP BY workspace, queue, status;

-- name: queue_room
-- The room a queue's global concurrency $3 leaves for a claim in this transaction, the jobs $4 not
-- counted (harrier.queue_room: the queue's claim lock, held to the commit, then the count).
SELECT harrier.queue_room($1, $2, $3, $4::uuid[]) AS room;

-- name: claim
-- Claims up to $3 pending jobs of one queue without a global concurrency, of the kinds $6 (those
-- the engine has handlers for), for owner $4 with a lease of $5 seconds. The CTE makes LIMIT apply
-- before the UPDATE, and SKIP LOCKED lets instances claim side by side. The status change is
-- recorded as an event in the same statement. (A limited queue's claim is claim_held; a remote
-- worker's is claim_remote.) Its commit does not wait for the WAL flush (synchronous_commit off
-- for this transaction only): a claim that a crash of the database loses leaves its job pending,
-- to run again, as a crashed instance's would; the outcome's commit waits, and flushes the claim
-- with it. Waiting, each claim held the notification lock through a flush while the outcomes'
-- commits queued for the same lock (bench/README.md, the queue's "2026-12-03 b").
WITH async AS (
    SELECT set_config('synchronous_commit', 'off', true) AS async
), picked AS (
    SELECT id FROM harrier.jobs
    WHERE workspace = $1 AND queue = $2 AND status = 'pending' AND kind = ANY($6::text[])
    ORDER BY priority, run_at, id
    LIMIT $3
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE harrier.jobs j
    SET status = 'running', attempt = j.attempt + 1, lease_owner = $4,
        lease_expires_at = now() + make_interval(secs => $5), started_at = now(), updated_at = now(),
        last_event_seq = j.last_event_seq + 1
    -- Driven by the primary key: joined to the CTE, the planner read the whole table
    -- (a hash join over a sequential scan) on every claim.
    WHERE j.id = ANY(ARRAY(SELECT id FROM picked))
    RETURNING j.id, j.kind, j.args::text AS args, j.attempt, j.max_attempts, j.timeout_seconds,
              j.run_at, j.started_at, j.last_event_seq, j.tags, j.backoff::text AS backoff
), events AS (
    INSERT INTO harrier.job_events (job_id, seq, type, data)
    SELECT id, last_event_seq, 'status', jsonb_build_object('status', 'running', 'attempt', attempt)
    FROM claimed
)
SELECT claimed.*,
       (SELECT harrier.notify_events(array_agg(id), array_agg(last_event_seq)) FROM claimed) AS notified
FROM async, claimed;

-- name: claim_held
-- The claim of a queue with a global concurrency $7, as claim, in one round trip with the permits
-- it runs under (harrier.hold_queue, V18: the queue's claim lock, then instance $4's hold renewed
-- for $8 permits, $9 of them in use by running handlers, $10 claimed jobs waiting for one). It
-- claims as many as the permits free of running handlers, plus $11 ahead of them (the instance's
-- local supply), less the jobs already waiting, at most $3; none when it holds no permit. The first
-- columns: the permits granted, the instance's even share while others wait, that count (`room`)
-- and whether jobs were pending before the claim; a claim that finds no job returns one row with them and no job (a null id). Its commit
-- does not wait for the WAL flush either: a lost hold is renewed by the next claim or heartbeat.
WITH hold AS (
    SELECT h.granted, h.share, h.pending,
           CASE WHEN h.granted > 0 THEN least($3::int, greatest(0, h.granted - $9::int + $11::int - $10::int))
                ELSE 0 END AS room,
           set_config('synchronous_commit', 'off', true) AS async
    FROM harrier.hold_queue($1, $2, $4, $8, $9, $10, $7, $6, $5) h
), picked AS (
    SELECT id FROM harrier.jobs
    WHERE workspace = $1 AND queue = $2 AND status = 'pending' AND kind = ANY($6::text[])
    ORDER BY priority, run_at, id
    LIMIT (SELECT room FROM hold)
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE harrier.jobs j
    SET status = 'running', attempt = j.attempt + 1, lease_owner = $4,
        lease_expires_at = now() + make_interval(secs => $5), started_at = now(), updated_at = now(),
        last_event_seq = j.last_event_seq + 1
    WHERE j.id = ANY(ARRAY(SELECT id FROM picked))
    RETURNING j.id, j.kind, j.args::text AS args, j.attempt, j.max_attempts, j.timeout_seconds,
              j.run_at, j.started_at, j.last_event_seq, j.tags, j.backoff::text AS backoff
), events AS (
    INSERT INTO harrier.job_events (job_id, seq, type, data)
    SELECT id, last_event_seq, 'status', jsonb_build_object('status', 'running', 'attempt', attempt)
    FROM claimed
)
SELECT hold.granted, hold.share, hold.room, hold.pending, claimed.*,
       (SELECT harrier.notify_events(array_agg(id), array_agg(last_event_seq)) FROM claimed) AS notified
FROM hold LEFT JOIN claimed ON true;

-- name: renew_leases
-- Renews the leases of this owner's running jobs and reports the ones asked to cancel. Rows locked
-- by a concurrent write (an outcome, a progress report) are skipped, not waited for: waiting would
-- risk a deadlock, and the next heartbeat renews them. Only the jobs the instance still runs ($3)
-- are renewed: a job whose outcome could not be written must be left to expire and be rescued, not
-- kept alive by the heartbeat of an instance that forgot it.
WITH held AS (
    SELECT id FROM harrier.jobs
    WHERE id = ANY($3::uuid[]) AND status = 'running' AND lease_owner = $1
    ORDER BY id
    FOR NO KEY UPDATE SKIP LOCKED
)
UPDATE harrier.jobs j
SET lease_expires_at = now() + make_interval(secs => $2)
FROM held
WHERE j.id = held.id
RETURNING j.id, j.cancel_requested_at IS NOT NULL AS cancel_requested;

-- name: list_not_held
-- Of some jobs this owner believes it runs, those it no longer holds (rescued, or finished).
SELECT id FROM harrier.jobs
WHERE id = ANY($1::uuid[]) AND (status <> 'running' OR lease_owner IS DISTINCT FROM $2);

-- name: set_outcome_if_running_many
-- Writes many attempt outcomes at once. Only rows still running under this owner's lease and at
-- the same attempt change: a completion that arrives after the lease was lost (and the job was
-- rescued, maybe already running elsewhere) changes nothing. A job handed back ('pending') gets
-- its attempt back.
-- No lock step in id order before the update (finish_remote_many keeps one): a batch's jobs are
-- this instance's, no other batch of outcomes holds them, and a job's outcome waits for its event
-- writes (append_many) to end (events.PendingWrites), so no statement that locks several of them
-- waits for this one while holding another. Where a rescue makes two instances' writes meet, a
-- deadlock is a transient failure, and each outcome is written again on its own
-- (worker.OutcomeDelivery). The lock step was a second pass over the batch's rows, and a WAL
-- record a job (bench/README.md, peers "2026-12-03 f").
WITH outcome AS (
    SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::timestamptz[],
                         $6::text[], $7::text[])
        AS t(id, attempt, status, result, run_at, error_message, error_type)
), updated AS (
    UPDATE harrier.jobs j
    SET status = (CASE WHEN j.cancel_requested_at IS NOT NULL AND o.status IN ('retrying', 'pending')
                       THEN 'cancelled' ELSE o.status END)::harrier.job_status,
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
    -- Driven by the primary key. ARRAY(SELECT ...) hides the count from the planner:
    -- given the 1,000 ids of a batch as a constant, it costed a scan of the whole table
    -- below 1,000 index probes and read all of it. `status::text` keeps the planner off
    -- the index of running jobs: its statistics see few running rows, and a scan of that
    -- index reads every entry claimed since the last vacuum, a little slower each batch.
    -- Needs custom plans (sql/PlanningPool): a generic plan guesses 10 outcomes and
    -- joins them in a nested loop.
    WHERE j.id = ANY(ARRAY(SELECT id FROM outcome)) AND j.id = o.id
      AND j.status::text = 'running' AND j.lease_owner = $8 AND j.attempt = o.attempt
    RETURNING j.id, j.workspace, j.queue, j.kind, j.status::text AS status, j.attempt,
              j.last_event_seq, j.error_message, j.error_type, j.run_at
), events AS (
    INSERT INTO harrier.job_events (job_id, seq, type, data)
    SELECT id, last_event_seq, 'status',
           jsonb_strip_nulls(jsonb_build_object('status', status, 'attempt', attempt,
               'error', CASE WHEN status IN ('retrying', 'failed') THEN error_message END,
               'runAt', CASE WHEN status = 'retrying' THEN run_at END))
    FROM updated
)
SELECT id, status,
       (SELECT harrier.notify_events(array_agg(id), array_agg(last_event_seq)) FROM updated) AS notified,
       (SELECT harrier.notify_jobs(array_agg(workspace), array_agg(queue))
        FROM updated WHERE status = 'pending') AS woken
FROM updated;

-- name: cancel_if_waiting
-- Cancels a job that does not run (it waits to run, or for its children) at once; its children are
-- cancelled by the trigger jobs_cancelled_cascade (V11), in this transaction.
WITH cancelled AS (
    UPDATE harrier.jobs
    SET status = 'cancelled', finished_at = now(), updated_at = now(), last_event_seq = last_event_seq + 1
    WHERE id = $1 AND workspace = $2 AND status IN ('scheduled', 'pending', 'retrying', 'waiting')
    RETURNING id, last_event_seq, attempt
), events AS (
    INSERT INTO harrier.job_events (job_id, seq, type, data)
    SELECT id, last_event_seq, 'status', jsonb_build_object('status', 'cancelled', 'attempt', attempt)
    FROM cancelled
)
SELECT id, harrier.notify_events(ARRAY[id], ARRAY[last_event_seq]) FROM cancelled;

-- name: request_cancel_if_running
-- Asks the instance running a job to stop it (the NOTIFY reaches that instance), and cancels its
-- children at once (harrier.cancel_children: a handler that takes its time to stop holds none back).
UPDATE harrier.jobs
SET cancel_requested_at = coalesce(cancel_requested_at, now()), updated_at = now()
WHERE id = $1 AND workspace = $2 AND status = 'running'
RETURNING id, lease_owner, harrier.notify_cancel(ARRAY[id]),
          CASE WHEN children_total > 0 THEN harrier.cancel_children(id) END AS children_cancelled;

-- name: retry_if_ended
-- A failed or cancelled job runs again, with a fresh attempt budget.
WITH retried AS (
    UPDATE harrier.jobs
    SET status = 'pending', attempt = 0, run_at = now(), finished_at = NULL, result = NULL,
        cancel_requested_at = NULL, lease_token_hash = NULL, updated_at = now(), last_event_seq = last_event_seq + 1
    WHERE id = $1 AND workspace = $2 AND status IN ('failed', 'cancelled')
    RETURNING id, workspace, queue, last_event_seq
), events AS (
    INSERT INTO harrier.job_events (job_id, seq, type, data)
    SELECT id, last_event_seq, 'status', jsonb_build_object('status', 'pending', 'attempt', 0)
    FROM retried
)
SELECT id, harrier.notify_jobs(ARRAY[workspace], ARRAY[queue]),
       harrier.notify_events(ARRAY[id], ARRAY[last_event_seq])
FROM retried;

-- name: retry_matching
-- A bulk retry: up to $7 jobs of the workspace in the statuses $2 (failed, cancelled) that match the
-- filters (parent $3, kind $4, queue $5, all of the tags $6; null or empty: any) run again as
-- retry_if_ended does. Jobs a concurrent change holds are skipped, not waited for.
WITH picked AS (
    SELECT id FROM harrier.jobs
    WHERE workspace = $1 AND status::text = ANY($2::text[])
      AND ($3::uuid IS NULL OR parent_id = $3)
      AND ($4::text IS NULL OR kind = $4)
      AND ($5::text IS NULL OR queue = $5)
      AND (cardinality($6::text[]) = 0 OR (tags <> '{}' AND tags @> $6::text[]))
    ORDER BY id
    LIMIT $7
    FOR UPDATE SKIP LOCKED
), retried AS (
    UPDATE harrier.jobs j
    SET status = 'pending', attempt = 0, run_at = now(), finished_at = NULL, result = NULL,
        cancel_requested_at = NULL, lease_token_hash = NULL, updated_at = now(), last_event_seq = j.last_event_seq + 1
    FROM picked
    WHERE j.id = picked.id
    RETURNING j.id, j.workspace, j.queue, j.last_event_seq
), events AS (
    INSERT INTO harrier.job_events (job_id, seq, type, data)
    SELECT id, last_event_seq, 'status', jsonb_build_object('status', 'pending', 'attempt', 0)
    FROM retried
)
SELECT count(*) AS retried,
       (SELECT harrier.notify_jobs(array_agg(workspace), array_agg(queue)) FROM retried) AS woken,
       (SELECT harrier.notify_events(array_agg(id), array_agg(last_event_seq)) FROM retried) AS notified
FROM retried;

-- name: promote_due
-- Scheduled and retrying jobs whose time has come by now (the database's, or $2 when a test set
-- the instance's clock) become pending, and their queues are woken.
WITH due AS (
    SELECT id FROM harrier.jobs
    WHERE status IN ('scheduled', 'retrying') AND run_at <= coalesce($2::timestamptz, now())
    ORDER BY run_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
), promoted AS (
    UPDATE harrier.jobs j
    SET status = 'pending', updated_at = now(), last_event_seq = j.last_event_seq + 1
    FROM due
    WHERE j.id = due.id
    RETURNING j.id, j.workspace, j.queue, j.attempt, j.last_event_seq
), events AS (
    INSERT INTO harrier.job_events (job_id, seq, type, data)
    SELECT id, last_event_seq, 'status', jsonb_build_object('status', 'pending', 'attempt', attempt)
    FROM promoted
)
SELECT count(*) AS promoted,
       (SELECT harrier.notify_jobs(array_agg(workspace), array_agg(queue)) FROM promoted) AS woken,
       (SELECT harrier.notify_events(array_agg(id), array_agg(last_event_seq)) FROM promoted) AS notified
FROM promoted;

-- name: rescue_expired
-- Running jobs whose lease expired (their instance died or lost the database) go back to retrying,
-- the attempt counted; those asked to cancel end as cancelled, those out of attempts as failed.
-- The old owner can no longer complete them: completion checks the lease.
WITH expired AS (
    SELECT id FROM harrier.jobs
    WHERE status = 'running' AND lease_expires_at < now()
    ORDER BY lease_expires_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
), rescued AS (
    UPDATE harrier.jobs j
    SET status = CASE
            WHEN j.cancel_requested_at IS NOT NULL THEN 'cancelled'
            WHEN j.attempt >= j.max_attempts THEN 'failed'
            ELSE 'retrying' END::harrier.job_status,
        run_at = now(),
        error_message = CASE WHEN j.cancel_requested_at IS NOT NULL THEN j.error_message
            WHEN j.lease_token_hash IS NOT NULL
            THEN 'the lease expired: remote ' || coalesce(j.lease_owner, '?') || ' stopped renewing it'
            ELSE 'the lease expired: instance ' || coalesce(j.lease_owner, '?') || ' stopped renewing it' END,
        error_type = CASE WHEN j.cancel_requested_at IS NOT NULL THEN j.error_type ELSE 'lease_expired' END,
        error_attempt = CASE WHEN j.cancel_requested_at IS NOT NULL THEN j.error_attempt ELSE j.attempt END,
        error_at = CASE WHEN j.cancel_requested_at IS NOT NULL THEN j.error_at ELSE now() END,
        finished_at = CASE WHEN j.cancel_requested_at IS NOT NULL OR j.attempt >= j.max_attempts
            THEN now() END,
        lease_owner = NULL, lease_expires_at = NULL, lease_token_hash = NULL, updated_at = now(),
        -- A failed attempt also gets its log line (seq + 1), before the status (seq + 2).
        last_event_seq = j.last_event_seq + CASE WHEN j.cancel_requested_at IS NULL THEN 2 ELSE 1 END
    FROM expired
    WHERE j.id = expired.id
    RETURNING j.id, j.status::text AS status, j.attempt, j.last_event_seq, j.error_message,
              j.cancel_requested_at IS NULL AS attempt_failed
), events AS (
    INSERT INTO harrier.job_events (job_id, seq, type, data)
    SELECT id, last_event_seq - 1, 'log'::harrier.event_type, jsonb_build_object('level', 'error', 'message',
           'attempt ' || attempt || ' failed: ' || error_message
           || CASE WHEN status = 'retrying' THEN '; retrying' ELSE '; no retry' END)
    FROM rescued WHERE attempt_failed
    UNION ALL
    SELECT id, last_event_seq, 'status'::harrier.event_type, jsonb_strip_nulls(jsonb_build_object('status', status,
           'attempt', attempt, 'error', CASE WHEN status <> 'cancelled' THEN error_message END))
    FROM rescued
)
SELECT count(*) AS rescued,
       (SELECT harrier.notify_events(array_agg(id), array_agg(last_event_seq)) FROM rescued) AS notified
FROM rescued;

-- name: prune_finished
-- Deletes up to $4 terminal jobs past their retention ($1, $2, $3 seconds before now: the
-- database's, or $5 when a test set the instance's clock), with their events and items, oldest
-- first within each workspace and outcome. Read through jobs_stats_idx (migration V19): the
-- workspaces that have finished jobs one index probe each (the recursive CTE skips from one
-- workspace to the next), then for each workspace and outcome the range past its retention.
WITH RECURSIVE workspaces AS (
    (SELECT workspace FROM harrier.jobs WHERE finished_at IS NOT NULL ORDER BY workspace LIMIT 1)
    UNION ALL
    SELECT (SELECT j.workspace FROM harrier.jobs j
            WHERE j.finished_at IS NOT NULL AND j.workspace > w.workspace
            ORDER BY j.workspace LIMIT 1)
    FROM workspaces w WHERE w.workspace IS NOT NULL
), doomed AS (
    SELECT d.id
    FROM workspaces w
    CROSS JOIN (VALUES ('completed'::harrier.job_status, $1::float8), ('failed', $2::float8),
                       ('cancelled', $3::float8)) AS r(status, seconds)
    CROSS JOIN LATERAL (
        SELECT j.id FROM harrier.jobs j
        WHERE j.workspace = w.workspace AND j.status = r.status
          AND j.finished_at < coalesce($5::timestamptz, now()) - make_interval(secs => r.seconds)
        ORDER BY j.finished_at
        LIMIT $4
        FOR UPDATE SKIP LOCKED
    ) d
    LIMIT $4
), events AS (
    DELETE FROM harrier.job_events e USING doomed WHERE e.job_id = doomed.id
), items AS (
    DELETE FROM harrier.job_items i USING doomed WHERE i.job_id = doomed.id
)
DELETE FROM harrier.jobs j USING doomed WHERE j.id = doomed.id;

-- name: check_lease
-- The attempt a remote worker's lease token ($3, hashed) holds, if it still holds it: the job is
-- running under that token. `timeout_at` is when the attempt's time is up ($4: the default
-- timeout in seconds, for a job without its own).
SELECT id, workspace, queue, kind, attempt, max_attempts, lease_owner, lease_expires_at, backoff::text AS backoff,
       cancel_requested_at IS NOT NULL AS cancel_requested,
       started_at + make_interval(secs => coalesce(timeout_seconds, $4)) AS timeout_at,
       now() >= started_at + make_interval(secs => coalesce(timeout_seconds, $4)) AS timed_out
FROM harrier.jobs
WHERE id = $1 AND workspace = $2 AND status = 'running' AND lease_token_hash = $3;

-- name: renew_remote_lease
-- A remote worker's heartbeat: extends its lease by $4 seconds, never past the attempt's timeout
-- ($5: the default timeout in seconds), and says whether a client asked to cancel the job.
UPDATE harrier.jobs
SET lease_expires_at = least(now() + make_interval(secs => $4),
                             started_at + make_interval(secs => coalesce(timeout_seconds, $5)))
WHERE id = $1 AND workspace = $2 AND status = 'running' AND lease_token_hash = $3
RETURNING id, attempt, lease_expires_at, cancel_requested_at IS NOT NULL AS cancel_requested,
          now() >= started_at + make_interval(secs => coalesce(timeout_seconds, $5)) AS timed_out;

-- name: get_by_lease_token
-- A job whose last remote attempt held the lease token $3 (hashed): what a repeated complete or
-- fail answers once that attempt ended by the worker's own call.
SELECT status::text AS status, attempt FROM harrier.jobs
WHERE id = $1 AND workspace = $2 AND lease_token_hash = $3;

-- name: forget_lease_token
-- An attempt of a remote worker that Harrier ended itself (its time was up): a later complete or
-- fail with that token is refused (409), not taken for a repeat of the worker's own.
UPDATE harrier.jobs SET lease_token_hash = NULL WHERE id = $1 AND lease_token_hash = $2;

-- name: list_children_by_key
-- The children of a parent ($1) that hold some child keys ($2): a remote worker's repeated
-- children call finds the children it created the first time.
SELECT id, workspace, queue, kind, status::text AS status, priority, attempt, max_attempts, args::text AS args,
       timeout_seconds, progress_step, progress_details, progress_done, progress_total, result::text AS result,
       error_message, error_type, error_attempt, error_at, unique_key, tags, parent_id, schedule, scheduled_for, triggered, last_event_seq,
       child_failure, children_total, children_running, children_completed, children_failed, children_cancelled,
       then_job::text AS then_job, callback::text AS callback, backoff::text AS backoff,
       created_at, updated_at, run_at, started_at, finished_at, child_key
FROM harrier.jobs WHERE parent_id = $1 AND child_key = ANY($2::text[]);

-- name: set_child_keys
-- Gives new children their keys, in the transaction that created them (the unique index of
-- (parent_id, child_key) refuses a second child of one key).
UPDATE harrier.jobs j SET child_key = k.child_key
FROM unnest($1::uuid[], $2::text[]) AS k(id, child_key)
WHERE j.id = k.id;

-- name: finish_remote_many
-- Writes the outcomes of many remote workers' attempts at once (their complete and fail calls,
-- grouped: one commit, one WAL flush, for all of them). A row changes only while it runs under the
-- lease token its call carried ($2, hashed): a call whose token lost the job changes nothing. The
-- token's hash stays on the row, so that a repeat of the same call finds its attempt ended by it.
-- Returns the jobs written, whole, for the replies.
-- The caller's workspace ($8) must be the job's. One outcome a job in a statement (RemoteOutcomes
-- sends a second one for the same job in the next).
WITH outcome AS (
    SELECT * FROM unnest($1::uuid[], $2::bytea[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[],
                         $8::text[])
        AS t(id, token_hash, status, result, run_at, error_message, error_type, workspace)
), locked AS (
    -- In id order, as every multi-row update of jobs: no deadlock with another batch.
    SELECT id FROM harrier.jobs
    WHERE id = ANY(ARRAY(SELECT id FROM outcome))
    ORDER BY id
    FOR NO KEY UPDATE
), updated AS (
    UPDATE harrier.jobs j
    SET status = (CASE WHEN j.cancel_requested_at IS NOT NULL AND o.status = 'retrying'
                       THEN 'cancelled' ELSE o.status END)::harrier.job_status,
        result = CASE WHEN o.status = 'completed' THEN o.result::jsonb ELSE j.result END,
        run_at = coalesce(o.run_at, j.run_at),
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
      AND j.status::text = 'running' AND j.lease_token_hash = o.token_hash AND j.workspace = o.workspace
    RETURNING j.*
), events AS (
    INSERT INTO harrier.job_events (job_id, seq, type, data)
    SELECT id, last_event_seq, 'status',
           jsonb_strip_nulls(jsonb_build_object('status', status, 'attempt', attempt,
               'error', CASE WHEN status IN ('retrying', 'failed') THEN error_message END,
               'runAt', CASE WHEN status = 'retrying' THEN run_at END))
    FROM updated
)
SELECT id, workspace, queue, kind, status::text AS status, priority, attempt, max_attempts, args::text AS args,
       timeout_seconds, progress_step, progress_details, progress_done, progress_total, result::text AS result,
       error_message, error_type, error_attempt, error_at, unique_key, tags, parent_id, schedule, scheduled_for, triggered, last_event_seq,
       child_failure, children_total, children_running, children_completed, children_failed, children_cancelled,
       then_job::text AS then_job, callback::text AS callback, backoff::text AS backoff,
       created_at, updated_at, run_at, started_at, finished_at, lease_token_hash,
       (SELECT harrier.notify_events(array_agg(id), array_agg(last_event_seq)) FROM updated) AS notified
FROM updated;

-- name: claim_remote
-- A remote worker's claim: up to $3 pending jobs of one queue, of the kinds $6, for owner $4 with
-- a lease of $5 seconds, each job's lease token stored hashed (the first 16 bytes of
-- SHA-256(secret $7 || job id), which queue.LeaseTokens computes for the reply). As `claim`, but
-- the jobs come back whole (the reply shows them) and the running events are announced after the
-- commit (queue.EnqueueNotices): a commit that notifies holds the notification lock through its WAL
-- flush, and one claim per worker call made them queue behind each other. $8: the shared limits the
-- claim counts the jobs against (null for none), kept on them while they run.
WITH picked AS (
    SELECT id FROM harrier.jobs
    WHERE workspace = $1 AND queue = $2 AND status = 'pending' AND kind = ANY($6::text[])
    ORDER BY priority, run_at, id
    LIMIT $3
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE harrier.jobs j
    SET status = 'running', attempt = j.attempt + 1, lease_owner = $4,
        lease_expires_at = now() + make_interval(secs => $5), started_at = now(), updated_at = now(),
        last_event_seq = j.last_event_seq + 1,
        lease_token_hash = sha256(substring(sha256($7::bytea || uuid_send(j.id)) FROM 1 FOR 16)),
        limits = $8::text[]
    WHERE j.id = ANY(ARRAY(SELECT id FROM picked))
    RETURNING j.*
), events AS (
    INSERT INTO harrier.job_events (job_id, seq, type, data)
    SELECT id, last_event_seq, 'status', jsonb_build_object('status', 'running', 'attempt', attempt)
    FROM claimed
)
SELECT id, workspace, queue, kind, status::text AS status, priority, attempt, max_attempts, args::text AS args,
       timeout_seconds, progress_step, progress_details, progress_done, progress_total, result::text AS result,
       error_message, error_type, error_attempt, error_at, unique_key, tags, parent_id, schedule, scheduled_for, triggered, last_event_seq,
       child_failure, children_total, children_running, children_completed, children_failed, children_cancelled,
       then_job::text AS then_job, callback::text AS callback, backoff::text AS backoff,
       created_at, updated_at, run_at, started_at, finished_at
FROM claimed
ORDER BY priority, run_at, id;

-- name: set_children_window
-- An `each` sets how many of its children may be released (not ended) at once, before it enqueues
-- them; harrier.release_children keeps to it.
UPDATE harrier.jobs SET children_window = $2 WHERE id = $1;

-- name: release_children
-- Releases held children of a parent while its window has room (after new held children were
-- inserted, in their transaction).
SELECT harrier.release_children($1) AS released;

-- name: stats_by_kind
-- What finished in a workspace since $2, by kind: outcomes, jobs that needed more than one attempt,
-- and run and wait times of their last attempt (run: started to finished; wait: due to started).
-- date_part, not extract (numeric, several times slower), and one sort per percentile pair. The
-- three outcomes are named for jobs_stats_idx, whose second key column is the status (V19).
SELECT kind,
       count(*) FILTER (WHERE status = 'completed') AS completed,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
       count(*) FILTER (WHERE attempt > 1) AS retried,
       percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY date_part('epoch', finished_at - started_at)) AS run,
       max(date_part('epoch', finished_at - started_at)) AS run_max,
       percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY greatest(0, date_part('epoch', started_at - run_at))) AS wait,
       max(greatest(0, date_part('epoch', started_at - run_at))) AS wait_max
FROM harrier.jobs
WHERE workspace = $1 AND status IN ('completed', 'failed', 'cancelled') AND finished_at >= $2
GROUP BY kind
ORDER BY kind;

-- name: stats_slowest
-- The ten longest last attempts among the jobs of a workspace that finished since $2.
SELECT id, workspace, queue, kind, status::text AS status, priority, attempt, max_attempts, args::text AS args,
       timeout_seconds, progress_step, progress_details, progress_done, progress_total, result::text AS result,
       error_message, error_type, error_attempt, error_at, unique_key, tags, parent_id, schedule, scheduled_for, triggered, last_event_seq,
       child_failure, children_total, children_running, children_completed, children_failed, children_cancelled,
       then_job::text AS then_job, callback::text AS callback, backoff::text AS backoff,
       created_at, updated_at, run_at, started_at, finished_at
FROM harrier.jobs
WHERE id IN (SELECT id FROM harrier.jobs
             WHERE workspace = $1 AND status IN ('completed', 'failed', 'cancelled') AND finished_at >= $2
               AND started_at IS NOT NULL
             ORDER BY finished_at - started_at DESC LIMIT 10)
ORDER BY finished_at - started_at DESC, id;

-- name: any_due
-- Whether run once still has work: a job of the kinds $2 it runs, in the queues $1 (null: every
-- queue) that exist and are not paused (those its engine claims from), that is pending or due to
-- be (the claim and due indexes answer).
SELECT EXISTS (SELECT 1 FROM harrier.jobs j
               WHERE j.status = 'pending' AND j.kind = ANY($2::text[])
                 AND ($1::text[] IS NULL OR j.queue = ANY($1::text[]))
                 AND EXISTS (SELECT 1 FROM harrier.queues q WHERE q.workspace = j.workspace AND q.name = j.queue AND NOT q.paused))
    OR EXISTS (SELECT 1 FROM harrier.jobs j
               WHERE j.status IN ('scheduled', 'retrying') AND j.run_at <= now() AND j.kind = ANY($2::text[])
                 AND ($1::text[] IS NULL OR j.queue = ANY($1::text[]))
                 AND EXISTS (SELECT 1 FROM harrier.queues q WHERE q.workspace = j.workspace AND q.name = j.queue AND NOT q.paused))
    AS due;

-- name: finished_between
-- The workspace stream's counts event: jobs of a workspace that finished after $2 (null: none
-- counted, a first tick), by queue and outcome, up to the statement's own time, returned as `at`
-- (the next tick's $2). Read through jobs_stats_idx. A job whose transaction began before a tick
-- and committed after it is counted by neither: the chart is a live view, stats are the record.
WITH bound AS (SELECT statement_timestamp() AS at)
SELECT b.at, j.queue, j.status::text AS status, count(j.id) AS n
FROM bound b
LEFT JOIN harrier.jobs j
       ON j.workspace = $1 AND j.status IN ('completed', 'failed', 'cancelled')
          AND $2::timestamptz IS NOT NULL AND j.finished_at > $2::timestamptz AND j.finished_at <= b.at
GROUP BY b.at, j.queue, j.status;
