-- The statements on harrier.instances: the running instances and their heartbeats.
-- Values are always bound parameters ($1, $2, ...). Each block is one statement under its name
-- line; dev.harrier.sql.Table reads them, and SqlStatementsTest prepares every one.

-- name: prune_stale
-- Instances that stopped heartbeating an hour ago are gone.
DELETE FROM harrier.instances WHERE heartbeat_at < now() - interval '1 hour';

-- name: register
INSERT INTO harrier.instances (id, host) VALUES ($1, $2)
ON CONFLICT (id) DO UPDATE SET heartbeat_at = now();

-- name: heartbeat
UPDATE harrier.instances SET heartbeat_at = now() WHERE id = $1;

-- name: remove
DELETE FROM harrier.instances WHERE id = $1;
