"""The slack-bolt AsyncApp factory: settings are checked here once, so a bad token is one clear line."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock, Today, today_utc, utc_now
from bot.config import DEFAULT_SLACK_COMMAND
from bot.server_texts import Libraries, ServerTexts
from bot.slack import listeners
from bot.slack.config import (
    BOT_SCOPES,
    OAuthConfig,
    SlackConfigError,
    check_command_name,
    check_oauth,
    check_signing_secret,
    check_token,
)
from bot.slack.daily import SlackDailyCommands
from bot.slack.installations import DatabaseInstallationStore, DatabaseOAuthStateStore
from bot.slack.study import SlackStudy, slack_study
from bot.slack.texts import SlackTexts

if TYPE_CHECKING:
    from bot.core import Library
    from bot.daily.service import DailyService
    from bot.store import Store

NOT_INSTALLED = ":warning: Speechbot is not installed in this workspace; ask an admin to install it again."

log = logging.getLogger("speechbot.slack")


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


def build_app(
    library: Library,
    *,
    bot_token: str | None = None,
    signing_secret: str | None = None,
    command_name: str = DEFAULT_SLACK_COMMAND,
    client_base_url: str | None = None,
    oauth: OAuthConfig | None = None,
    installation_store: AsyncInstallationStore | None = None,
    today: Today = today_utc,
    daily: DailyService | None = None,
    now: Clock = utc_now,
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
