-- The statements on harrier.limit_holds: the concurrency permits each instance holds of a shared
-- limit. Values are always bound parameters; dev.harrier.sql.Table reads them.

-- name: hold
-- Instance $3 says how many permits it needs ($4: in use and waiting) and how many it uses ($5);
-- under the limit's row lock, it is granted as many as the other instances' live holds leave, at
-- most an even share (`share`) while others wait, and never fewer than it uses (requests in flight
-- are not taken back: the instance lets those above its share go as they end). The hold lasts $6 seconds unless renewed; a need of 0 hands every permit back.
-- `granted` is null when the limit does not exist or has no concurrency part.
-- Run after limits.lock in the same transaction: this statement's snapshot then holds the holds
-- the previous holder of the lock committed.
WITH lim AS (
    SELECT workspace, name, concurrency FROM harrier.limits WHERE workspace = $1 AND name = $2
), others AS (
    -- Remote jobs that run under a claim counted against the limit hold a permit each.
    SELECT coalesce(sum(h.held), 0)::integer
               + (SELECT count(*) FROM harrier.jobs j
                  WHERE j.workspace = $1 AND j.status = 'running' AND j.limits @> ARRAY[$2::text])::integer AS held,
           coalesce(sum(h.waiting), 0)::integer AS waiting,
           count(*) FILTER (WHERE h.waiting > 0 OR h.held > 0)::integer AS active
    FROM harrier.limit_holds h
    WHERE h.workspace = $1 AND h.name = $2 AND h.instance <> $3 AND h.expires_at > now()
), shares AS (
    SELECT lim.workspace, lim.name, lim.concurrency, others.held AS others_held,
           CASE WHEN others.waiting > 0 THEN ceil(lim.concurrency::numeric / (others.active + 1))::integer
                ELSE lim.concurrency END AS share
    FROM lim, others
    WHERE lim.concurrency IS NOT NULL
), decided AS (
    SELECT workspace, name, concurrency, share,
           greatest($5::integer, least($4::integer, concurrency - others_held, share)) AS granted
    FROM shares
), kept AS (
    INSERT INTO harrier.limit_holds (workspace, name, instance, held, waiting, expires_at)
    SELECT workspace, name, $3, granted, greatest(0, $4::integer - granted), now() + make_interval(secs => $6::float8)
    FROM decided
    ON CONFLICT (workspace, name, instance) DO UPDATE
    SET held = EXCLUDED.held, waiting = EXCLUDED.waiting, expires_at = EXCLUDED.expires_at
    RETURNING held
)
SELECT (SELECT concurrency FROM lim) AS concurrency, (SELECT held FROM kept) AS granted,
       (SELECT share FROM decided) AS share, EXISTS (SELECT 1 FROM lim) AS found;

-- name: release_instance
-- Every permit an instance holds, handed back as it stops.
DELETE FROM harrier.limit_holds WHERE instance = $1;

-- name: prune_expired
-- Holds whose lease ended long ago (their instance died): they no longer count; this keeps the table small.
DELETE FROM harrier.limit_holds WHERE expires_at < now() - interval '1 hour';
