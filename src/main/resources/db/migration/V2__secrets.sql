-- Secrets Harrier generates for itself and every instance must share, such as the key that signs
-- read tokens when none is configured. Created once, by whichever instance gets there first.
CREATE TABLE harrier.secrets (
    name        text        NOT NULL,
    value       bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT secrets_pkey PRIMARY KEY (name)
);
