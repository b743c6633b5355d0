-- The statements on harrier.kinds: the kinds a workspace declares as run by remote workers.
-- Values are always bound parameters; dev.harrier.sql.Table reads them.

-- name: upsert
-- Declares or replaces a kind; `created` says which.
INSERT INTO harrier.kinds (workspace, name, args_schema, timeout_seconds, max_attempts, backoff, limit_name)
VALUES ($1, $2, $3::text::jsonb, $4, $5, $6::text::jsonb, $7)
ON CONFLICT (workspace, name) DO UPDATE
SET args_schema = EXCLUDED.args_schema, timeout_seconds = EXCLUDED.timeout_seconds,
    max_attempts = EXCLUDED.max_attempts, backoff = EXCLUDED.backoff, limit_name = EXCLUDED.limit_name, updated_at = now()
RETURNING workspace, name, args_schema::text AS args_schema, timeout_seconds, max_attempts, backoff::text AS backoff,
          limit_name, created_at, updated_at, (xmax = 0) AS created;

-- name: list_named
-- Some kinds of a workspace, by name (those an enqueue or a claim names).
SELECT workspace, name, args_schema::text AS args_schema, timeout_seconds, max_attempts, backoff::text AS backoff,
       limit_name, created_at, updated_at
FROM harrier.kinds WHERE workspace = $1 AND name = ANY($2::text[]);

-- name: list
SELECT workspace, name, args_schema::text AS args_schema, timeout_seconds, max_attempts, backoff::text AS backoff,
       limit_name, created_at, updated_at
FROM harrier.kinds WHERE workspace = $1 ORDER BY name;

-- name: count_in_workspace
SELECT count(*) AS kinds FROM harrier.kinds WHERE workspace = $1;

-- name: delete
DELETE FROM harrier.kinds WHERE workspace = $1 AND name = $2 RETURNING name;

-- name: count_naming_limit
-- The kinds of a workspace whose claims count against a limit (its DELETE is refused while any does).
SELECT count(*) AS kinds FROM harrier.kinds WHERE workspace = $1 AND limit_name = $2;
