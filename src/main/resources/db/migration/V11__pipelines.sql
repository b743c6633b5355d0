-- Pipelines (part 2 of the API): children and fan-in, `each` windows, `then` links and callbacks.
--
-- The children counts live on the parent row and are kept by triggers, so that every path that
-- inserts a child or changes its status (an engine's outcome, a remote worker's, a rescue, a cancel,
-- a retry, a fan-in further down) counts it in the same transaction, under the parent's row lock:
-- many children ending at once on several instances never lose an update, and the document reads
-- the counts without counting. Triggers fire only for rows with a parent (or a `then`/`callback`):
-- their WHEN clauses cost the other jobs nothing.

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

-- A new child: counted on its parent, which must not have ended (SQLSTATE HP001 otherwise).
CREATE FUNCTION harrier.child_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    b text := harrier.child_bucket(NEW.status, NEW.run_at);
BEGIN
    UPDATE harrier.jobs
    SET children_total = children_total + 1,
        children_failed = children_failed + (b = 'failed')::int,
        children_held = children_held + (b = 'held')::int,
        progress_total = CASE WHEN status = 'waiting' THEN children_total + 1 ELSE progress_total END
    WHERE id = NEW.parent_id AND status NOT IN ('completed', 'failed', 'cancelled');
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the parent job % has ended: it takes no more children', NEW.parent_id
            USING ERRCODE = 'HP001';
    END IF;
    RETURN NULL;
END
$$;

-- A child changed status: its parent's counts follow; a terminal child adds a `child` event to the
-- parent's stream; a waiting parent's progress follows, and its last child ends it (completed, or
-- failed under "childFailure": "fail" when a child failed); an `each` releases held children.
CREATE FUNCTION harrier.child_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    o text := harrier.child_bucket(OLD.status, OLD.run_at);
    n text := harrier.child_bucket(NEW.status, NEW.run_at);
    ended boolean := n IN ('completed', 'failed', 'cancelled');
    p harrier.jobs%ROWTYPE;
    done integer;
    failed_ids text;
BEGIN
    IF o = n THEN
        RETURN NULL;
    END IF;
    UPDATE harrier.jobs
    SET children_running = children_running + (n = 'running')::int - (o = 'running')::int,
        children_completed = children_completed + (n = 'completed')::int - (o = 'completed')::int,
        children_failed = children_failed + (n = 'failed')::int - (o = 'failed')::int,
        children_cancelled = children_cancelled + (n = 'cancelled')::int - (o = 'cancelled')::int,
        children_held = children_held + (n = 'held')::int - (o = 'held')::int,
        last_event_seq = last_event_seq + CASE WHEN ended THEN 1 ELSE 0 END,
        updated_at = CASE WHEN ended THEN now() ELSE updated_at END
    WHERE id = NEW.parent_id
    RETURNING * INTO p;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF ended THEN
        INSERT INTO harrier.job_events (job_id, seq, type, data)
        VALUES (p.id, p.last_event_seq, 'child',
                jsonb_build_object('id', NEW.id, 'kind', NEW.kind, 'status', NEW.status::text));
    END IF;
    IF p.status = 'waiting' AND ended THEN
        done := p.children_completed + p.children_failed + p.children_cancelled;
        IF done >= p.children_total THEN
            IF p.child_failure = 'fail' AND p.children_failed > 0 THEN
                SELECT string_agg(id::text, ', ') INTO failed_ids FROM (
                    SELECT id FROM harrier.jobs WHERE parent_id = p.id AND status = 'failed' ORDER BY id LIMIT 5) f;
                UPDATE harrier.jobs
                SET status = 'failed', finished_at = now(), updated_at = now(),
                    progress_done = done, progress_total = p.children_total,
                    error_message = p.children_failed || ' of ' || p.children_total || ' children failed: '
                        || failed_ids || CASE WHEN p.children_failed > 5 THEN ', …' ELSE '' END,
                    error_type = 'child_failed', error_attempt = attempt, error_at = now(),
                    last_event_seq = last_event_seq + 2
                WHERE id = p.id
                RETURNING * INTO p;
            ELSE
                UPDATE harrier.jobs
                SET status = 'completed', finished_at = now(), updated_at = now(),
                    progress_done = done, progress_total = p.children_total,
                    last_event_seq = last_event_seq + 2
                WHERE id = p.id
                RETURNING * INTO p;
            END IF;
            INSERT INTO harrier.job_events (job_id, seq, type, data) VALUES
                (p.id, p.last_event_seq - 1, 'progress',
                 jsonb_build_object('step', 'children', 'done', done, 'total', p.children_total)),
                (p.id, p.last_event_seq, 'status', jsonb_strip_nulls(jsonb_build_object('status', p.status::text,
                 'attempt', p.attempt, 'error', CASE WHEN p.status = 'failed' THEN p.error_message END)));
            PERFORM harrier.notify_events(ARRAY[p.id, p.id, p.id], ARRAY[p.last_event_seq - 2, p.last_event_seq - 1, p.last_event_seq]);
        ELSE
            UPDATE harrier.jobs
            SET progress_step = 'children', progress_details = NULL, progress_done = done,
                progress_total = p.children_total, last_event_seq = last_event_seq + 1
            WHERE id = p.id
            RETURNING * INTO p;
            INSERT INTO harrier.job_events (job_id, seq, type, data) VALUES
                (p.id, p.last_event_seq, 'progress',
                 jsonb_build_object('step', 'children', 'done', done, 'total', p.children_total));
            PERFORM harrier.notify_events(ARRAY[p.id, p.id], ARRAY[p.last_event_seq - 1, p.last_event_seq]);
        END IF;
    ELSIF ended THEN
        PERFORM harrier.notify_events(ARRAY[p.id], ARRAY[p.last_event_seq]);
    END IF;
    -- Only for an ended child: a released one's own trigger must not release more (its siblings of
    -- the same release statement are not yet counted as released when it runs).
    IF p.children_window IS NOT NULL AND p.children_held > 0 AND ended THEN
        PERFORM harrier.release_children(p.id);
    END IF;
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

CREATE TRIGGER jobs_child_inserted AFTER INSERT ON harrier.jobs
    FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL) EXECUTE FUNCTION harrier.child_inserted();

CREATE TRIGGER jobs_child_changed AFTER UPDATE ON harrier.jobs
    FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL
                       AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.run_at IS DISTINCT FROM NEW.run_at))
    EXECUTE FUNCTION harrier.child_changed();

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
