-- The statements on harrier.job_items: the items of fan-out jobs.
-- Values are always bound parameters ($1, $2, ...). Each block is one statement under its name
-- line; dev.harrier.sql.Table reads them, and SqlStatementsTest prepares every one.

-- name: upsert_many
INSERT INTO harrier.job_items (job_id, idx, input, status, http_status, attempts, duration_ms, data, error, records)
SELECT job_id, idx, input, status::harrier.item_status, http_status, attempts, duration_ms, data::jsonb, error,
       CASE WHEN status <> 'ok' THEN 0
            WHEN jsonb_typeof(data::jsonb) = 'array' THEN jsonb_array_length(data::jsonb) ELSE 1 END
FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::int[], $6::int[], $7::int[], $8::text[], $9::text[])
    AS t(job_id, idx, input, status, http_status, attempts, duration_ms, data, error)
ON CONFLICT (job_id, idx) DO UPDATE
SET status = EXCLUDED.status, http_status = EXCLUDED.http_status, attempts = EXCLUDED.attempts,
    duration_ms = EXCLUDED.duration_ms, data = EXCLUDED.data, error = EXCLUDED.error,
    records = EXCLUDED.records, finished_at = now();

-- name: list_finished
SELECT idx FROM harrier.job_items WHERE job_id = $1;

-- name: count_by_status
SELECT count(*) FILTER (WHERE status = 'ok') AS ok,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       coalesce(sum(records), 0) AS ok_records
FROM harrier.job_items WHERE job_id = $1;

-- name: list_after
SELECT idx, input, status::text AS status, http_status, attempts, duration_ms, data::text AS data,
       error, finished_at
FROM harrier.job_items
WHERE job_id = $1 AND idx > $2 AND ($3::text IS NULL OR status = $3::harrier.item_status)
ORDER BY idx
LIMIT $4;

-- name: list_data_after
-- The data of a job's successful items after index $2, $3 of them in index order: the records a
-- scrape with a dataset syncs.
SELECT idx, data::text AS data FROM harrier.job_items
WHERE job_id = $1 AND status = 'ok' AND idx > $2
ORDER BY idx
LIMIT $3;
