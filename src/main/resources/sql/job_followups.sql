-- The statements on harrier.job_followups: the terminal statuses of jobs with a `then` or a
-- `callback`, written by the trigger jobs_followup_* (V11) in the transaction of the status change.
-- Values are always bound parameters ($1, $2, ...). Each block is one statement under its name
-- line; dev.harrier.sql.Table reads them, and SqlStatementsTest prepares every one.

-- name: take
-- Takes up to $1 follow-ups, oldest first, in the caller's transaction: the rows are deleted when
-- it commits, with the jobs it enqueued for them; an instance that dies before leaves them to
-- another (SKIP LOCKED: instances take different ones side by side).
WITH taken AS (
    SELECT id FROM harrier.job_followups
    ORDER BY id
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
DELETE FROM harrier.job_followups f USING taken
WHERE f.id = taken.id
RETURNING f.id, f.job_id, f.workspace, f.status;
