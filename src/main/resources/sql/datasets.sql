-- The statements on harrier.datasets: a sync's lock and version, the listing of a workspace's datasets.
-- Values are always bound parameters ($1, $2, ...). Each block is one statement under its name
-- line; dev.harrier.sql.Table reads them, and SqlStatementsTest prepares every one.

-- name: lock_for_sync
-- Creates the dataset on its first sync, and locks its row for the sync's transaction: syncs of one
-- dataset wait for each other, syncs of different datasets run side by side. Returns its key and the
-- version this sync takes; no row when the dataset is new and the workspace already has $4 of them
-- (HARRIER_LIMITS_DATASETS; syncs creating datasets at the same moment may each pass the count).
INSERT INTO harrier.datasets (workspace, name, key_fields)
SELECT $1, $2, $3
WHERE (SELECT count(*) FROM harrier.datasets WHERE workspace = $1) < $4
   OR EXISTS (SELECT 1 FROM harrier.datasets WHERE workspace = $1 AND name = $2)
ON CONFLICT (workspace, name) DO UPDATE SET updated_at = now()
RETURNING key_fields, version + 1 AS version;

-- name: finish_sync
-- The sync's version and what it did, in its transaction.
UPDATE harrier.datasets
SET version = $3, last_sync_job_id = $4, last_sync_at = now(), last_sync_new = $5, last_sync_changed = $6,
    last_sync_expired = $7, updated_at = now()
WHERE workspace = $1 AND name = $2;

-- name: list
-- A workspace's datasets with their counts by state, by name.
SELECT d.name, d.key_fields, d.version, d.last_sync_job_id, d.last_sync_at, d.last_sync_new, d.last_sync_changed,
       d.last_sync_expired,
       (SELECT count(*) FROM harrier.records r WHERE r.workspace = d.workspace AND r.dataset = d.name
                                                 AND r.state = 'active') AS active,
       (SELECT count(*) FROM harrier.records r WHERE r.workspace = d.workspace AND r.dataset = d.name
                                                 AND r.state = 'expired') AS expired
FROM harrier.datasets d
WHERE d.workspace = $1
ORDER BY d.name;

-- name: get
SELECT name, key_fields, version FROM harrier.datasets WHERE workspace = $1 AND name = $2;

-- name: delete
-- A dataset and (by the foreign key's cascade) its records.
DELETE FROM harrier.datasets WHERE workspace = $1 AND name = $2 RETURNING name;
