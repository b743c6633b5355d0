-- The statements on harrier.job_events: appending (which bumps the job's counters) and reading
-- events, and the status changes the workspace streams read.
-- Values are always bound parameters ($1, $2, ...). Each block is one statement under its name
-- line; dev.harrier.sql.Table reads them, and SqlStatementsTest prepares every one.

-- name: list_status_of
-- The status events among some announced ones, one primary-key probe each. The LATERAL subquery
-- with LIMIT 1 cannot be flattened into a join: as a join, the planner used the statistics of a
-- young events table and scanned all of it for every notification.
SELECT e.job_id, e.seq, e.data::text AS event, e.at
FROM unnest($1::uuid[], $2::bigint[]) AS r(job_id, seq)
CROSS JOIN LATERAL (
    SELECT job_id, seq, data, at FROM harrier.job_events
    WHERE job_id = r.job_id AND seq = r.seq AND type = 'status'
    LIMIT 1
) e
ORDER BY e.job_id, e.seq;

-- name: database_now
-- The database's clock, which stamps the events.
SELECT now() AS at;

-- name: list_status_since
-- Status changes recorded since a moment, for the workspace streams after the LISTEN connection
-- was down. No index serves it: it runs only after a reconnect, never per event.
SELECT * FROM (
    SELECT job_id, seq, data::text AS event, at FROM harrier.job_events
    WHERE type = 'status' AND at >= $1
    UNION ALL
    SELECT id, 0, NULL, created_at FROM harrier.jobs
    WHERE created_at >= $1 AND last_event_seq = 0
) changes
ORDER BY at, job_id, seq
LIMIT 10000;

-- name: append_many
-- Appends many progress and log events of many jobs. Each job's last_event_seq grows by its number
-- of events and the events take the numbers in between, in input order; the row lock on the job
-- keeps those numbers unique against concurrent status changes. The latest progress of each job
-- also lands in its progress columns; harrier.notify_events announces them.
WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS t(job_id, type, data, ord)
), counted AS (
    SELECT job_id, count(*) AS n FROM input GROUP BY job_id
), latest AS (
    SELECT DISTINCT ON (job_id) job_id, data::jsonb AS p
    FROM input WHERE type = 'progress' ORDER BY job_id, ord DESC
), locked AS (
    -- In id order, like every multi-row update of jobs: no deadlock with outcomes.
    SELECT id FROM harrier.jobs
    WHERE id = ANY($1::uuid[])
    ORDER BY id
    FOR NO KEY UPDATE
), bumped AS (
    UPDATE harrier.jobs j
    SET last_event_seq = j.last_event_seq + c.n,
        progress_step = CASE WHEN l.job_id IS NULL THEN j.progress_step ELSE l.p ->> 'step' END,
        progress_details = CASE WHEN l.job_id IS NULL THEN j.progress_details ELSE l.p ->> 'details' END,
        progress_done = CASE WHEN l.job_id IS NULL THEN j.progress_done ELSE (l.p ->> 'done')::bigint END,
        progress_total = CASE WHEN l.job_id IS NULL THEN j.progress_total ELSE (l.p ->> 'total')::bigint END,
        updated_at = now()
    FROM counted c LEFT JOIN latest l ON l.job_id = c.job_id
    WHERE j.id = ANY(ARRAY(SELECT id FROM locked)) AND j.id = c.job_id
    RETURNING j.id, j.last_event_seq
), inserted AS (
    INSERT INTO harrier.job_events (job_id, seq, type, data)
    SELECT i.job_id,
           b.last_event_seq - c.n + row_number() OVER (PARTITION BY i.job_id ORDER BY i.ord),
           i.type::harrier.event_type, i.data::jsonb
    FROM input i JOIN bumped b ON b.id = i.job_id JOIN counted c ON c.job_id = i.job_id
    RETURNING job_id, seq
)
SELECT harrier.notify_events(array_agg(job_id), array_agg(seq)) AS notified FROM inserted;

-- name: list_logs_after
-- A job's log lines after a sequence number, oldest first.
SELECT job_id, seq, type::text AS type, at, data::text AS data FROM harrier.job_events
WHERE job_id = $1 AND seq > $2 AND type = 'log'
ORDER BY seq
LIMIT $3;

-- name: list_after
-- A job's events after a sequence number, oldest first.
SELECT job_id, seq, type::text AS type, at, data::text AS data FROM harrier.job_events
WHERE job_id = $1 AND seq > $2
ORDER BY seq
LIMIT $3;
