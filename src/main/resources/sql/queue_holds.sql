-- The statements on harrier.queue_holds: the permits of a queue's global concurrency each instance
-- holds (V18; the claim asks for them in its own statement, jobs.claim_held). Values are always
-- bound parameters; dev.harrier.sql.Table reads them.

-- name: hold
-- Renews or hands back instance $3's permits of queue $2: it needs $4 (its handlers that run and
-- its claimed jobs that wait for one), uses $5, holds $6 claimed jobs waiting; the queue's
-- concurrency $7, the kinds it claims $8, the lease $9 seconds (harrier.hold_queue says how).
SELECT granted, share FROM harrier.hold_queue($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- name: release
-- Every permit an instance holds of one queue, handed back (the queue lost its limit).
DELETE FROM harrier.queue_holds WHERE workspace = $1 AND queue = $2 AND instance = $3;

-- name: release_instance
-- Every permit an instance holds, handed back as it stops.
DELETE FROM harrier.queue_holds WHERE instance = $1;

-- name: prune_expired
-- Holds whose lease ended long ago (their instance died): they no longer count; this keeps the table small.
DELETE FROM harrier.queue_holds WHERE expires_at < now() - interval '1 hour';
