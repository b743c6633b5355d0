-- Every NOTIFY Harrier sends goes through one of these functions (or harrier.notify_events, V3),
-- so that a channel's name and its payload are written in one place in SQL, and once in Java
-- (dev.harrier.notify.Channel and Payloads). Each takes arrays, so that a statement touching many
-- rows notifies once per distinct payload, and returns how many notifications it queued. NULL
-- arrays (array_agg over no rows) send nothing. Notifications are sent at commit, like any NOTIFY.

-- Jobs of a queue may be claimable: payload "workspace/queue".
CREATE FUNCTION harrier.notify_jobs(workspaces text[], queues text[]) RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    SELECT count(pg_notify('harrier_jobs', key))
    FROM (SELECT DISTINCT w || '/' || q AS key FROM unnest(workspaces, queues) AS u(w, q)) keys
$$;

-- A queue's settings changed (pause, concurrency): payload "workspace/queue".
CREATE FUNCTION harrier.notify_queues(workspaces text[], queues text[]) RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    SELECT count(pg_notify('harrier_queues', key))
    FROM (SELECT DISTINCT w || '/' || q AS key FROM unnest(workspaces, queues) AS u(w, q)) keys
$$;

-- A client asked to cancel running jobs: payload the job id.
CREATE FUNCTION harrier.notify_cancel(job_ids uuid[]) RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    SELECT count(pg_notify('harrier_cancel', id::text)) FROM (SELECT DISTINCT unnest(job_ids) AS id) ids
$$;
