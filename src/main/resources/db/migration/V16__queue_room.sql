-- The room a queue's global concurrency leaves, for a claim: takes the queue's claim lock (an
-- advisory lock for the rest of the transaction, so that claims of one limited queue, on any
-- instance, count and claim one at a time) and then counts the queue's running jobs, but the jobs
-- `returned` (those of the claiming instance whose handlers have returned, their outcomes not
-- written yet: no code of theirs runs). The count runs after the lock is held, with a snapshot of
-- its own (a VOLATILE function's statements each take one), so it sees every claim that committed
-- before; a claim statement that calls it in its LIMIT counts, claims and commits in one round trip.
CREATE FUNCTION harrier.queue_room(ws text, q text, concurrency integer, returned uuid[]) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    running bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('harrier.queue:' || ws || '/' || q, 0));
    SELECT count(*) INTO running FROM harrier.jobs
    WHERE workspace = ws AND queue = q AND status = 'running' AND id <> ALL(returned);
    RETURN greatest(0, concurrency - running)::integer;
END;
$$;
