-- The due query filters on platform as well as next_run_at; with next_run_at alone SQLite preferred the
-- (platform, workspace_id, channel_id) index and sorted every row of the platform. Lead with platform.
DROP INDEX subscriptions_due;

CREATE INDEX subscriptions_due_by_platform ON subscriptions (platform, next_run_at, id) WHERE next_run_at IS NOT NULL;
