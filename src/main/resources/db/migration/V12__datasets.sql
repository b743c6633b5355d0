-- Datasets (part 2 of the API): named sets of records with an identity key, compared with every new
-- snapshot (the `sync` kind, a `scrape` with a `dataset`) to say what is new, still there, changed
-- and gone.

-- One row a dataset. `version` is taken, +1, by every sync under this row's lock: the records a
-- sync made new, changed or expired carry it.
CREATE TABLE harrier.datasets (
    workspace         text        NOT NULL,
    name              text        NOT NULL,
    key_fields        text[]      NOT NULL,
    version           bigint      NOT NULL DEFAULT 0,
    last_sync_job_id  uuid,
    last_sync_at      timestamptz,
    last_sync_new     integer,
    last_sync_changed integer,
    last_sync_expired integer,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT datasets_pkey PRIMARY KEY (workspace, name)
);

-- One row a record. `key` is the JSON array of its key fields' values; `content_hash` the SHA-256 of
-- its canonical JSON (keys sorted), what a sync compares; `version` the dataset version of its last
-- change and `change` what that was (new, changed or expired); `seen_version` the last sync whose
-- snapshot held it.
CREATE TABLE harrier.records (
    workspace      text        NOT NULL,
    dataset        text        NOT NULL,
    key            jsonb       NOT NULL,
    data           jsonb       NOT NULL,
    content_hash   bytea       NOT NULL,
    state          text        NOT NULL,
    version        bigint      NOT NULL,
    change         text        NOT NULL,
    seen_version   bigint      NOT NULL,
    first_seen_at  timestamptz NOT NULL,
    last_seen_at   timestamptz NOT NULL,
    changed_at     timestamptz NOT NULL,
    expired_at     timestamptz,
    CONSTRAINT records_pkey PRIMARY KEY (workspace, dataset, key),
    CONSTRAINT records_state CHECK (state IN ('active', 'expired')),
    CONSTRAINT records_change CHECK (change IN ('new', 'changed', 'expired')),
    CONSTRAINT records_dataset_fkey FOREIGN KEY (workspace, dataset)
        REFERENCES harrier.datasets (workspace, name) ON DELETE CASCADE
);

-- What changed after a version (?afterVersion=), and the pruning of expired records.
CREATE INDEX records_version_idx ON harrier.records (workspace, dataset, version);
CREATE INDEX records_expired_idx ON harrier.records (expired_at) WHERE state = 'expired';

-- A snapshot being synced, staged in batches before one set-based comparison; rows live only in
-- the transaction of their sync (deleted before it commits), hence unlogged.
CREATE UNLOGGED TABLE harrier.sync_staging (
    sync_id       uuid    NOT NULL,
    ord           integer NOT NULL,
    key           jsonb   NOT NULL,
    data          jsonb   NOT NULL,
    content_hash  bytea   NOT NULL,
    CONSTRAINT sync_staging_pkey PRIMARY KEY (sync_id, ord)
);

-- The stable interface for apps that read datasets with SQL: these columns keep their names, types
-- and meaning across versions (new columns may be added at the end).
CREATE VIEW harrier.dataset_records AS
SELECT workspace, dataset, key, data, state, version, first_seen_at, last_seen_at, changed_at, expired_at
FROM harrier.records;
