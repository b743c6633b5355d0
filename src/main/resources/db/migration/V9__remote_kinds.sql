-- Workers in any language (part 2 of the API): the kinds a workspace declares as run by remote
-- workers, and the lease token of a job claimed over HTTP.

-- One row a declared kind. The schema is stored as sent; every field is optional.
CREATE TABLE harrier.kinds (
    workspace       text        NOT NULL,
    name            text        NOT NULL,
    args_schema     jsonb,
    timeout_seconds integer,
    max_attempts    integer,
    backoff         jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT kinds_pkey PRIMARY KEY (workspace, name)
);

-- The SHA-256 of a remote claim's lease token (never the token). Set by the claim, kept after the
-- worker's own complete or fail (a repeated call with the same token gets the document again),
-- cleared when anything else ends the attempt (a rescue, a retry, a timeout; a claim handed back
-- before its reply left keeps it: that token was never shown).
ALTER TABLE harrier.jobs ADD COLUMN lease_token_hash bytea;

-- A child's key, unique under its parent: a worker's repeated children call returns the child
-- it created the first time.
ALTER TABLE harrier.jobs ADD COLUMN child_key text;
CREATE UNIQUE INDEX jobs_child_key_idx ON harrier.jobs (parent_id, child_key)
    WHERE child_key IS NOT NULL;
