-- The statements on harrier.schedules: create or replace, read, pause, delete, and the firing of
-- due schedules. Values are always bound parameters; dev.harrier.sql.Table reads them.

-- name: upsert
-- Creates or replaces a schedule; `created` says which.
INSERT INTO harrier.schedules (workspace, name, cron, time_zone, job, overlap, catch_up, paused, description,
                               source, next_fire_at)
VALUES ($1, $2, $3::text[], $4, $5::text::jsonb, $6, $7, $8, $9, $10, $11)
ON CONFLICT (workspace, name) DO UPDATE
SET cron = EXCLUDED.cron, time_zone = EXCLUDED.time_zone, job = EXCLUDED.job, overlap = EXCLUDED.overlap,
    catch_up = EXCLUDED.catch_up, paused = EXCLUDED.paused, description = EXCLUDED.description,
    source = EXCLUDED.source, next_fire_at = EXCLUDED.next_fire_at, updated_at = now()
RETURNING workspace, name, cron, time_zone, job::text AS job, overlap, catch_up, paused, description, source,
          next_fire_at, created_at, updated_at, (xmax = 0) AS created;

-- name: get
SELECT workspace, name, cron, time_zone, job::text AS job, overlap, catch_up, paused, description, source,
       next_fire_at, created_at, updated_at
FROM harrier.schedules WHERE workspace = $1 AND name = $2;

-- name: lock_due
-- Due schedules, locked for this transaction (another instance skips them), with the clock the
-- decision uses: $1, or the database's when null. Fires are decided under this lock and
-- next_fire_at moves past them before it is released, so a fire is decided once.
SELECT workspace, name, cron, time_zone, job::text AS job, overlap, catch_up, next_fire_at,
       coalesce($1::timestamptz, now()) AS now
FROM harrier.schedules
WHERE NOT paused AND next_fire_at <= coalesce($1::timestamptz, now())
ORDER BY next_fire_at
LIMIT $2
FOR UPDATE SKIP LOCKED;

-- name: has_live_run
-- Whether a run of the schedule has not ended (overlap: skip).
SELECT EXISTS (SELECT 1 FROM harrier.jobs
               WHERE workspace = $1 AND schedule = $2
                 AND status NOT IN ('completed', 'failed', 'cancelled')) AS live;

-- name: advance
-- The next fire time not decided yet (null: none).
UPDATE harrier.schedules SET next_fire_at = $3 WHERE workspace = $1 AND name = $2;

-- name: list
SELECT workspace, name, cron, time_zone, job::text AS job, overlap, catch_up, paused, description, source,
       next_fire_at, created_at, updated_at
FROM harrier.schedules WHERE workspace = $1 ORDER BY name;

-- name: count_in_workspace
SELECT count(*) AS schedules FROM harrier.schedules WHERE workspace = $1;

-- name: delete
DELETE FROM harrier.schedules WHERE workspace = $1 AND name = $2 RETURNING name;

-- name: set_paused
-- Pauses or resumes. next_fire_at is kept: a resumed schedule finds the fires it skipped due,
-- and its catchUp decides what they get.
UPDATE harrier.schedules SET paused = $3, updated_at = now()
WHERE workspace = $1 AND name = $2
RETURNING workspace, name, cron, time_zone, job::text AS job, overlap, catch_up, paused, description, source,
          next_fire_at, created_at, updated_at;

-- name: last_runs
-- The latest run of each of some schedules (by fire or trigger time).
SELECT DISTINCT ON (schedule) schedule, id, scheduled_for, status::text AS status
FROM harrier.jobs
WHERE workspace = $1 AND schedule = ANY($2::text[])
ORDER BY schedule, scheduled_for DESC;
