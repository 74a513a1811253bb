"""speechbot: a primary-source text in Discord and Slack."""
