-- Announces new job events on the channel `harrier_events`: payloads of "job-id:seq" pairs joined
-- by commas, 150 to a notification (well under PostgreSQL's 8000-byte payload limit). Every
-- statement that appends events calls it once with all of them, so a batch of 1000 costs 7
-- notifications, not 1000. The notifications are sent at commit, like any NOTIFY.
CREATE FUNCTION harrier.notify_events(job_ids uuid[], seqs bigint[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    chunk constant integer := 150;
    total integer := coalesce(array_length(job_ids, 1), 0);
    sent integer := 0;
    payload text;
BEGIN
    WHILE sent < total LOOP
        SELECT string_agg(job_ids[i]::text || ':' || seqs[i], ',' ORDER BY i) INTO payload
        FROM generate_series(sent + 1, least(sent + chunk, total)) AS i;
        PERFORM pg_notify('harrier_events', payload);
        sent := sent + chunk;
    END LOOP;
    RETURN total;
END;
$$;
