package dev.harrier.maintenance;

/** The named statements of the maintenance loops (promote, rescue, prune) and of leadership. */
final class MaintenanceSql {

    private MaintenanceSql() {
    }

    /**
     * Takes or renews leadership $1 for holder $2 for $3 seconds. Succeeds when the row is free,
     * ours, or expired (its holder died); returns no row otherwise.
     */
    static final String LEADER_ATTEMPT = """
            INSERT INTO harrier.leaders (name, holder, expires_at)
            VALUES ($1, $2, now() + make_interval(secs => $3))
            ON CONFLICT (name) DO UPDATE
            SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
            WHERE harrier.leaders.holder = EXCLUDED.holder OR harrier.leaders.expires_at < now()
            RETURNING holder""";

    /** Gives leadership up on shutdown, so that another instance takes over without waiting. */
    static final String LEADER_RESIGN = """
            DELETE FROM harrier.leaders WHERE name = $1 AND holder = $2""";

    /** Scheduled and retrying jobs whose time has come become pending, and their queues are woken. */
    static final String JOB_PROMOTE_DUE = """
            WITH due AS (
                SELECT id FROM harrier.jobs
                WHERE status IN ('scheduled', 'retrying') AND run_at <= now()
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
                   (SELECT count(pg_notify('harrier_jobs', q.name))
                    FROM (SELECT DISTINCT workspace || '/' || queue AS name FROM promoted) q) AS woken,
                   (SELECT harrier.notify_events(array_agg(id), array_agg(last_event_seq)) FROM promoted) AS notified
            FROM promoted""";

    /**
     * Running jobs whose lease expired (their instance died or lost the database) go back to
     * retrying, the attempt counted; those asked to cancel end as cancelled, those out of attempts
     * as failed. The old owner can no longer complete them: completion checks the lease.
     */
    static final String JOB_RESCUE_EXPIRED = """
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
                        ELSE 'the lease expired: instance ' || coalesce(j.lease_owner, '?') || ' stopped renewing it' END,
                    error_type = CASE WHEN j.cancel_requested_at IS NOT NULL THEN j.error_type ELSE 'lease_expired' END,
                    error_attempt = CASE WHEN j.cancel_requested_at IS NOT NULL THEN j.error_attempt ELSE j.attempt END,
                    error_at = CASE WHEN j.cancel_requested_at IS NOT NULL THEN j.error_at ELSE now() END,
                    finished_at = CASE WHEN j.cancel_requested_at IS NOT NULL OR j.attempt >= j.max_attempts
                        THEN now() END,
                    lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),
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
            FROM rescued""";

    /** Deletes up to $4 terminal jobs past their retention ($1, $2, $3 seconds), with their events and items. */
    static final String JOB_PRUNE_FINISHED = """
            WITH doomed AS (
                SELECT id FROM harrier.jobs
                WHERE (status = 'completed' AND finished_at < now() - make_interval(secs => $1))
                   OR (status = 'failed' AND finished_at < now() - make_interval(secs => $2))
                   OR (status = 'cancelled' AND finished_at < now() - make_interval(secs => $3))
                LIMIT $4
                FOR UPDATE SKIP LOCKED
            ), events AS (
                DELETE FROM harrier.job_events e USING doomed WHERE e.job_id = doomed.id
            ), items AS (
                DELETE FROM harrier.job_items i USING doomed WHERE i.job_id = doomed.id
            )
            DELETE FROM harrier.jobs j USING doomed WHERE j.id = doomed.id""";

    /** Instances that stopped heartbeating an hour ago are gone. */
    static final String INSTANCE_PRUNE_STALE = """
            DELETE FROM harrier.instances WHERE heartbeat_at < now() - interval '1 hour'""";
}
