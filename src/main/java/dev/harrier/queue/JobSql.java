package dev.harrier.queue;

/**
 * The named statements on {@code harrier.jobs}. Values are always bound parameters. Statements that
 * take many jobs bind one array per column and {@code unnest} them, so a batch is one round trip.
 */
final class JobSql {

    private JobSql() {
    }

    /** The columns that make a {@link Job}, see {@link JobRows}. */
    static final String COLUMNS = """
            id, workspace, queue, kind, status::text AS status, priority, attempt, max_attempts, args::text AS args,
            timeout_seconds, progress_step, progress_details, progress_done, progress_total, result::text AS result,
            error_message, error_type, error_attempt, error_at, unique_key, tags, parent_id, last_event_seq,
            created_at, updated_at, run_at, started_at, finished_at""";

    /**
     * Inserts many jobs; those whose unique key is held by a live job are skipped (the partial
     * unique index decides, so concurrent enqueues cannot both win). Creates missing queue rows and
     * wakes the workers of every queue that got a pending job (NOTIFY is sent at commit).
     */
    static final String JOB_INSERT_MANY = """
            WITH input AS (
                SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
                                     $7::timestamptz[], $8::int[], $9::int[], $10::text[], $11::text[], $12::uuid[])
                    AS t(id, workspace, queue, kind, args, priority, run_at, max_attempts, timeout_seconds,
                         unique_key, tags, parent_id)
            ), new_queues AS (
                INSERT INTO harrier.queues (workspace, name)
                SELECT DISTINCT workspace, queue FROM input
                ON CONFLICT DO NOTHING
            ), inserted AS (
                INSERT INTO harrier.jobs (id, workspace, queue, kind, status, priority, args, max_attempts,
                                          timeout_seconds, run_at, unique_key, tags, parent_id)
                SELECT id, workspace, queue, kind,
                       CASE WHEN run_at > now() THEN 'scheduled' ELSE 'pending' END::harrier.job_status,
                       priority, args::jsonb, max_attempts, timeout_seconds, coalesce(run_at, now()), unique_key,
                       ARRAY(SELECT jsonb_array_elements_text(tags::jsonb)), parent_id
                FROM input
                ON CONFLICT (workspace, unique_key)
                    WHERE unique_key IS NOT NULL AND status NOT IN ('completed', 'failed', 'cancelled')
                    DO NOTHING
                RETURNING *
            )
            SELECT %s,
                   (SELECT count(pg_notify('harrier_jobs', q.name))
                    FROM (SELECT DISTINCT workspace || '/' || queue AS name FROM inserted WHERE status = 'pending') q
                   ) AS notified,
                   -- New jobs are announced to the workspace streams as their sequence number 0
                   -- (they have no event row: their first document is the job itself).
                   (SELECT harrier.notify_events(array_agg(id), array_agg(0::bigint)) FROM inserted) AS announced
            FROM inserted""".formatted(COLUMNS);

    /** The live (non-terminal) jobs that hold some unique keys of a workspace. */
    static final String JOB_GET_LIVE_BY_UNIQUE_KEYS = """
            SELECT %s FROM harrier.jobs
            WHERE workspace = $1 AND unique_key = ANY($2::text[])
              AND status NOT IN ('completed', 'failed', 'cancelled')""".formatted(COLUMNS);

    static final String JOB_GET = """
            SELECT %s FROM harrier.jobs WHERE id = $1""".formatted(COLUMNS);

    static final String JOB_GET_MANY = """
            SELECT %s FROM harrier.jobs WHERE id = ANY($1::uuid[])""".formatted(COLUMNS);

    static final String JOB_GET_IN_WORKSPACE = """
            SELECT %s FROM harrier.jobs WHERE id = $1 AND workspace = $2""".formatted(COLUMNS);

    /**
     * Claims up to $3 pending jobs of one queue for owner $4 with a lease of $5 seconds. The CTE
     * makes LIMIT apply before the UPDATE, and SKIP LOCKED lets instances claim side by side. The
     * status change is recorded as an event in the same statement.
     */
    static final String JOB_CLAIM = """
            WITH picked AS (
                SELECT id FROM harrier.jobs
                WHERE workspace = $1 AND queue = $2 AND status = 'pending'
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
                          j.run_at, j.started_at, j.last_event_seq
            ), events AS (
                INSERT INTO harrier.job_events (job_id, seq, type, data)
                SELECT id, last_event_seq, 'status', jsonb_build_object('status', 'running', 'attempt', attempt)
                FROM claimed
            )
            SELECT claimed.*,
                   (SELECT harrier.notify_events(array_agg(id), array_agg(last_event_seq)) FROM claimed) AS notified
            FROM claimed""";

    /**
     * Serialises claims of one queue across instances while its global concurrency is counted
     * (transaction-scoped: released at commit).
     */
    static final String QUEUE_CLAIM_LOCK = """
            SELECT pg_advisory_xact_lock(hashtextextended('harrier.queue:' || $1 || '/' || $2, 0))""";

