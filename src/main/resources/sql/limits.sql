-- The statements on harrier.limits: a workspace's shared limits, and the request slots instances
-- reserve from them. Values are always bound parameters; dev.harrier.sql.Table reads them.

-- name: upsert
-- Creates or replaces a limit; `created` says which. The slot clock (`tat`) is kept.
INSERT INTO harrier.limits (workspace, name, requests, per_seconds, concurrency)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (workspace, name) DO UPDATE
SET requests = EXCLUDED.requests, per_seconds = EXCLUDED.per_seconds, concurrency = EXCLUDED.concurrency,
    updated_at = now()
RETURNING name, requests, per_seconds, concurrency, created_at, updated_at, (xmax = 0) AS created;

-- name: list
SELECT name, requests, per_seconds, concurrency, created_at, updated_at
FROM harrier.limits WHERE workspace = $1 ORDER BY name;

-- name: get
SELECT name, requests, per_seconds, concurrency, created_at, updated_at
FROM harrier.limits WHERE workspace = $1 AND name = $2;

-- name: count_in_workspace
SELECT count(*) AS limits FROM harrier.limits WHERE workspace = $1;

-- name: delete
DELETE FROM harrier.limits WHERE workspace = $1 AND name = $2 RETURNING name;

-- name: take_slots
-- Reserves up to $3 consecutive request slots, none later than $4 seconds from now: the first at
-- `first` (now, or the end of the slots already reserved), the next ones `spacing` seconds apart.
-- `granted` may be 0 (other instances reserved the whole lease period ahead): ask again once
-- `first` is nearer. `first_in` counts from the statement's end (clock_timestamp()), so that the
-- caller, counting from the reply's arrival, places the slots no earlier than they are: time spent
-- waiting for a connection or the row lock only moves them later. A limit without a rate part grants nothing and changes nothing. No row: the
-- limit does not exist.
WITH current AS (
    SELECT workspace, name, requests, per_seconds, concurrency, greatest(tat, now()) AS first,
           per_seconds / requests AS spacing
    FROM harrier.limits
    WHERE workspace = $1 AND name = $2
    FOR UPDATE
), granted AS (
    SELECT current.*,
           CASE WHEN requests IS NULL THEN 0
                ELSE least($3::integer, greatest(0, floor(extract(EPOCH FROM now() - first) / spacing + $4::float8 / spacing + 1e-9)))::integer
           END AS granted
    FROM current
)
UPDATE harrier.limits l
SET tat = CASE WHEN g.granted > 0 THEN g.first + make_interval(secs => g.granted * g.spacing) ELSE l.tat END
FROM granted g
WHERE l.workspace = g.workspace AND l.name = g.name
RETURNING g.requests, g.per_seconds, g.concurrency, g.granted, g.spacing,
          extract(EPOCH FROM g.first - clock_timestamp()) AS first_in;
