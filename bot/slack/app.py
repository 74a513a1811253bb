"""The slack-bolt AsyncApp factory: settings are checked here once, so a bad token is one clear line."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import DEFAULT_SLACK_COMMAND, ConfigError
from bot.server_texts import Libraries, ServerTexts
from bot.slack import listeners
from bot.slack.installations import DatabaseInstallationStore, DatabaseOAuthStateStore
from bot.slack.study import SlackStudy, slack_study
from bot.slack.texts import SlackTexts

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core import Library
    from bot.daily_service import DailyService
    from bot.store import Store

# What the bot asks for when installed: the slash command and posting; for daily posts, reading its own posts
# back (history), checking it is in the channel (read) and who is an admin (users:read). Posting needs the bot to
# be a channel member (setup checks it), so `chat:write.public` is not asked for. `files:read` downloads the
# .txt/.md file a teacher adds with the message shortcut.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "files:write",
    "files:read",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "users:read",
)

NOT_INSTALLED = ":warning: Speechbot is not installed in this workspace; ask an admin to install it again."

log = logging.getLogger("speechbot.slack")


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


def oauth_settings(
    config: OAuthConfig, store: Store, installation_store: AsyncInstallationStore | None = None
) -> AsyncOAuthSettings:
    """OAuth settings whose installations and one-time states live in the project's database."""
    check_oauth(config)
    return AsyncOAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(BOT_SCOPES),
        redirect_uri=config.redirect_uri,
        installation_store=installation_store or DatabaseInstallationStore(store),
        state_store=DatabaseOAuthStateStore(store, expiration_seconds=600),
    )


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


def utc_now() -> dt.datetime:
    """The real clock for daily setup and `daily now`; tests pass a fixed one."""
    return dt.datetime.now(dt.UTC)


def utc_today() -> dt.date:
    """Today's date in UTC: the default clock for `/speech daily`, replaced by a fixed one in tests."""
    return dt.datetime.now(dt.UTC).date()


def build_app(
    library: Library,
    *,
    bot_token: str | None = None,
    signing_secret: str | None = None,
    command_name: str = DEFAULT_SLACK_COMMAND,
    client_base_url: str | None = None,
    oauth: OAuthConfig | None = None,
    installation_store: AsyncInstallationStore | None = None,
    today: Callable[[], dt.date] = utc_today,
    daily: DailyService | None = None,
    now: Callable[[], dt.datetime] = utc_now,
    store: Store | None = None,
    study: SlackStudy | None = None,
    texts: ServerTexts | None = None,
) -> AsyncApp:
    """A configured AsyncApp: HTTP mode when signing_secret is given, Socket Mode otherwise.

    With `oauth`, installs and OAuth states are kept in `store`, the project's database. With `texts`, each
    workspace reads its own texts too and manages them with the shortcut and `/speech text`.
    """
    command = check_command_name(command_name)
    http_mode = signing_secret is not None
    secret = check_signing_secret(signing_secret) if http_mode else ""
    base_url = client_base_url or AsyncWebClient.BASE_URL
    settings: AsyncOAuthSettings | None = None
    token: str | None = None
    if oauth is not None:
        if not http_mode:
            raise SlackConfigError("Slack OAuth installs need HTTP mode; set SLACK_SIGNING_SECRET.")
        if store is None:
            raise ValueError("Slack OAuth keeps its installs in the project's database: pass store=")
        settings = oauth_settings(oauth, store, installation_store)
    elif installation_store is None:
        token = check_token(bot_token, setting="SLACK_BOT_TOKEN", prefix="xoxb-")
    app = AsyncApp(
        name="speechbot",
        logger=log,
        signing_secret=secret,
        request_verification_enabled=http_mode,
        client=AsyncWebClient(token=token, base_url=base_url, logger=log),
        oauth_settings=settings,
        installation_store=installation_store if settings is None else None,
        before_authorize=skip_slack_retries,
        user_facing_authorize_error_message=NOT_INSTALLED,
    )
    daily_commands = None
    libraries = workspace_libraries(library, texts)
    study = study or slack_study(libraries, daily, command, now)
    if daily is not None:
        from bot.slack.daily import SlackDailyCommands

        daily_commands = SlackDailyCommands(daily, command, now)
    removal = listeners.RemovalListeners(
        store if store is not None else (daily.store if daily is not None else None),
        settings.installation_store if settings is not None else installation_store,
        now,
    )
    listeners.register(
        app,
        libraries,
        command_name=command,
        today=today,
        daily=daily_commands,
        removal=removal,
        study=study,
        texts=SlackTexts(texts, command, now) if texts is not None else None,
    )
    return app


def workspace_libraries(library: Library, texts: ServerTexts | None) -> Libraries:
    """Each workspace's library: the service's when workspaces have texts of their own, else the shared one."""
    return texts.libraries if texts is not None else Libraries(library)


async def skip_slack_retries(
    req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[None]]
) -> BoltResponse:
    """Acknowledge a Slack retry without running it again: the first delivery already answered."""
    attempt = retry_number(req.headers.get("x-slack-retry-num"))
    if attempt > 0:
        log.info("ignoring Slack retry %s (%s)", attempt, (req.headers.get("x-slack-retry-reason") or ["?"])[0])
        return BoltResponse(status=200, body="")
    await next()
    return resp


def retry_number(values: Sequence[str] | None) -> int:
    """Which delivery this is: 0 for the first (Socket Mode sends `retry_attempt: 0`), above 0 for a retry."""
    text = (values or ["0"])[0].strip()
    return int(text) if text.isdigit() else 0
