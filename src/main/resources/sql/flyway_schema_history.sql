-- The statements on harrier.flyway_schema_history (Flyway's table): the schema's version.
-- Values are always bound parameters ($1, $2, ...). Each block is one statement under its name
-- line; dev.harrier.sql.Table reads them, and SqlStatementsTest prepares every one.

-- name: latest_applied
SELECT version FROM harrier.flyway_schema_history
WHERE success AND version IS NOT NULL
ORDER BY installed_rank DESC LIMIT 1;
