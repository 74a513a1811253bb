"""slack-sdk's installation and OAuth state stores on our database, through its small SlackInstallations interface."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.clock import Clock, utc_now
from bot.store import SlackInstallation
from bot.store.base import SlackInstallations

log = logging.getLogger("speechbot.slack")


def _moment(timestamp: float | None) -> datetime | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, UTC)


def _team(team_id: str | None, is_enterprise_install: bool | None) -> str | None:
    """An org-wide install belongs to the org, whichever of its workspaces the request came from."""
    return None if is_enterprise_install else team_id


class DatabaseInstallationStore(AsyncInstallationStore):
    """Bot installations in the project's database: one per workspace, or per org for org-wide installs.

    The app asks for bot scopes only, so no user tokens are kept; the installer's id is.
    """

    def __init__(self, store: SlackInstallations) -> None:
        self.store = store

    @property
    def logger(self) -> logging.Logger:
        """The logger slack-bolt uses for this store."""
        return log

    async def async_save(self, installation: Installation) -> None:
        """Keep the bot part of a finished OAuth install (or of a token rotation)."""
        if not installation.bot_token:
            raise ValueError("a Slack installation without a bot token cannot be kept (the app needs bot scopes)")
        record = _record(
            installation.to_bot(),
            enterprise_url=installation.enterprise_url,
            installed_by=installation.user_id or None,
        )
        await self.store.save_slack_installation.aio(record)

    async def async_save_bot(self, bot: Bot) -> None:
        """Keep a bot installation; the installer already on record stays."""
        await self.store.save_slack_installation.aio(_record(bot))

    async def _find(self, enterprise_id: str | None, team_id: str | None) -> SlackInstallation | None:
        return await self.store.slack_installation.aio(team_id=team_id, enterprise_id=enterprise_id)

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        """The bot token and scopes for the workspace (or org) a request or a daily post is for."""
        found = await self._find(enterprise_id, _team(team_id, is_enterprise_install))
        if found is None:
            return None
        return Bot(
            app_id=found.app_id,
            enterprise_id=found.enterprise_id,
            enterprise_name=found.enterprise_name,
            team_id=found.team_id,
            team_name=found.team_name,
            bot_token=found.bot_token,
            bot_id=found.bot_id or "",
            bot_user_id=found.bot_user_id or "",
            bot_scopes=list(found.bot_scopes),
            bot_refresh_token=found.bot_refresh_token,
            bot_token_expires_at=found.bot_token_expires_at,
            is_enterprise_install=found.is_enterprise_install,
            installed_at=found.installed_at.timestamp(),
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The workspace's installation; asked for one user's, only the installer has one (without user token)."""
        found = await self._find(enterprise_id, _team(team_id, is_enterprise_install))
        if found is None or (user_id is not None and user_id != found.installed_by):
            return None
        return Installation(
            app_id=found.app_id,
            enterprise_id=found.enterprise_id,
            enterprise_name=found.enterprise_name,
            enterprise_url=found.enterprise_url,
            team_id=found.team_id,
            team_name=found.team_name,
            bot_token=found.bot_token,
            bot_id=found.bot_id,
            bot_user_id=found.bot_user_id,
            bot_scopes=list(found.bot_scopes),
            bot_refresh_token=found.bot_refresh_token,
            bot_token_expires_at=found.bot_token_expires_at,
            user_id=found.installed_by or "",
            is_enterprise_install=found.is_enterprise_install,
            token_type="bot",  # noqa: S106 - the kind of token, not a secret
            installed_at=found.installed_at.timestamp(),
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget the workspace's bot token (the app was uninstalled or its tokens revoked)."""
        await self.store.delete_slack_installation.aio(team_id=team_id, enterprise_id=enterprise_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget the workspace's installation; one user's revoked token changes nothing, none is kept."""
        if user_id is None:
            await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget everything about the workspace (or org)."""
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)


class DatabaseOAuthStateStore(AsyncOAuthStateStore):
    """One-time OAuth `state` values in the project's database, so any process sharing it can finish an install."""

    def __init__(self, store: SlackInstallations, *, expiration_seconds: int = 600, now: Clock = utc_now) -> None:
        self.store = store
        self.expiration = timedelta(seconds=expiration_seconds)
        self.now = now

    @property
    def logger(self) -> logging.Logger:
        """The logger slack-bolt uses for this store."""
        return log

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        """A new unguessable state for an install link, valid for `expiration_seconds`."""
        state = secrets.token_urlsafe(24)
        now = self.now()
        await self.store.issue_oauth_state.aio(state, now=now, expires_at=now + self.expiration)
        return state

    async def async_consume(self, state: str) -> bool:
        """True once for a state we issued that has not expired; a forged or replayed one is False."""
        return await self.store.consume_oauth_state.aio(state, now=self.now())


def _record(bot: Bot, *, enterprise_url: str | None = None, installed_by: str | None = None) -> SlackInstallation:
    """Our row for slack-sdk's bot installation; only an OAuth install knows the org URL and the installer."""
    return SlackInstallation(
        team_id=bot.team_id,
        enterprise_id=bot.enterprise_id,
        bot_token=bot.bot_token,
        installed_at=datetime.fromtimestamp(bot.installed_at, UTC),
        is_enterprise_install=bool(bot.is_enterprise_install),
        app_id=bot.app_id,
        enterprise_name=bot.enterprise_name,
        enterprise_url=enterprise_url,
        team_name=bot.team_name,
        bot_id=bot.bot_id,
        bot_user_id=bot.bot_user_id,
        bot_scopes=tuple(bot.bot_scopes or ()),
        bot_refresh_token=bot.bot_refresh_token,
        bot_token_expires_at=_moment(bot.bot_token_expires_at),
        installed_by=installed_by,
    )
