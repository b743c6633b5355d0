-- A queue's global concurrency as leased permits (dev.harrier.worker.QueuePermits): each instance
-- holds a number of the queue's `concurrency` until `expires_at`, starts at most that many of its
-- handlers, and claims like an unlimited queue (a local supply, big batches) instead of counting the
-- queue's running jobs before every claim. An instance asks for permits in its claim's own statement
-- (harrier.hold_queue), renews them with its heartbeat and hands back those it no longer uses; one
-- that dies stops counting when its lease expires. `waiting`: permits it asked for and was not
-- granted while jobs were pending (the others' share shrinks to an even one until it is served).
CREATE TABLE harrier.queue_holds (
    workspace  text        NOT NULL,
    queue      text        NOT NULL,
    instance   text        NOT NULL,
    held       integer     NOT NULL,
    waiting    integer     NOT NULL DEFAULT 0,
    expires_at timestamptz NOT NULL,
    CONSTRAINT queue_holds_pkey PRIMARY KEY (workspace, queue, instance)
);

-- What of a queue's concurrency is taken, besides instance `me`'s own hold (null: no instance's
-- left out): the permits every other instance holds (live leases), and the running jobs that no
-- live hold covers: remote workers' jobs (a lease token), and the engine jobs of an instance whose
-- hold lapsed (it died, or lost the database) until they are rescued, or of an instance of a
-- version before this table. `returned`: jobs whose handlers returned, not counted (see queue_room).
CREATE FUNCTION harrier.queue_taken(ws text, q text, me text, returned uuid[]) RETURNS integer
LANGUAGE sql STABLE AS $$
    WITH live AS (
        SELECT h.instance, h.held FROM harrier.queue_holds h
        WHERE h.workspace = ws AND h.queue = q AND h.expires_at > now()
    )
    SELECT (SELECT coalesce(sum(held), 0) FROM live WHERE instance IS DISTINCT FROM me)::integer
         + (SELECT count(*) FROM harrier.jobs j
            WHERE j.workspace = ws AND j.queue = q AND j.status = 'running' AND j.id <> ALL(returned)
              AND (j.lease_token_hash IS NOT NULL
                   -- The holders' names once, not a lookup a running job: the instances' supplies
                   -- make hundreds of running rows.
                   OR (j.lease_owner IS DISTINCT FROM me AND j.lease_owner <> ALL(ARRAY(SELECT instance FROM live)))))::integer
$$;

-- The room a queue's global concurrency leaves for a remote worker's claim: the queue's claim lock
-- (held for the rest of the transaction: claims and holds of one limited queue, on any instance,
-- go one at a time), then what the instances' permits and the running jobs they do not cover take
-- (harrier.queue_taken, with a snapshot of its own: a VOLATILE function's statements each take one).
CREATE OR REPLACE FUNCTION harrier.queue_room(ws text, q text, concurrency integer, returned uuid[]) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('harrier.queue:' || ws || '/' || q, 0));
    RETURN greatest(0, concurrency - harrier.queue_taken(ws, q, NULL, returned))::integer;
END;
$$;

-- Instance `me` asks for `need` permits of a queue whose concurrency is `concurrency`, using
-- `in_use` (its handlers that run) and holding `supplied` claimed jobs that wait for one. Under the
-- queue's claim lock, it is granted as many as the others leave, at most an even share while others
-- wait, and never fewer than it uses (a running handler is not taken back: the instance lets those
-- above its share go as they end). Permits beyond its own jobs are granted only while jobs of
-- `kinds` are pending: an instance never holds permits for work it cannot find, and never counts
-- as waiting for them. The hold lasts `lease_seconds` unless renewed; one of nothing is deleted.
-- When the instance gives permits back while another waits, the queue is woken (NOTIFY) so that
-- the other claims them at once. `pending`: whether jobs of `kinds` are pending.
CREATE FUNCTION harrier.hold_queue(ws text, q text, me text, need integer, in_use integer, supplied integer,
                                   concurrency integer, kinds text[], lease_seconds double precision,
                                   OUT granted integer, OUT share integer, OUT pending boolean)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    others integer;
    waiting_others integer;
    active integer;
    before integer;
    wanted integer := need;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('harrier.queue:' || ws || '/' || q, 0));
    SELECT coalesce(sum(h.waiting), 0), count(*) FILTER (WHERE h.waiting > 0 OR h.held > 0)
    INTO waiting_others, active
    FROM harrier.queue_holds h
    WHERE h.workspace = ws AND h.queue = q AND h.instance <> me AND h.expires_at > now();
    others := harrier.queue_taken(ws, q, me, '{}');
    pending := EXISTS (SELECT 1 FROM harrier.jobs j
                       WHERE j.workspace = ws AND j.queue = q AND j.status = 'pending'
                         AND (kinds IS NULL OR j.kind = ANY(kinds)));
    IF NOT pending THEN
        wanted := least(wanted, in_use + supplied);
    END IF;
    share := CASE WHEN waiting_others > 0 THEN ceil(concurrency::numeric / (active + 1))::integer ELSE concurrency END;
    granted := greatest(in_use, least(wanted, concurrency - others, share));
    SELECT h.held INTO before FROM harrier.queue_holds h WHERE h.workspace = ws AND h.queue = q AND h.instance = me;
    IF granted = 0 AND wanted = 0 THEN
        DELETE FROM harrier.queue_holds WHERE workspace = ws AND queue = q AND instance = me;
    ELSE
        INSERT INTO harrier.queue_holds (workspace, queue, instance, held, waiting, expires_at)
        VALUES (ws, q, me, granted, greatest(0, wanted - granted), now() + make_interval(secs => lease_seconds))
        ON CONFLICT (workspace, queue, instance) DO UPDATE
        SET held = EXCLUDED.held, waiting = EXCLUDED.waiting, expires_at = EXCLUDED.expires_at;
    END IF;
    IF waiting_others > 0 AND granted < coalesce(before, 0) THEN
        PERFORM harrier.notify_jobs(ARRAY[ws], ARRAY[q]);
    END IF;
END;
$$;
