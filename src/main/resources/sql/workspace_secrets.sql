-- The statements on harrier.workspace_secrets: workspaces' secrets, sealed (dev.harrier.secret).
-- Values are always bound parameters ($1, $2, ...). Each block is one statement under its name
-- line; dev.harrier.sql.Table reads them, and SqlStatementsTest prepares every one.

-- name: put
-- Creates or replaces; true when it was created. A new one past the workspace's limit ($7) is not
-- written (no row comes back). Two creations at once may each pass the count: a guard, not an invariant.
WITH counted AS (
    SELECT count(*) AS n FROM harrier.workspace_secrets WHERE workspace = $1
), written AS (
    INSERT INTO harrier.workspace_secrets (workspace, name, value, key_id, allowed_hosts, kinds)
    SELECT $1, $2, $3, $4, $5, $6
    WHERE EXISTS (SELECT 1 FROM harrier.workspace_secrets WHERE workspace = $1 AND name = $2)
       OR (SELECT n FROM counted) < $7::integer
    ON CONFLICT (workspace, name) DO UPDATE
        SET value = EXCLUDED.value, key_id = EXCLUDED.key_id, allowed_hosts = EXCLUDED.allowed_hosts,
            kinds = EXCLUDED.kinds, updated_at = now()
    RETURNING (xmax = 0) AS created
)
SELECT created FROM written;

-- name: list
SELECT name, updated_at FROM harrier.workspace_secrets WHERE workspace = $1 ORDER BY name;

-- name: delete
DELETE FROM harrier.workspace_secrets WHERE workspace = $1 AND name = $2 RETURNING name;

-- name: get_many
SELECT name, value, key_id, allowed_hosts, kinds FROM harrier.workspace_secrets
WHERE workspace = $1 AND name = ANY($2::text[]);

-- name: existing
SELECT name FROM harrier.workspace_secrets WHERE workspace = $1 AND name = ANY($2::text[]);

-- name: all
-- Every stored secret, for the start-up check that the configured keys open them.
SELECT workspace, name, value, key_id FROM harrier.workspace_secrets;

-- name: reseal
-- A value sealed by an old key, sealed again by the current one (only if nobody replaced it meanwhile).
UPDATE harrier.workspace_secrets SET value = $3, key_id = $4
WHERE workspace = $1 AND name = $2 AND key_id = $5;

-- name: schedules_naming
-- The schedules whose job names the secret: deleting it would fail every run they make.
SELECT name FROM harrier.schedules WHERE workspace = $1 AND strpos(job::text, $2) > 0 ORDER BY name;
