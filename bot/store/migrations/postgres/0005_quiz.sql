-- Quizzes: each question asked in a channel, and each person's one answer to it. The question itself is
-- rebuilt from (seed, number, round_size, kind, documents), so nothing of the text is stored here.
-- Times are whole seconds since the Unix epoch (UTC); documents are comma-separated ids.
CREATE TABLE quiz_questions (
    key TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    message_id TEXT,
    seed TEXT NOT NULL,
    number INTEGER NOT NULL,
    round_size INTEGER NOT NULL,
    kind TEXT,
    documents TEXT NOT NULL,
    asked_by TEXT NOT NULL,
    asked_at BIGINT NOT NULL,
    closes_at BIGINT NOT NULL,
    closed_at BIGINT
);

CREATE INDEX quiz_questions_open ON quiz_questions (platform, closes_at) WHERE closed_at IS NULL;

CREATE TABLE quiz_answers (
    question_key TEXT NOT NULL REFERENCES quiz_questions (key) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    choice INTEGER NOT NULL,
    correct INTEGER NOT NULL,
    answered_at BIGINT NOT NULL,
    PRIMARY KEY (question_key, user_id)
);

CREATE INDEX quiz_questions_workspace ON quiz_questions (platform, workspace_id);
