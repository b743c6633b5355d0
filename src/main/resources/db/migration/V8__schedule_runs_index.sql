-- The runs of a schedule, newest first, for whether one has not ended (overlap: skip), a schedule's
-- last run and GET /jobs?schedule=. Without it each read every job of the workspace (the unique
-- index of fires leaves triggered runs out, so it cannot serve them). Partial: jobs that no
-- schedule created never enter it.
CREATE INDEX jobs_schedule_runs_idx ON harrier.jobs (workspace, schedule, scheduled_for DESC)
    WHERE schedule IS NOT NULL;
