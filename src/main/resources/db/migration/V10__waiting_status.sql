-- Pipelines (part 2 of the API), first half: the new enum values. PostgreSQL cannot use a value added
-- to an enum in the transaction that added it, so they come in a migration of their own (V11 uses them).

-- A job whose handler succeeded and that waits for its children.
ALTER TYPE harrier.job_status ADD VALUE 'waiting' AFTER 'retrying';

-- A child reached a terminal status: {"id", "kind", "status"} on its parent's stream.
ALTER TYPE harrier.event_type ADD VALUE 'child';
