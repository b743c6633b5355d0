-- Shared rate limits: a workspace's named limits, enforced by every instance together.
--
-- The rate part is a generic cell rate algorithm kept in one row: `tat` (theoretical arrival time)
-- is the next free request slot; slots are spaced `per_seconds / requests` apart, so any window of
-- `per_seconds` holds at most `requests` slots plus the one at its edge. An instance reserves a batch
-- of consecutive slots in one statement (never one round trip per request), and never more than a
-- lease period ahead of now: slots an instance reserved and did not use (it was killed, its jobs
-- ended) lapse within the lease period.
--
-- The concurrency part is leased: each instance holds a number of permits in `limit_holds` until
-- `expires_at`, renewed while it uses them and handed back when it no longer needs them; an
-- instance that dies stops counting when its lease expires.
CREATE TABLE harrier.limits (
    workspace   text             NOT NULL,
    name        text             NOT NULL,
    requests    integer,
    per_seconds double precision,
    concurrency integer,
    tat         timestamptz      NOT NULL DEFAULT '-infinity',
    created_at  timestamptz      NOT NULL DEFAULT now(),
    updated_at  timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT limits_pkey PRIMARY KEY (workspace, name),
    CONSTRAINT limits_rate_whole CHECK ((requests IS NULL) = (per_seconds IS NULL)),
    CONSTRAINT limits_something CHECK (requests IS NOT NULL OR concurrency IS NOT NULL),
    CONSTRAINT limits_positive CHECK (requests > 0 AND per_seconds > 0 AND concurrency > 0)
);

CREATE TABLE harrier.limit_holds (
    workspace  text        NOT NULL,
    name       text        NOT NULL,
    instance   text        NOT NULL,
    held       integer     NOT NULL,
    waiting    integer     NOT NULL DEFAULT 0,
    expires_at timestamptz NOT NULL,
    CONSTRAINT limit_holds_pkey PRIMARY KEY (workspace, name, instance),
    CONSTRAINT limit_holds_limit_fkey FOREIGN KEY (workspace, name)
        REFERENCES harrier.limits (workspace, name) ON DELETE CASCADE
);

-- A job's own retry schedule ({"baseSeconds", "factor", "maxSeconds", "jitter"}), as enqueued;
-- null for the kind's or the instance's.
ALTER TABLE harrier.jobs ADD COLUMN backoff jsonb;

-- A remote kind's shared limit: each job of the kind a worker claims takes a request of it (its rate)
-- and holds one of its permits (its concurrency) while it runs.
ALTER TABLE harrier.kinds ADD COLUMN limit_name text;

-- The limits a remote claim counted the job against, while it runs under that claim: a limit's
-- concurrency is the count of its running jobs, by this index.
ALTER TABLE harrier.jobs ADD COLUMN limits text[];
CREATE INDEX jobs_running_limits_idx ON harrier.jobs USING gin (limits)
    WHERE status = 'running' AND limits IS NOT NULL;
