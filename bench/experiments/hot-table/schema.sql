-- Two schemas side by side, each with its own copy of what a claim and an outcome touch:
--   harrier_exp_now: jobs as in migrations V1 to V4 (every status change is a non-HOT update
--                    that inserts into the primary key, the listing index and a partial index);
--   harrier_exp_hot: a narrow queue table for the hot state, and jobs with no index on status,
--                    lease or times (so its updates can be HOT) and a fillfactor of 50.
-- Both append one job_events row per status change and announce it, as Harrier must.
DROP SCHEMA IF EXISTS harrier_exp_now CASCADE;
DROP SCHEMA IF EXISTS harrier_exp_hot CASCADE;
CREATE SCHEMA harrier_exp_now;
CREATE SCHEMA harrier_exp_hot;

CREATE TYPE harrier_exp_now.job_status AS ENUM (
    'scheduled', 'pending', 'running', 'retrying', 'completed', 'failed', 'cancelled');
CREATE TYPE harrier_exp_now.event_type AS ENUM ('status', 'progress', 'log', 'item');

CREATE TABLE harrier_exp_now.jobs (
    id uuid PRIMARY KEY, workspace text NOT NULL, queue text NOT NULL, kind text NOT NULL,
    status harrier_exp_now.job_status NOT NULL, priority smallint NOT NULL DEFAULT 0,
    args jsonb NOT NULL DEFAULT '{}', attempt integer NOT NULL DEFAULT 0, max_attempts integer NOT NULL,
    timeout_seconds integer, run_at timestamptz NOT NULL, lease_owner text, lease_expires_at timestamptz,
    cancel_requested_at timestamptz, unique_key text, parent_id uuid, tags text[] NOT NULL DEFAULT '{}',
    progress_step text, progress_details text, progress_done bigint, progress_total bigint, result jsonb,
    error_message text, error_type text, error_attempt integer, error_at timestamptz,
    last_event_seq bigint NOT NULL DEFAULT 0, created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(), started_at timestamptz, finished_at timestamptz);
CREATE INDEX ON harrier_exp_now.jobs (workspace, queue, priority, run_at, id) WHERE status = 'pending';
CREATE INDEX ON harrier_exp_now.jobs (workspace, queue, lease_expires_at) WHERE status = 'running';
CREATE INDEX ON harrier_exp_now.jobs (run_at) WHERE status IN ('scheduled', 'retrying');
CREATE INDEX ON harrier_exp_now.jobs (status, finished_at) WHERE status IN ('completed', 'failed', 'cancelled');
CREATE INDEX ON harrier_exp_now.jobs (workspace, status, created_at DESC, id DESC);
CREATE INDEX ON harrier_exp_now.jobs USING gin (tags) WHERE tags <> '{}';
CREATE INDEX ON harrier_exp_now.jobs (parent_id) WHERE parent_id IS NOT NULL;
CREATE UNIQUE INDEX ON harrier_exp_now.jobs (workspace, unique_key)
    WHERE unique_key IS NOT NULL AND status NOT IN ('completed', 'failed', 'cancelled');
CREATE TABLE harrier_exp_now.job_events (
    job_id uuid NOT NULL, seq bigint NOT NULL, type harrier_exp_now.event_type NOT NULL,
    at timestamptz NOT NULL DEFAULT now(), data jsonb NOT NULL, PRIMARY KEY (job_id, seq));

CREATE TABLE harrier_exp_hot.jobs (LIKE harrier_exp_now.jobs INCLUDING DEFAULTS) WITH (fillfactor = 50);
ALTER TABLE harrier_exp_hot.jobs ADD PRIMARY KEY (id);
-- Listing newest first; a status filter is applied to the rows it reads.
CREATE INDEX ON harrier_exp_hot.jobs (workspace, created_at DESC, id DESC);
CREATE INDEX ON harrier_exp_hot.jobs USING gin (tags) WHERE tags <> '{}';
CREATE INDEX ON harrier_exp_hot.jobs (parent_id) WHERE parent_id IS NOT NULL;
-- The hot state: a row per job that is not terminal, deleted when it ends.
CREATE TABLE harrier_exp_hot.job_queue (
    id uuid PRIMARY KEY, workspace text NOT NULL, queue text NOT NULL, priority smallint NOT NULL,
    run_at timestamptz NOT NULL, status harrier_exp_now.job_status NOT NULL, lease_owner text,
    lease_expires_at timestamptz, attempt integer NOT NULL DEFAULT 0);
CREATE INDEX ON harrier_exp_hot.job_queue (workspace, queue, priority, run_at, id) WHERE status = 'pending';
CREATE INDEX ON harrier_exp_hot.job_queue (workspace, queue, lease_expires_at) WHERE status = 'running';
CREATE TABLE harrier_exp_hot.job_events (LIKE harrier_exp_now.job_events INCLUDING ALL);

-- As harrier.notify_events (migration V3), on a channel nobody listens to.
CREATE FUNCTION harrier_exp_now.notify_events(job_ids uuid[], seqs bigint[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    chunk constant integer := 150;
    total integer := coalesce(array_length(job_ids, 1), 0);
    sent integer := 0;
    payload text;
BEGIN
    WHILE sent < total LOOP
        SELECT string_agg(job_ids[i]::text || ':' || seqs[i], ',' ORDER BY i) INTO payload
        FROM generate_series(sent + 1, least(sent + chunk, total)) AS i;
        PERFORM pg_notify('harrier_exp_events', payload);
        sent := sent + chunk;
    END LOOP;
    RETURN total;
END;
$$;
