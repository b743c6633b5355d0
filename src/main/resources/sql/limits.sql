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

-- name: lock_for_claim
-- A remote claim's limits ($2), locked for its transaction (by name, so that claims never wait for
-- each other in a cycle): for each, the permits its running jobs hold (`running`, when it has a
-- concurrency), the request slots due now (`due`: those since the last one taken, at most one of
-- the past, so a limit idle for a while lets one job go, not a burst) and when the next one is due
-- (`next_in`, seconds).
SELECT l.name, l.concurrency,
       CASE WHEN l.concurrency IS NULL THEN NULL
            ELSE (SELECT count(*) FROM harrier.jobs j
                  WHERE j.workspace = l.workspace AND j.status = 'running' AND j.limits @> ARRAY[l.name]) END AS running,
       CASE WHEN l.requests IS NULL THEN NULL
            ELSE floor(extract(EPOCH FROM now() - greatest(l.tat, now() - make_interval(secs => l.per_seconds / l.requests)))
                       / (l.per_seconds / l.requests) + 1e-9)::integer END AS due,
       CASE WHEN l.requests IS NULL THEN NULL
            ELSE extract(EPOCH FROM greatest(l.tat, now() - make_interval(secs => l.per_seconds / l.requests))
                                    + make_interval(secs => l.per_seconds / l.requests) - now()) END AS next_in
FROM harrier.limits l
WHERE l.workspace = $1 AND l.name = ANY($2::text[])
ORDER BY l.name
FOR UPDATE OF l;

-- name: take_claimed
-- The slots of $3 jobs a remote claim took, in its transaction (after lock_for_claim).
UPDATE harrier.limits
SET tat = greatest(tat, now() - make_interval(secs => per_seconds / requests))
          + make_interval(secs => $3 * per_seconds / requests)
WHERE workspace = $1 AND name = ANY($2::text[]) AND requests IS NOT NULL;
