"""Slack settings checked once at start-up: tokens, the signing secret, the command name and OAuth.

The app factory, the runner and the daily commands all read these, so they live apart from each of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError

if TYPE_CHECKING:
    from bot.config import Settings

PLATFORM = "slack"  # what Slack's channels and quizzes are stored under

# What the bot asks for when installed: the slash command and posting; for daily posts, reading its own posts
# back (history), checking it is in the channel (read) and who is an admin (users:read). Posting needs the bot to
# be a channel member (setup checks it), so `chat:write.public` is not asked for.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "files:write",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "users:read",
)


class SlackConfigError(ConfigError):
    """A missing or malformed Slack setting; str(error) is one line the CLI prints instead of a traceback."""


@dataclass(frozen=True, slots=True)
class OAuthConfig:
    """What the OAuth install flow needs when the app is distributed to several workspaces.

    Installations live in the project's database: PostgreSQL at `database_url`, else SQLite in `data_dir`.
    """

    client_id: str
    client_secret: str
    data_dir: Path
    redirect_uri: str | None = None
    database_url: str | None = field(default=None, repr=False)  # may hold a password


def check_token(value: str | None, *, setting: str, prefix: str) -> str:
    """Return the token stripped, or raise SlackConfigError naming the setting and the prefix it needs."""
    token = (value or "").strip()
    if not token:
        raise SlackConfigError(f"{setting} is not set; copy it from your Slack app's settings ({prefix}…).")
    if not token.startswith(prefix) or any(c.isspace() for c in token):
        raise SlackConfigError(f"{setting} must be a token starting with {prefix} (got {token[:5]!r}…).")
    return token


def check_signing_secret(value: str | None) -> str:
    """Return the signing secret, or raise SlackConfigError when it is empty or obviously not one."""
    secret = (value or "").strip()
    if not secret:
        raise SlackConfigError("SLACK_SIGNING_SECRET is not set; copy it from Basic Information > App Credentials.")
    if any(c.isspace() for c in secret):
        raise SlackConfigError("SLACK_SIGNING_SECRET contains spaces; paste it again without them.")
    return secret


def check_command_name(name: str) -> str:
    """Return the slash command as Slack spells it (leading slash, lower case) or raise SlackConfigError."""
    command = "/" + name.strip().lstrip("/").lower()
    if len(command) < 2 or len(command) > 32 or any(c.isspace() for c in command):
        raise SlackConfigError(f"Slack command name {name!r} must be one word of at most 31 characters.")
    return command


def check_oauth(config: OAuthConfig) -> None:
    """Raise SlackConfigError unless both halves of the OAuth client credentials are set."""
    if not config.client_id.strip() or not config.client_secret.strip():
        raise SlackConfigError("Slack OAuth needs both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET.")


def oauth_config(settings: Settings) -> OAuthConfig | None:
    """The OAuth settings when SLACK_CLIENT_ID or SLACK_CLIENT_SECRET is set (installs in the project's database)."""
    if not (settings.slack_client_id or settings.slack_client_secret):
        return None
    return OAuthConfig(
        client_id=settings.slack_client_id or "",
        client_secret=settings.slack_client_secret or "",
        data_dir=settings.data_dir,
        database_url=settings.database_url,
    )
