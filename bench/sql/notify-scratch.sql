-- The floor: a one-row insert into a table with no index, no NOTIFY (bench/notify.sh creates it).
INSERT INTO public.harrier_notify_scratch VALUES (gen_random_uuid(), now());
