-- What one instance sends after its commits, debounced: every millisecond one transaction with
-- one wake-up and the announcements of the jobs enqueued meanwhile (about 20 at the rates measured).
SELECT harrier.notify_jobs(ARRAY['default'], ARRAY['load']),
       harrier.notify_events(array_agg(gen_random_uuid()), array_agg(0::bigint)) FROM generate_series(1, 20);
\sleep 1 ms
