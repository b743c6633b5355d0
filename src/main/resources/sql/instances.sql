-- The statements on harrier.instances: the running instances and their heartbeats.
-- Values are always bound parameters ($1, $2, ...). Each block is one statement under its name
-- line; dev.harrier.sql.Table reads them, and SqlStatementsTest prepares every one.

-- name: prune_stale
-- Instances that stopped heartbeating an hour ago are gone.
DELETE FROM harrier.instances WHERE heartbeat_at < now() - interval '1 hour';

-- name: register
-- An instance id configured again (a restarted machine) starts afresh.
INSERT INTO harrier.instances (id, host, version, region, worker) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (id) DO UPDATE SET started_at = now(), heartbeat_at = now(), host = EXCLUDED.host,
    version = EXCLUDED.version, region = EXCLUDED.region, worker = EXCLUDED.worker, running = 0;

-- name: heartbeat
-- Writes the row back if it was pruned meanwhile (an instance cut off from the database for an hour).
INSERT INTO harrier.instances (id, host, version, region, worker, running) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), running = EXCLUDED.running;

-- name: remove
DELETE FROM harrier.instances WHERE id = $1;

-- name: list_live
-- Instances whose heartbeat is younger than $1 seconds, the maintenance leader marked.
SELECT i.id, i.version, i.region, i.started_at, i.heartbeat_at, i.worker, i.running,
       EXISTS (SELECT 1 FROM harrier.leaders l
               WHERE l.name = 'maintenance' AND l.holder = i.id AND l.expires_at > now()) AS leader
FROM harrier.instances i
WHERE i.heartbeat_at > now() - make_interval(secs => $1::float8)
ORDER BY i.started_at, i.id;
