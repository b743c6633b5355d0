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
-- Reserves up to $3 consecutive request slots, none starting later than $4 seconds from now
-- (clock_timestamp(): after any wait for the row's lock): the first at
-- `first` (now, or the end of the slots already reserved), the next ones `spacing` seconds apart.
-- `granted` may be 0 (other instances reserved the whole lease period ahead): ask again once
-- `first` is nearer. `first_in` counts from the statement's end (clock_timestamp()), so that the
-- caller, counting from the reply's arrival, places the slots no earlier than they are: time spent
-- waiting for a connection or the row lock only moves them later. A limit without a rate part grants nothing and changes nothing. No row: the
-- limit does not exist.
WITH current AS (
    SELECT workspace, name, requests, per_seconds, concurrency, greatest(tat, clock_timestamp()) AS first,
           per_seconds / requests AS spacing, clock_timestamp() AS at
    FROM harrier.limits
    WHERE workspace = $1 AND name = $2
    FOR UPDATE
), granted AS (
    -- The slots that start no later than $4 seconds from now: the first one even when the spacing
    -- is longer than that (a limit of one request a minute still lets one go).
    SELECT current.*,
           CASE WHEN requests IS NULL OR first > at + make_interval(secs => $4::float8) THEN 0
                ELSE least($3::integer, floor(extract(EPOCH FROM at + make_interval(secs => $4::float8) - first) / spacing + 1e-9)::integer + 1)
           END AS granted
    FROM current
)
UPDATE harrier.limits l
SET tat = CASE WHEN g.granted > 0 THEN g.first + make_interval(secs => g.granted * g.spacing) ELSE l.tat END
FROM granted g
WHERE l.workspace = g.workspace AND l.name = g.name
RETURNING g.requests, g.per_seconds, g.concurrency, g.granted, g.spacing,
          extract(EPOCH FROM g.first - clock_timestamp()) AS first_in;

-- name: lock
-- Limits ($2), locked for the transaction, by name (so that transactions never wait for each other
-- in a cycle): a remote claim's, before claim_room; an instance's, before limit_holds.hold. What they
-- leave is read by the next statement: under READ COMMITTED its snapshot is taken after this lock
-- was granted, so it sees what the transaction that held the lock before committed.
SELECT name FROM harrier.limits
WHERE workspace = $1 AND name = ANY($2::text[])
ORDER BY name
FOR UPDATE;

-- name: claim_room
-- What a remote claim's limits ($2, locked) leave now: the permits neither running remote jobs that
-- carry the limit nor instances' live holds (limit_holds) use (`room`, when it has a concurrency),
-- whether a request slot is due (`due`: at most one, so a limit idle for a while lets one job go,
-- not a burst; `tat` is the next free slot, as take_slots keeps it) and when it will be (`next_in`,
-- seconds).
SELECT l.name, l.per_seconds / l.requests AS spacing,
       CASE WHEN l.concurrency IS NULL THEN NULL
            ELSE l.concurrency
                 - (SELECT count(*) FROM harrier.jobs j
                    WHERE j.workspace = l.workspace AND j.status = 'running' AND j.limits @> ARRAY[l.name])
                 - (SELECT coalesce(sum(h.held), 0) FROM harrier.limit_holds h
                    WHERE h.workspace = l.workspace AND h.name = l.name AND h.expires_at > now()) END AS room,
       CASE WHEN l.requests IS NULL THEN NULL WHEN l.tat <= clock_timestamp() THEN 1 ELSE 0 END AS due,
       CASE WHEN l.requests IS NULL THEN NULL
            ELSE greatest(0, extract(EPOCH FROM l.tat - clock_timestamp())) END AS next_in
FROM harrier.limits l
WHERE l.workspace = $1 AND l.name = ANY($2::text[]);

-- name: take_claimed
-- The slots of $3 jobs a remote claim took, in its transaction (the limits locked): `tat` moves past
-- them; `next_in` is when the next one is due (seconds).
UPDATE harrier.limits
SET tat = greatest(tat, clock_timestamp()) + make_interval(secs => $3 * per_seconds / requests)
WHERE workspace = $1 AND name = ANY($2::text[]) AND requests IS NOT NULL
RETURNING extract(EPOCH FROM tat - clock_timestamp()) AS next_in;
