-- The statements on harrier.records and the snapshot staging: a sync's comparison, done set-based
-- over a staged snapshot (never one statement per record), the listing of records, their pruning.
-- Values are always bound parameters ($1, $2, ...). Each block is one statement under its name
-- line; dev.harrier.sql.Table reads them, and SqlStatementsTest prepares every one.

-- name: stage
-- A batch of a snapshot: keys ($3, JSON arrays), records ($4) and content hashes ($5), numbered from $2.
INSERT INTO harrier.sync_staging (sync_id, ord, key, data, content_hash)
SELECT $1, $2 + t.n - 1, t.key::jsonb, t.data::jsonb, t.hash
FROM unnest($3::text[], $4::text[], $5::bytea[]) WITH ORDINALITY AS t(key, data, hash, n);

-- name: count_snapshot
-- A staged snapshot's records, its distinct keys, and what a sync would expire: of the active
-- records of the dataset in the partition ($4, a JSON object the record contains; '{}' for all),
-- those the snapshot does not hold (the partition's, less those whose key it holds: one join of
-- the snapshot's keys to the dataset's primary key, not a search of the snapshot per record).
WITH snapshot AS (
    SELECT DISTINCT key FROM harrier.sync_staging WHERE sync_id = $3
), partition_active AS (
    SELECT count(*) AS n FROM harrier.records r
    WHERE r.workspace = $1 AND r.dataset = $2 AND r.state = 'active' AND r.data @> $4::text::jsonb
), still_there AS (
    SELECT count(*) AS n FROM snapshot s
    JOIN harrier.records r ON r.workspace = $1 AND r.dataset = $2 AND r.key = s.key
    WHERE r.state = 'active' AND r.data @> $4::text::jsonb
)
SELECT (SELECT count(*) FROM harrier.sync_staging WHERE sync_id = $3) AS total,
       (SELECT count(*) FROM snapshot) AS distinct_keys,
       (SELECT n FROM partition_active) - (SELECT n FROM still_there) AS would_expire,
       (SELECT n FROM partition_active) AS partition_active;

-- name: merge_snapshot
-- Compares a staged snapshot ($3) with the dataset and writes it, version $4: a key not there (or
-- there but expired) is new, one there with the same content hash is active (only seen), one with
-- another is changed (its record replaced). Of a key staged twice, the last record wins. Returns
-- the counts.
WITH snapshot AS (
    SELECT DISTINCT ON (key) key, data, content_hash
    FROM harrier.sync_staging
    WHERE sync_id = $3
    ORDER BY key, ord DESC
), compared AS (
    SELECT s.key, s.data, s.content_hash,
           CASE WHEN r.key IS NULL OR r.state = 'expired' THEN 'new'
                WHEN r.content_hash = s.content_hash THEN 'active'
                ELSE 'changed' END AS outcome
    FROM snapshot s
    LEFT JOIN harrier.records r ON r.workspace = $1 AND r.dataset = $2 AND r.key = s.key
), written AS (
    INSERT INTO harrier.records AS r (workspace, dataset, key, data, content_hash, state, version, change,
                                      seen_version, first_seen_at, last_seen_at, changed_at)
    SELECT $1, $2, key, data, content_hash, 'active', $4, CASE WHEN outcome = 'active' THEN 'new' ELSE outcome END,
           $4, now(), now(), now()
    FROM compared
    ORDER BY key
    ON CONFLICT (workspace, dataset, key) DO UPDATE
    SET seen_version = excluded.seen_version, last_seen_at = excluded.last_seen_at,
        data = CASE WHEN r.state = 'expired' OR r.content_hash <> excluded.content_hash THEN excluded.data ELSE r.data END,
        content_hash = excluded.content_hash,
        version = CASE WHEN r.state = 'expired' OR r.content_hash <> excluded.content_hash THEN excluded.version ELSE r.version END,
        change = CASE WHEN r.state = 'expired' THEN 'new' WHEN r.content_hash <> excluded.content_hash THEN 'changed' ELSE r.change END,
        changed_at = CASE WHEN r.state = 'expired' OR r.content_hash <> excluded.content_hash THEN excluded.changed_at ELSE r.changed_at END,
        first_seen_at = CASE WHEN r.state = 'expired' THEN excluded.first_seen_at ELSE r.first_seen_at END,
        state = 'active', expired_at = NULL
    RETURNING 1
)
SELECT (SELECT count(*) FROM written) AS written,
       count(*) FILTER (WHERE outcome = 'new') AS new,
       count(*) FILTER (WHERE outcome = 'active') AS active,
       count(*) FILTER (WHERE outcome = 'changed') AS changed
FROM compared;

-- name: expire_unseen
-- The active records of the partition ($4) that the sync of version $3 did not see: expired, with
-- that version.
WITH expired AS (
    UPDATE harrier.records
    SET state = 'expired', expired_at = now(), changed_at = now(), version = $3, change = 'expired'
    WHERE workspace = $1 AND dataset = $2 AND state = 'active' AND seen_version < $3 AND data @> $4::text::jsonb
    RETURNING 1
)
SELECT count(*) AS expired FROM expired;

-- name: clear_staging
DELETE FROM harrier.sync_staging WHERE sync_id = $1;

-- name: notify_batches
-- The records a sync (version $3) made of the changes $4 (new, changed, expired), as bodies of
-- $5 records each, after the batch $6 (by change, then number), $7 bodies at most: what the notify
-- deliveries POST.
WITH changed AS (
    SELECT change, data, (row_number() OVER (PARTITION BY change ORDER BY key) - 1) / $5 AS batch
    FROM harrier.records
    WHERE workspace = $1 AND dataset = $2 AND version = $3 AND change = ANY($4::text[])
)
SELECT change, batch, jsonb_build_object('dataset', $2::text, 'state', change, 'records', jsonb_agg(data))::text AS body
FROM changed
WHERE (change, batch) > ($6::text, $8::bigint)
GROUP BY change, batch
ORDER BY change, batch
LIMIT $7;

-- name: list
-- A dataset's records, newest change first, by state ($3, null for any), changed since $4, after
-- version $5, after the cursor ($6 changed_at, $7 key).
SELECT key::text AS key, data::text AS data, state, version, first_seen_at, last_seen_at, changed_at, expired_at
FROM harrier.records
WHERE workspace = $1 AND dataset = $2
  AND ($3::text IS NULL OR state = $3)
  AND ($4::timestamptz IS NULL OR changed_at >= $4)
  AND ($5::bigint IS NULL OR version > $5)
  AND ($6::timestamptz IS NULL OR (changed_at, key) < ($6, $7::text::jsonb))
ORDER BY changed_at DESC, key DESC
LIMIT $8;

-- name: prune_expired
-- Deletes up to $2 records expired more than $1 seconds ago.
WITH doomed AS (
    SELECT workspace, dataset, key FROM harrier.records
    WHERE state = 'expired' AND expired_at < now() - make_interval(secs => $1)
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
DELETE FROM harrier.records r USING doomed
WHERE r.workspace = doomed.workspace AND r.dataset = doomed.dataset AND r.key = doomed.key;