    /** Jobs of a queue that run now, on any instance. */
    static final String JOB_COUNT_RUNNING = """
            SELECT count(*) AS running FROM harrier.jobs
            WHERE workspace = $1 AND queue = $2 AND status = 'running'""";

    /**
     * Writes many attempt outcomes at once. Only rows still running under this owner's lease and at
     * the same attempt change: a completion that arrives after the lease was lost (and the job was
     * rescued, maybe already running elsewhere) changes nothing. A job handed back ('pending')
     * gets its attempt back.
     */
    static final String JOB_SET_OUTCOME_IF_RUNNING_MANY = """
            WITH outcome AS (
                SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::timestamptz[],
                                     $6::text[], $7::text[])
                    AS t(id, attempt, status, result, run_at, error_message, error_type)
            ), locked AS (
                -- Rows are locked in id order, as every multi-row update of jobs does: two such
                -- statements then never wait on each other in a cycle (deadlock).
                -- ARRAY(SELECT ...) hides the count from the planner: given the 1,000 ids of
                -- a batch as a constant, it costed a scan of the whole table below 1,000 index
                -- probes and read all of it (14 of 66 ms per batch on a 100,000-row table).
                SELECT id FROM harrier.jobs
                WHERE id = ANY(ARRAY(SELECT id FROM outcome))
                ORDER BY id
                FOR NO KEY UPDATE
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
                -- Driven by the primary key. `status::text` keeps the planner off the index of
                -- running jobs: its statistics see few running rows, and a scan of that index reads
                -- every entry claimed since the last vacuum, a little slower each batch. Needs
                -- custom plans (sql/PlanningPool): a generic plan guesses 10 outcomes and
                -- joins them in a nested loop.
                WHERE j.id = ANY(ARRAY(SELECT id FROM locked)) AND j.id = o.id
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
                   (SELECT count(pg_notify('harrier_jobs', q.name))
                    FROM (SELECT DISTINCT workspace || '/' || queue AS name FROM updated WHERE status = 'pending') q
                   ) AS woken
            FROM updated""";

    /**
     * Renews the leases of this owner's running jobs and reports the ones asked to cancel. Rows
     * locked by a concurrent write (an outcome, a progress report) are skipped, not waited for:
     * waiting would risk a deadlock, and the next heartbeat renews them. Only the jobs the
     * instance still runs ($3) are renewed: a job whose outcome could not be written must be left
     * to expire and be rescued, not kept alive by the heartbeat of an instance that forgot it.
     */
    static final String JOB_RENEW_LEASES = """
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
            RETURNING j.id, j.cancel_requested_at IS NOT NULL AS cancel_requested""";

    /** Of some jobs this owner believes it runs, those it no longer holds (rescued, or finished). */
    static final String JOB_LIST_NOT_HELD = """
            SELECT id FROM harrier.jobs
            WHERE id = ANY($1::uuid[]) AND (status <> 'running' OR lease_owner IS DISTINCT FROM $2)""";

    /** Cancels a waiting job at once. */
    static final String JOB_CANCEL_IF_WAITING = """
            WITH cancelled AS (
                UPDATE harrier.jobs
                SET status = 'cancelled', finished_at = now(), updated_at = now(), last_event_seq = last_event_seq + 1
                WHERE id = $1 AND workspace = $2 AND status IN ('scheduled', 'pending', 'retrying')
                RETURNING id, last_event_seq, attempt
            ), events AS (
                INSERT INTO harrier.job_events (job_id, seq, type, data)
                SELECT id, last_event_seq, 'status', jsonb_build_object('status', 'cancelled', 'attempt', attempt)
                FROM cancelled
            )
            SELECT id, pg_notify('harrier_events', id::text || ':' || last_event_seq) FROM cancelled""";

    /** Asks the instance running a job to stop it; the NOTIFY reaches that instance. */
    static final String JOB_REQUEST_CANCEL_IF_RUNNING = """
            UPDATE harrier.jobs
            SET cancel_requested_at = coalesce(cancel_requested_at, now()), updated_at = now()
            WHERE id = $1 AND workspace = $2 AND status = 'running'
            RETURNING id, lease_owner, pg_notify('harrier_cancel', id::text)""";

    /** A failed or cancelled job runs again, with a fresh attempt budget. */
    static final String JOB_RETRY_IF_ENDED = """
            WITH retried AS (
                UPDATE harrier.jobs
                SET status = 'pending', attempt = 0, run_at = now(), finished_at = NULL, result = NULL,
                    cancel_requested_at = NULL, updated_at = now(), last_event_seq = last_event_seq + 1
                WHERE id = $1 AND workspace = $2 AND status IN ('failed', 'cancelled')
                RETURNING id, workspace, queue, last_event_seq
            ), events AS (
                INSERT INTO harrier.job_events (job_id, seq, type, data)
                SELECT id, last_event_seq, 'status', jsonb_build_object('status', 'pending', 'attempt', 0)
                FROM retried
            )
            SELECT id, pg_notify('harrier_jobs', workspace || '/' || queue),
                   pg_notify('harrier_events', id::text || ':' || last_event_seq)
            FROM retried""";
}
