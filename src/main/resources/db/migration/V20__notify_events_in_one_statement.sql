-- harrier.notify_events (V3) in one statement: the payloads of 150 "job-id:seq" pairs each, in
-- input order, built by one aggregate over the arrays instead of a PL/pgSQL loop that ran (and,
-- under the pool's plan_cache_mode, planned) a query per payload. Same channel, payloads and
-- order; returns the number of events announced. PostgreSQL's CPU per job in the 24-slot drain:
-- 0.8 to 3.0 us less (bench/README.md, peers "2026-12-03 f").
CREATE OR REPLACE FUNCTION harrier.notify_events(job_ids uuid[], seqs bigint[]) RETURNS integer
LANGUAGE sql AS $$
    SELECT (count(pg_notify('harrier_events', payload)) * 0)::integer + coalesce(cardinality(job_ids), 0)
    FROM (SELECT string_agg(id::text || ':' || seq, ',' ORDER BY i) AS payload
          FROM unnest(job_ids, seqs) WITH ORDINALITY AS t(id, seq, i)
          GROUP BY (i - 1) / 150
          ORDER BY (i - 1) / 150) AS chunks;
$$;
