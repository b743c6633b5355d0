-- The statements on harrier.secrets: the service's own secrets (the read-token key).
-- Values are always bound parameters ($1, $2, ...). Each block is one statement under its name
-- line; dev.harrier.sql.Table reads them, and SqlStatementsTest prepares every one.

-- name: create
INSERT INTO harrier.secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING;

-- name: get
SELECT value FROM harrier.secrets WHERE name = $1;
