-- The statements on harrier.api_keys: the workspaces' API keys (hashed).
-- Values are always bound parameters ($1, $2, ...). Each block is one statement under its name
-- line; dev.harrier.sql.Table reads them, and SqlStatementsTest prepares every one.

-- name: list
SELECT workspace, key_hash FROM harrier.api_keys;

-- name: lock
-- Under a transaction-scoped advisory lock, so that instances starting together create one key.
SELECT pg_advisory_xact_lock(hashtextextended('harrier.api_keys', 0));

-- name: create_if_none
INSERT INTO harrier.api_keys (workspace, key_hash, key_prefix)
SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM harrier.api_keys)
RETURNING id;
