-- The statements on harrier.leaders: leadership of the maintenance loops.
-- Values are always bound parameters ($1, $2, ...). Each block is one statement under its name
-- line; dev.harrier.sql.Table reads them, and SqlStatementsTest prepares every one.

-- name: attempt
-- Takes or renews leadership $1 for holder $2 for $3 seconds from now: the database's, or $4 when
-- a test set the instance's clock (see maintenance.Leadership). Succeeds when the row is free,
-- ours, or expired (its holder died); returns no row otherwise.
INSERT INTO harrier.leaders (name, holder, expires_at)
VALUES ($1, $2, coalesce($4::timestamptz, now()) + make_interval(secs => $3))
ON CONFLICT (name) DO UPDATE
SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
WHERE harrier.leaders.holder = EXCLUDED.holder OR harrier.leaders.expires_at < coalesce($4::timestamptz, now())
RETURNING holder;

-- name: resign
-- Gives leadership up on shutdown, so that another instance takes over without waiting.
DELETE FROM harrier.leaders WHERE name = $1 AND holder = $2;
