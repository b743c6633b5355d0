-- Pipelines (part 2 of the API): children and fan-in, `each` windows, `then` links and callbacks.
--
-- The children counts live on the parent row and are kept by triggers, so that every path that
-- inserts a child or changes its status (an engine's outcome, a remote worker's, a rescue, a cancel,
-- a retry, a fan-in further down) counts it in the same transaction, under the parent's row lock:
-- many children ending at once on several instances never lose an update, and the document reads
-- the counts without counting. The row triggers fire only for rows with a `then` or a `callback`, or
-- a parent that completes or is cancelled (their WHEN clauses cost the other jobs nothing); the two
-- statement triggers that count children look once over a statement's rows for one with a parent.

ALTER TABLE harrier.jobs
    ADD COLUMN child_failure      text    NOT NULL DEFAULT 'ignore',
    ADD COLUMN children_total     integer NOT NULL DEFAULT 0,
    ADD COLUMN children_running   integer NOT NULL DEFAULT 0,
    ADD COLUMN children_completed integer NOT NULL DEFAULT 0,
    ADD COLUMN children_failed    integer NOT NULL DEFAULT 0,
    ADD COLUMN children_cancelled integer NOT NULL DEFAULT 0,
    -- Children an `each` holds back beyond its window (status 'scheduled', run_at 'infinity').
    ADD COLUMN children_held      integer NOT NULL DEFAULT 0,
    -- An `each`'s concurrency: at most this many of its children released (not held) and not ended.
    ADD COLUMN children_window    integer,
    ADD COLUMN then_job           jsonb,
    ADD COLUMN callback           jsonb,
    ADD CONSTRAINT jobs_child_failure CHECK (child_failure IN ('ignore', 'fail'));

-- Listing a job's children newest first (GET /jobs?parent=), and the cascade of a cancel.
DROP INDEX harrier.jobs_parent_idx;
CREATE INDEX jobs_parent_idx ON harrier.jobs (parent_id, created_at DESC, id DESC) WHERE parent_id IS NOT NULL;

-- The held children of an `each`, released in order as others end.
CREATE INDEX jobs_held_idx ON harrier.jobs (parent_id, id) WHERE status = 'scheduled' AND run_at = 'infinity';

-- The runs of a status that `waiting` adds to the live counts.
CREATE INDEX jobs_waiting_idx ON harrier.jobs (workspace, queue) WHERE status = 'waiting';

-- Terminal statuses reached by jobs with a `then` or a `callback`, written in the transaction of the
-- status change; pipeline.Followups enqueues the link or the delivery and deletes the row in one
-- transaction: exactly once, whichever instance does it and whenever the one that wrote it died.
CREATE TABLE harrier.job_followups (
    id         bigint      GENERATED ALWAYS AS IDENTITY,
    job_id     uuid        NOT NULL,
    workspace  text        NOT NULL,
    status     text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT job_followups_pkey PRIMARY KEY (id)
);

-- Each workspace's own secret for the signatures of its http jobs, callbacks and notify deliveries;
-- the previous one keeps signing alongside for 24 hours after a rotation.
CREATE TABLE harrier.signing_secrets (
    workspace   text        NOT NULL,
    secret      text        NOT NULL,
    previous    text,
    rotated_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT signing_secrets_pkey PRIMARY KEY (workspace)
);

