-- Slack OAuth: the bot installation of each workspace (or of an Enterprise Grid org, for org-wide installs),
-- and the one-time `state` values of install links in flight. An absent id is '' so the key covers it.
-- Keyed by team first: the scheduler looks a workspace up by its team id alone; an org-wide install has
-- team_id '' and is found by its enterprise_id through the same key.
-- Times are whole seconds since the Unix epoch (UTC); scopes are comma-separated.
CREATE TABLE slack_installations (
    team_id TEXT NOT NULL DEFAULT '',
    enterprise_id TEXT NOT NULL DEFAULT '',
    is_enterprise_install INTEGER NOT NULL DEFAULT 0,
    app_id TEXT,
    enterprise_name TEXT,
    enterprise_url TEXT,
    team_name TEXT,
    bot_token TEXT NOT NULL,
    bot_id TEXT,
    bot_user_id TEXT,
    bot_scopes TEXT NOT NULL DEFAULT '',
    bot_refresh_token TEXT,
    bot_token_expires_at BIGINT,
    installed_by TEXT,
    installed_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, enterprise_id)
);

CREATE TABLE slack_oauth_states (
    state TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);

CREATE INDEX slack_oauth_states_expiry ON slack_oauth_states (expires_at);
