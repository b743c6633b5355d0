-- The statements on harrier.signing_secrets: each workspace's secret for the signatures of its http
-- jobs, callbacks and notify deliveries.
-- Values are always bound parameters ($1, $2, ...). Each block is one statement under its name
-- line; dev.harrier.sql.Table reads them, and SqlStatementsTest prepares every one.

-- name: get
SELECT secret, previous, rotated_at, rotated_at > now() - make_interval(secs => $2) AS previous_signs
FROM harrier.signing_secrets WHERE workspace = $1;

-- name: create
-- A workspace's first secret, made on first use; a concurrent first use keeps the one written first.
INSERT INTO harrier.signing_secrets (workspace, secret) VALUES ($1, $2) ON CONFLICT (workspace) DO NOTHING;

-- name: rotate
-- A new secret; the one it replaces keeps signing alongside until $3 seconds after now.
INSERT INTO harrier.signing_secrets (workspace, secret, previous, rotated_at)
VALUES ($1, $2, NULL, now())
ON CONFLICT (workspace) DO UPDATE
SET previous = harrier.signing_secrets.secret, secret = excluded.secret, rotated_at = now()
RETURNING secret, previous, rotated_at, true AS previous_signs;