-- Which count a child's status falls in: 'held', 'running', a terminal status, or 'other'.
CREATE FUNCTION harrier.child_bucket(status harrier.job_status, run_at timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN status = 'scheduled' AND run_at = 'infinity' THEN 'held'
        WHEN status IN ('running', 'completed', 'failed', 'cancelled') THEN status::text
        ELSE 'other' END
$$;

-- Releases held children of an `each` while fewer than its window are released and not ended. Runs
-- under the parent's row lock (its callers updated the parent row first), so that two children ending
-- at once release two distinct successors, never one twice.
CREATE FUNCTION harrier.release_children(parent uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    p harrier.jobs%ROWTYPE;
    room integer;
    woken bigint;
    announced bigint;
BEGIN
    SELECT * INTO p FROM harrier.jobs WHERE id = parent;
    IF NOT FOUND OR p.children_window IS NULL OR p.children_held = 0 THEN
        RETURN;
    END IF;
    room := p.children_window - (p.children_total - p.children_completed - p.children_failed
                                 - p.children_cancelled - p.children_held);
    IF room <= 0 THEN
        RETURN;
    END IF;
    WITH next AS (
        SELECT id FROM harrier.jobs
        WHERE parent_id = parent AND status = 'scheduled' AND run_at = 'infinity'
        ORDER BY id
        LIMIT room
        FOR UPDATE SKIP LOCKED
    ), released AS (
        UPDATE harrier.jobs j
        SET status = 'pending', run_at = now(), updated_at = now(), last_event_seq = j.last_event_seq + 1
        FROM next WHERE j.id = next.id
        RETURNING j.id, j.workspace, j.queue, j.attempt, j.last_event_seq
    ), events AS (
        INSERT INTO harrier.job_events (job_id, seq, type, data)
        SELECT id, last_event_seq, 'status', jsonb_build_object('status', 'pending', 'attempt', attempt)
        FROM released
    )
    SELECT harrier.notify_jobs(array_agg(workspace), array_agg(queue)),
           harrier.notify_events(array_agg(id), array_agg(last_event_seq))
    FROM released INTO woken, announced;
END
$$;

-- New children, counted on their parents, which must not have ended (SQLSTATE HP001 otherwise). A
-- statement trigger: an `each` inserts a thousand children of one parent in one statement, and one
-- update of the parent per statement, not per child, keeps its row from growing a chain of a
-- thousand versions that every next update would walk.
CREATE FUNCTION harrier.children_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    d record;
BEGIN
    FOR d IN
        SELECT parent_id, count(*) AS n,
               count(*) FILTER (WHERE status = 'failed') AS failed,
               count(*) FILTER (WHERE status = 'scheduled' AND run_at = 'infinity') AS held
        FROM new_rows
        WHERE parent_id IS NOT NULL
        GROUP BY parent_id
        ORDER BY parent_id
    LOOP
        UPDATE harrier.jobs
        SET children_total = children_total + d.n,
            children_failed = children_failed + d.failed,
            children_held = children_held + d.held,
            progress_total = CASE WHEN status = 'waiting' THEN children_total + d.n ELSE progress_total END
        WHERE id = d.parent_id AND status NOT IN ('completed', 'failed', 'cancelled');
        IF NOT FOUND THEN
            RAISE EXCEPTION 'the parent job % has ended: it takes no more children', d.parent_id
                USING ERRCODE = 'HP001';
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

-- Children changed status: each parent's counts follow, once per statement (its children of one
-- outcome batch, or one claim, together); each child that ended adds a `child` event to its
-- parent's stream; a waiting parent's progress follows (one event per statement), and its last
-- child ends it (completed, or failed under "childFailure": "fail" when a child failed); an `each`
-- releases held children. Parents are updated in id order: two statements never wait on each other
-- in a circle.
CREATE FUNCTION harrier.children_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    d record;
    p harrier.jobs%ROWTYPE;
    first_seq bigint;
    done integer;
    failed_ids text;
BEGIN
    -- Most statements touch no child: one pass over the changed rows says so.
    IF NOT EXISTS (SELECT 1 FROM new_rows WHERE parent_id IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    FOR d IN
        WITH moved AS (
            SELECT n.parent_id, n.id, n.kind, n.status,
                   harrier.child_bucket(o.status, o.run_at) AS was,
                   harrier.child_bucket(n.status, n.run_at) AS now
            FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.parent_id IS NOT NULL
        )
        SELECT parent_id,
               sum((now = 'running')::int - (was = 'running')::int) AS running,
               sum((now = 'completed')::int - (was = 'completed')::int) AS completed,
               sum((now = 'failed')::int - (was = 'failed')::int) AS failed,
               sum((now = 'cancelled')::int - (was = 'cancelled')::int) AS cancelled,
               sum((now = 'held')::int - (was = 'held')::int) AS held,
               count(*) FILTER (WHERE now IN ('completed', 'failed', 'cancelled'))::int AS ended,
               jsonb_agg(jsonb_build_object('id', id, 'kind', kind, 'status', status::text) ORDER BY id)
                   FILTER (WHERE now IN ('completed', 'failed', 'cancelled')) AS children
        FROM moved
        WHERE was <> now
        GROUP BY parent_id
        ORDER BY parent_id
    LOOP
        UPDATE harrier.jobs
        SET children_running = children_running + d.running,
            children_completed = children_completed + d.completed,
            children_failed = children_failed + d.failed,
            children_cancelled = children_cancelled + d.cancelled,
            children_held = children_held + d.held,
            last_event_seq = last_event_seq + d.ended
                + CASE WHEN status = 'waiting' AND d.ended > 0 THEN 1 ELSE 0 END,
            progress_done = CASE WHEN status = 'waiting'
                THEN children_completed + d.completed + children_failed + d.failed + children_cancelled + d.cancelled
                ELSE progress_done END,
            updated_at = CASE WHEN d.ended > 0 THEN now() ELSE updated_at END
        WHERE id = d.parent_id
        RETURNING * INTO p;
        CONTINUE WHEN NOT FOUND OR d.ended = 0;
        first_seq := p.last_event_seq - d.ended - CASE WHEN p.status = 'waiting' THEN 1 ELSE 0 END + 1;
        INSERT INTO harrier.job_events (job_id, seq, type, data)
        SELECT p.id, first_seq + x.ord - 1, 'child', x.child
        FROM jsonb_array_elements(d.children) WITH ORDINALITY AS x(child, ord);
        IF p.status = 'waiting' THEN
            done := p.children_completed + p.children_failed + p.children_cancelled;
            INSERT INTO harrier.job_events (job_id, seq, type, data)
            VALUES (p.id, p.last_event_seq, 'progress',
                    jsonb_build_object('step', 'children', 'done', done, 'total', p.children_total));
            IF done >= p.children_total THEN
                IF p.child_failure = 'fail' AND p.children_failed > 0 THEN
                    SELECT string_agg(id::text, ', ') INTO failed_ids FROM (
                        SELECT id FROM harrier.jobs WHERE parent_id = p.id AND status = 'failed' ORDER BY id LIMIT 5) f;
                    UPDATE harrier.jobs
                    SET status = 'failed', finished_at = now(), updated_at = now(),
                        error_message = p.children_failed || ' of ' || p.children_total || ' children failed: '
                            || failed_ids || CASE WHEN p.children_failed > 5 THEN ', …' ELSE '' END,
                        error_type = 'child_failed', error_attempt = attempt, error_at = now(),
                        last_event_seq = last_event_seq + 1
                    WHERE id = p.id
                    RETURNING * INTO p;
                ELSE
                    UPDATE harrier.jobs
                    SET status = 'completed', finished_at = now(), updated_at = now(),
                        last_event_seq = last_event_seq + 1
                    WHERE id = p.id
                    RETURNING * INTO p;
                END IF;
                INSERT INTO harrier.job_events (job_id, seq, type, data)
                VALUES (p.id, p.last_event_seq, 'status', jsonb_strip_nulls(jsonb_build_object('status', p.status::text,
                        'attempt', p.attempt, 'error', CASE WHEN p.status = 'failed' THEN p.error_message END)));
            END IF;
        END IF;
        PERFORM harrier.notify_events(array_fill(p.id, ARRAY[(p.last_event_seq - first_seq + 1)::int]),
                                      ARRAY(SELECT generate_series(first_seq, p.last_event_seq)));
        IF p.children_window IS NOT NULL AND p.children_held > 0 THEN
            PERFORM harrier.release_children(p.id);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

-- A parent's handler succeeded: while children have not all ended it waits, its progress the
-- children's; if they all ended and one failed under "childFailure": "fail", it fails.
CREATE FUNCTION harrier.parent_handler_done() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    done integer := NEW.children_completed + NEW.children_failed + NEW.children_cancelled;
    failed_ids text;
BEGIN
    IF done < NEW.children_total THEN
        NEW.status := 'waiting';
        NEW.finished_at := NULL;
        NEW.progress_step := 'children';
        NEW.progress_details := NULL;
        NEW.progress_done := done;
        NEW.progress_total := NEW.children_total;
    ELSIF NEW.child_failure = 'fail' AND NEW.children_failed > 0 THEN
        SELECT string_agg(id::text, ', ') INTO failed_ids FROM (
            SELECT id FROM harrier.jobs WHERE parent_id = NEW.id AND status = 'failed' ORDER BY id LIMIT 5) f;
        NEW.status := 'failed';
        NEW.error_message := NEW.children_failed || ' of ' || NEW.children_total || ' children failed: '
            || failed_ids || CASE WHEN NEW.children_failed > 5 THEN ', …' ELSE '' END;
        NEW.error_type := 'child_failed';
        NEW.error_attempt := NEW.attempt;
        NEW.error_at := now();
    END IF;
    RETURN NEW;
END
$$;

-- A job with a `then` or a `callback` reached a terminal status: a follow-up to act on.
CREATE FUNCTION harrier.job_followup() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO harrier.job_followups (job_id, workspace, status) VALUES (NEW.id, NEW.workspace, NEW.status::text);
    PERFORM pg_notify('harrier_followups', '');
    RETURN NULL;
END
$$;

-- Cancels the children of a job that is cancelled, or asked to be: those not running at once (and,
-- through jobs_cancelled_cascade, their own children), those running asked to stop, as a client's
-- cancel would. Returns how many it cancelled or asked.
CREATE FUNCTION harrier.cancel_children(parent uuid) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    cancelled bigint;
    announced bigint;
    requested bigint := 0;
    child uuid;
BEGIN
    WITH c AS (
        UPDATE harrier.jobs
        SET status = 'cancelled', finished_at = now(), updated_at = now(), last_event_seq = last_event_seq + 1
        WHERE parent_id = parent AND status IN ('scheduled', 'pending', 'retrying', 'waiting')
        RETURNING id, attempt, last_event_seq
    ), events AS (
        INSERT INTO harrier.job_events (job_id, seq, type, data)
        SELECT id, last_event_seq, 'status', jsonb_build_object('status', 'cancelled', 'attempt', attempt)
        FROM c
    )
    SELECT count(*), harrier.notify_events(array_agg(id), array_agg(last_event_seq)) FROM c INTO cancelled, announced;
    FOR child IN
        UPDATE harrier.jobs
        SET cancel_requested_at = coalesce(cancel_requested_at, now()), updated_at = now()
        WHERE parent_id = parent AND status = 'running'
        RETURNING id
    LOOP
        PERFORM harrier.notify_cancel(ARRAY[child]);
        PERFORM harrier.cancel_children(child);
        requested := requested + 1;
    END LOOP;
    RETURN cancelled + requested;
END
$$;

-- A job with children became cancelled (a client's cancel, a handler that stopped when asked, a
-- rescue of a job asked to stop): its children follow.
CREATE FUNCTION harrier.job_cancelled() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM harrier.cancel_children(NEW.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_cancelled_cascade AFTER UPDATE ON harrier.jobs
    FOR EACH ROW WHEN (NEW.status = 'cancelled' AND OLD.status IS DISTINCT FROM NEW.status
                       AND NEW.children_total > NEW.children_completed + NEW.children_failed + NEW.children_cancelled)
    EXECUTE FUNCTION harrier.job_cancelled();

CREATE TRIGGER jobs_children_inserted AFTER INSERT ON harrier.jobs
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION harrier.children_inserted();

CREATE TRIGGER jobs_children_changed AFTER UPDATE ON harrier.jobs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION harrier.children_changed();

CREATE TRIGGER jobs_parent_handler_done BEFORE UPDATE ON harrier.jobs
    FOR EACH ROW WHEN (OLD.status = 'running' AND NEW.status = 'completed' AND NEW.children_total > 0)
    EXECUTE FUNCTION harrier.parent_handler_done();

CREATE TRIGGER jobs_followup_updated AFTER UPDATE ON harrier.jobs
    FOR EACH ROW WHEN ((NEW.then_job IS NOT NULL OR NEW.callback IS NOT NULL)
                       AND OLD.status IS DISTINCT FROM NEW.status
                       AND NEW.status IN ('completed', 'failed', 'cancelled'))
    EXECUTE FUNCTION harrier.job_followup();

CREATE TRIGGER jobs_followup_inserted AFTER INSERT ON harrier.jobs
    FOR EACH ROW WHEN ((NEW.then_job IS NOT NULL OR NEW.callback IS NOT NULL)
                       AND NEW.status IN ('completed', 'failed', 'cancelled'))
    EXECUTE FUNCTION harrier.job_followup();
