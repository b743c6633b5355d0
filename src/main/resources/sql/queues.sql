-- The statements on harrier.queues: a queue's settings (pause, global concurrency).
-- Values are always bound parameters ($1, $2, ...). Each block is one statement under its name
-- line; dev.harrier.sql.Table reads them, and SqlStatementsTest prepares every one.

-- name: list_in_workspace
SELECT workspace, name, paused, concurrency FROM harrier.queues WHERE workspace = $1 ORDER BY name;

-- name: list
SELECT workspace, name, paused, concurrency FROM harrier.queues ORDER BY workspace, name;

-- name: upsert
-- Creates or changes a queue; a null argument keeps the current value. Every instance hears of it
-- at once through NOTIFY (and within its refresh interval if the notification is lost).
INSERT INTO harrier.queues AS q (workspace, name, paused, concurrency)
VALUES ($1, $2, coalesce($3, false), $4)
ON CONFLICT (workspace, name) DO UPDATE
SET paused = coalesce($3, q.paused),
    concurrency = CASE WHEN $5 THEN $4 ELSE q.concurrency END,
    updated_at = now()
RETURNING workspace, name, paused, concurrency,
          harrier.notify_queues(ARRAY[workspace], ARRAY[name]) AS notified,
          harrier.notify_jobs(ARRAY[workspace], ARRAY[name]) AS woken;
