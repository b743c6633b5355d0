-- Harrier schema, version 1: the tables of the whole roadmap (queue, events, fan-out items,
-- queues, schedules, keys, instances, leadership). Every object lives in the schema `harrier`;
-- runtime SQL always names it, so a search_path reset by a connection pooler cannot misroute it.

CREATE TYPE harrier.job_status AS ENUM (
    'scheduled', 'pending', 'running', 'retrying', 'completed', 'failed', 'cancelled');

CREATE TYPE harrier.event_type AS ENUM ('status', 'progress', 'log', 'item');

CREATE TYPE harrier.item_status AS ENUM ('ok', 'failed');

-- One row a job. Status, progress and the latest error are real columns, not a JSON blob, so
-- that listing, counting and claiming stay index scans.
CREATE TABLE harrier.jobs (
    id                 uuid               NOT NULL,
    workspace          text               NOT NULL,
    queue              text               NOT NULL,
    kind               text               NOT NULL,
    status             harrier.job_status NOT NULL,
    priority           smallint           NOT NULL DEFAULT 0,
    args               jsonb              NOT NULL DEFAULT '{}',
    attempt            integer            NOT NULL DEFAULT 0,
    max_attempts       integer            NOT NULL,
    timeout_seconds    integer,
    run_at             timestamptz        NOT NULL,
    lease_owner        text,
    lease_expires_at   timestamptz,
    cancel_requested_at timestamptz,
    unique_key         text,
    parent_id          uuid,
    tags               text[]             NOT NULL DEFAULT '{}',
    progress_step      text,
    progress_details   text,
    progress_done      bigint,
    progress_total     bigint,
    result             jsonb,
    error_message      text,
    error_type         text,
    error_attempt      integer,
    error_at           timestamptz,
    last_event_seq     bigint             NOT NULL DEFAULT 0,
    created_at         timestamptz        NOT NULL DEFAULT now(),
    updated_at         timestamptz        NOT NULL DEFAULT now(),
    started_at         timestamptz,
    finished_at        timestamptz,
    CONSTRAINT jobs_pkey PRIMARY KEY (id),
    CONSTRAINT jobs_priority_range CHECK (priority BETWEEN 0 AND 9),
    CONSTRAINT jobs_max_attempts_positive CHECK (max_attempts >= 1),
    CONSTRAINT jobs_attempt_not_negative CHECK (attempt >= 0),
    CONSTRAINT jobs_timeout_positive CHECK (timeout_seconds IS NULL OR timeout_seconds > 0),
    CONSTRAINT jobs_parent_fkey FOREIGN KEY (parent_id) REFERENCES harrier.jobs (id) ON DELETE SET NULL
);

-- The claim query's index, kept small: only runnable rows are in it.
CREATE INDEX jobs_claim_idx ON harrier.jobs (workspace, queue, priority, run_at, id)
    WHERE status = 'pending';

-- Counting what runs in a queue (global concurrency) and finding expired leases (rescue). Running
-- rows are few (at most the slots of all instances), so one small index serves both.
CREATE INDEX jobs_running_idx ON harrier.jobs (workspace, queue, lease_expires_at)
    WHERE status = 'running';

-- Scheduled and retrying jobs that become pending when due.
CREATE INDEX jobs_due_idx ON harrier.jobs (run_at)
    WHERE status IN ('scheduled', 'retrying');

-- Pruning of terminal jobs after their retention.
CREATE INDEX jobs_finished_idx ON harrier.jobs (status, finished_at)
    WHERE status IN ('completed', 'failed', 'cancelled');

-- Listing newest first, with and without a status filter; tags by containment.
CREATE INDEX jobs_list_idx ON harrier.jobs (workspace, created_at DESC, id DESC);
CREATE INDEX jobs_list_status_idx ON harrier.jobs (workspace, status, created_at DESC, id DESC);
-- Only tagged jobs are in the tag index: an untagged job costs it nothing on every status change.
CREATE INDEX jobs_tags_idx ON harrier.jobs USING gin (tags) WHERE tags <> '{}';
CREATE INDEX jobs_parent_idx ON harrier.jobs (parent_id) WHERE parent_id IS NOT NULL;

