-- Secrets of a workspace: values its jobs use through {{secret:NAME}} and nobody reads back.
-- `value` is nonce || AES-256-GCM ciphertext || tag, sealed with the key whose id is `key_id`
-- (dev.harrier.secret.SecretCipher); the workspace and name are its associated data.
CREATE TABLE harrier.workspace_secrets (
    workspace     text        NOT NULL,
    name          text        NOT NULL,
    value         bytea       NOT NULL,
    key_id        text        NOT NULL,
    allowed_hosts text[]      NOT NULL DEFAULT '{}',
    kinds         text[]      NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workspace_secrets_pkey PRIMARY KEY (workspace, name)
);
