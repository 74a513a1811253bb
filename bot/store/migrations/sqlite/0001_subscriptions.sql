-- Daily-post subscriptions (one per channel) and the per-day delivery claims that make posting exactly-once.
-- Times are whole seconds since the Unix epoch (UTC); local dates are ISO text (YYYY-MM-DD).
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    document_id TEXT NOT NULL,
    local_time TEXT NOT NULL,
    timezone TEXT NOT NULL,
    mode TEXT NOT NULL,
    days TEXT NOT NULL,
    role_id TEXT,
    set_up_by TEXT NOT NULL,
    set_up_at BIGINT NOT NULL,
    settings_version INTEGER NOT NULL DEFAULT 1,
    active INTEGER NOT NULL DEFAULT 1,
    paused_reason TEXT,
    next_run_at BIGINT,
    next_local_date TEXT,
    posts_made INTEGER NOT NULL DEFAULT 0,
    last_post_at BIGINT,
    last_post_ref TEXT,
    last_message_id TEXT,
    last_error TEXT,
    last_error_at BIGINT,
    UNIQUE (platform, workspace_id, channel_id)
);

CREATE INDEX subscriptions_due ON subscriptions (next_run_at, id) WHERE next_run_at IS NOT NULL;

CREATE TABLE deliveries (
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    local_date TEXT NOT NULL,
    status TEXT NOT NULL,
    n INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL,
    claimed_by TEXT,
    lease_until BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    message_id TEXT,
    passage_ref TEXT,
    sent_at BIGINT,
    PRIMARY KEY (subscription_id, local_date)
);