-- A unique key holds only while its job is not terminal. The partial unique index (not a
-- check-then-insert) is what keeps concurrent enqueues with one key from creating two jobs.
CREATE UNIQUE INDEX jobs_unique_key_idx ON harrier.jobs (workspace, unique_key)
    WHERE unique_key IS NOT NULL AND status NOT IN ('completed', 'failed', 'cancelled');

-- Append-only history of a job: status changes, progress, log lines and finished items. `seq`
-- increases within a job (jobs.last_event_seq is the counter); it is the SSE event id.
-- No foreign key to jobs: the check would lock the job row once per event, on the hottest path;
-- events are only written with the job row locked, and pruning deletes them with their job.
CREATE TABLE harrier.job_events (
    job_id  uuid               NOT NULL,
    seq     bigint             NOT NULL,
    type    harrier.event_type NOT NULL,
    at      timestamptz        NOT NULL DEFAULT now(),
    data    jsonb              NOT NULL,
    CONSTRAINT job_events_pkey PRIMARY KEY (job_id, seq)
);

-- Per-item results of fan-out jobs. A row exists once an item has finished; a retried attempt
-- skips the items that have one. Like events, deleted with their job by the pruning.
CREATE TABLE harrier.job_items (
    job_id       uuid                NOT NULL,
    idx          integer             NOT NULL,
    input        text                NOT NULL,
    status       harrier.item_status NOT NULL,
    http_status  integer,
    attempts     integer             NOT NULL DEFAULT 1,
    duration_ms  integer,
    data         jsonb,
    error        text,
    finished_at  timestamptz         NOT NULL DEFAULT now(),
    CONSTRAINT job_items_pkey PRIMARY KEY (job_id, idx)
);

CREATE INDEX job_items_status_idx ON harrier.job_items (job_id, status, idx);

-- Queues exist per workspace. A NULL concurrency means no limit beyond each instance's slots.
CREATE TABLE harrier.queues (
    workspace    text        NOT NULL,
    name         text        NOT NULL,
    paused       boolean     NOT NULL DEFAULT false,
    concurrency  integer,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT queues_pkey PRIMARY KEY (workspace, name),
    CONSTRAINT queues_concurrency_positive CHECK (concurrency IS NULL OR concurrency > 0)
);

-- Cron schedules that enqueue a job at each fire time, once across all instances.
CREATE TABLE harrier.schedules (
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    workspace        text        NOT NULL,
    name             text        NOT NULL,
    cron             text        NOT NULL,
    time_zone        text        NOT NULL DEFAULT 'UTC',
    kind             text        NOT NULL,
    queue            text        NOT NULL DEFAULT 'default',
    args             jsonb       NOT NULL DEFAULT '{}',
    priority         smallint    NOT NULL DEFAULT 0,
    max_attempts     integer,
    timeout_seconds  integer,
    tags             text[]      NOT NULL DEFAULT '{}',
    paused           boolean     NOT NULL DEFAULT false,
    next_run_at      timestamptz NOT NULL,
    last_run_at      timestamptz,
    last_job_id      uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT schedules_pkey PRIMARY KEY (id),
    CONSTRAINT schedules_name_unique UNIQUE (workspace, name),
    CONSTRAINT schedules_priority_range CHECK (priority BETWEEN 0 AND 9)
);

CREATE INDEX schedules_due_idx ON harrier.schedules (next_run_at) WHERE NOT paused;

-- API keys created by Harrier itself; only a SHA-256 hash of each key is kept.
CREATE TABLE harrier.api_keys (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    workspace   text        NOT NULL,
    key_hash    bytea       NOT NULL,
    key_prefix  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT api_keys_pkey PRIMARY KEY (id),
    CONSTRAINT api_keys_hash_unique UNIQUE (key_hash)
);

-- Running instances and their heartbeats, for operations and the dashboard.
CREATE TABLE harrier.instances (
    id            text        NOT NULL,
    host          text        NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    heartbeat_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT instances_pkey PRIMARY KEY (id)
);

-- Leadership for work that must run on one instance at a time (maintenance, cron). A leader
-- holds its row until expires_at and renews it; when it dies, another takes over on expiry.
CREATE TABLE harrier.leaders (
    name        text        NOT NULL,
    holder      text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    CONSTRAINT leaders_pkey PRIMARY KEY (name)
);
