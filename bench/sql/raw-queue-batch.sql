-- One pgbench transaction of bench/raw-sql.sh: claim a batch (FOR UPDATE SKIP LOCKED) and
-- commit, then complete the claimed rows and commit. :batch is set by the script.
WITH claimed AS (
    UPDATE harrier_raw.jobs SET state = 'running', attempt = attempt + 1, attempted_by = 'bench', attempted_at = now()
    WHERE id IN (SELECT id FROM harrier_raw.jobs WHERE state = 'available' AND queue = 'default'
                 ORDER BY priority, scheduled_at, id LIMIT :batch FOR UPDATE SKIP LOCKED)
    RETURNING id)
SELECT quote_literal(coalesce(array_agg(id)::text, '{}')) AS ids FROM claimed \gset
UPDATE harrier_raw.jobs SET state = 'completed', finalized_at = now() WHERE id = ANY(:ids::bigint[]) AND state = 'running';
