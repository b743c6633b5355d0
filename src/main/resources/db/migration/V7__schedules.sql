-- Schedules as the API contract's part 2 has them (issue 17). The table of V1 was never used: it is
-- replaced. A schedule is keyed by (workspace, name); `job` is the enqueue body its fires use;
-- `next_fire_at` is the earliest fire time not decided yet (null: the expressions never fire again).
DROP TABLE harrier.schedules;

CREATE TABLE harrier.schedules (
    workspace     text        NOT NULL,
    name          text        NOT NULL,
    cron          text[]      NOT NULL,
    time_zone     text        NOT NULL DEFAULT 'UTC',
    job           jsonb       NOT NULL,
    overlap       text        NOT NULL DEFAULT 'allow',
    catch_up      text        NOT NULL DEFAULT 'latest',
    paused        boolean     NOT NULL DEFAULT false,
    description   text,
    source        text        NOT NULL DEFAULT 'api',
    next_fire_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT schedules_pkey PRIMARY KEY (workspace, name),
    CONSTRAINT schedules_overlap CHECK (overlap IN ('allow', 'skip')),
    CONSTRAINT schedules_catch_up CHECK (catch_up IN ('latest', 'none', 'all')),
    CONSTRAINT schedules_source CHECK (source IN ('api', 'file'))
);

CREATE INDEX schedules_due_idx ON harrier.schedules (next_fire_at) WHERE NOT paused;

-- The runs of schedules are ordinary jobs that say which schedule created them and for which fire
-- time. The unique index makes the database the judge of "one job per fire": an instance that
-- decides a fire another one already created inserts nothing. A run triggered from outside
-- (`triggered`) is for the moment of its trigger, not a fire time, and stays out of it.
ALTER TABLE harrier.jobs
    ADD COLUMN schedule      text,
    ADD COLUMN scheduled_for timestamptz,
    ADD COLUMN triggered     boolean NOT NULL DEFAULT false;

CREATE UNIQUE INDEX jobs_schedule_fire_idx ON harrier.jobs (workspace, schedule, scheduled_for)
    WHERE schedule IS NOT NULL AND NOT triggered;
