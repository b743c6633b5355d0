-- Jobs of a queue may be claimable, announced by an instance that has already woken its own
-- subscribers without waiting for the notification (dev.harrier.queue.EnqueueNotices): payload
-- "workspace/queue origin", the origin that instance's (dev.harrier.notify.Notifier#origin; a
-- queue's name holds no space). Its own listener drops it; every other instance reads it as
-- notify_jobs's.
CREATE FUNCTION harrier.notify_jobs_from(workspaces text[], queues text[], origin text) RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    SELECT count(pg_notify('harrier_jobs', key || ' ' || origin))
    FROM (SELECT DISTINCT w || '/' || q AS key FROM unnest(workspaces, queues) AS u(w, q)) keys
$$;
