-- Texts a server (Discord guild) or workspace (Slack team) added itself, scoped as `discord:<id>` / `slack:<id>`.
-- The content is kept whole, so any process can rebuild the same library; metadata is the parsed facts as JSON.
-- Each scope's version goes up in the same transaction as every change, so other processes see it cheaply.
-- Times are whole seconds since the Unix epoch (UTC).
CREATE TABLE server_texts (
    scope TEXT NOT NULL,
    text_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content TEXT NOT NULL,
    metadata TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    added_by TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (scope, text_id)
);

CREATE UNIQUE INDEX server_texts_content ON server_texts (scope, content_hash);

CREATE TABLE server_text_scopes (
    scope TEXT PRIMARY KEY,
    default_text TEXT,
    bundled_hidden INTEGER NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE server_text_channels (
    scope TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    text_id TEXT NOT NULL,
    PRIMARY KEY (scope, channel_id)
);
