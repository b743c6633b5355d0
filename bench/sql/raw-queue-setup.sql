-- The yardstick table of bench/raw-sql.sh: a minimal job table with one claim index, the
-- shape of the leanest PostgreSQL queues. Recreated on every run, in its own schema.
DROP SCHEMA IF EXISTS harrier_raw CASCADE;
CREATE SCHEMA harrier_raw;
CREATE TABLE harrier_raw.jobs (
    id           bigserial   PRIMARY KEY,
    queue        text        NOT NULL DEFAULT 'default',
    state        text        NOT NULL DEFAULT 'available',
    priority     smallint    NOT NULL DEFAULT 1,
    scheduled_at timestamptz NOT NULL DEFAULT now(),
    attempt      int         NOT NULL DEFAULT 0,
    attempted_by text,
    attempted_at timestamptz,
    finalized_at timestamptz,
    kind         text        NOT NULL DEFAULT 'noop',
    args         jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX jobs_fetch_idx ON harrier_raw.jobs (state, queue, priority, scheduled_at, id);
INSERT INTO harrier_raw.jobs (args) SELECT '{}' FROM generate_series(1, :jobs);
VACUUM ANALYZE harrier_raw.jobs;
