"""Daily passages on Slack: the scheduler's Deliverer, and `/speech daily setup|stop|status|preview|now`."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import Passage, UserError
from bot.core.render import quotation
from bot.core.schedule import local_date_of
from bot.daily_service import DailyService, parse_days, parse_mode
from bot.scheduler import PermanentDeliveryError, TransientDeliveryError
from bot.slack import blocks
from bot.slack.app import check_token, oauth_config
from bot.slack.daily_words import DailySubcommand
from bot.slack.installations import DatabaseInstallationStore
from bot.store import Subscription

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.store import Store

PLATFORM = "slack"
METADATA_EVENT = "speechbot_daily_passage"
MANAGING = frozenset({"setup", "stop", "now"})
# Errors after which posting again cannot work until someone changes something in Slack.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "missing_scope",
        "restricted_action",
        "team_access_not_granted",
        "no_permission",
    }
)
_DOCUMENT_OPTION = re.compile(r"^in:(\S+)$", re.IGNORECASE)


class SlackDeliverer:
    """Posts the scheduler's passages to Slack, tagged with message metadata so a re-send can find them."""

    def __init__(
        self,
        client: AsyncWebClient,
        installation_store: AsyncInstallationStore | None = None,
        *,
        history_limit: int = 100,
    ) -> None:
        self.client = client
        self.installation_store = installation_store
        self.history_limit = history_limit

    async def post(self, subscription: Subscription, passage: Passage, idempotency_key: str) -> str:
        """Post the passage publicly with our metadata; returns the message ts."""
        message = blocks.quotation_message(quotation(passage), heading="Passage of the day")
        metadata = {"event_type": METADATA_EVENT, "event_payload": {"key": idempotency_key, "ref": passage.ref}}
        async with _translated("chat.postMessage"):
            client = await self._client_for(subscription)
            response = await client.chat_postMessage(
                channel=subscription.channel_id,
                text=message.text,
                blocks=message.blocks,
                metadata=metadata,
                unfurl_links=False,
            )
        return str(response["ts"])

    async def find_existing(self, subscription: Subscription, idempotency_key: str) -> str | None:
        """The ts of our post carrying this key among the channel's recent messages, else None."""
        async with _translated("conversations.history"):
            client = await self._client_for(subscription)
            response = await client.conversations_history(
                channel=subscription.channel_id, limit=self.history_limit, include_all_metadata=True
            )
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == METADATA_EVENT and payload.get("key") == idempotency_key:
                return str(message["ts"])
        return None

    async def _client_for(self, subscription: Subscription) -> AsyncWebClient:
        """The single workspace's client, or one with the bot token of the installation for this workspace."""
        if self.installation_store is None:
            return self.client
        bot = await self.installation_store.async_find_bot(enterprise_id=None, team_id=subscription.workspace_id)
        if bot is None:
            raise PermanentDeliveryError("the app is no longer installed in this workspace")
        return AsyncWebClient(token=bot.bot_token, base_url=self.client.base_url, logger=self.client.logger)


def slack_deliverer(
    settings: Settings, *, client_base_url: str | None = None, store: Store | None = None
) -> SlackDeliverer:
    """The scheduler's Slack deliverer: the bot token's workspace, or every OAuth installation in `store`."""
    base_url = client_base_url or settings.slack_api_url or AsyncWebClient.BASE_URL
    if oauth_config(settings) is not None:
        if store is None:
            raise ValueError("with Slack OAuth the deliverer finds each workspace's token in the database: pass store=")
        return SlackDeliverer(AsyncWebClient(base_url=base_url), DatabaseInstallationStore(store))
    token = check_token(settings.slack_bot_token, setting="SLACK_BOT_TOKEN", prefix="xoxb-")
    return SlackDeliverer(AsyncWebClient(token=token, base_url=base_url))


@contextlib.asynccontextmanager
async def _translated(method: str) -> AsyncIterator[None]:
    """Slack and network errors as the scheduler's permanent or transient delivery errors."""
    try:
        yield
    except SlackApiError as error:
        code = str(error.response.get("error") or f"HTTP {error.response.status_code}")
        if code in PERMANENT_ERRORS:
            raise PermanentDeliveryError(f"Slack {method}: {code}") from error
        retry_after = error.response.headers.get("Retry-After") if error.response.status_code == 429 else None
        raise TransientDeliveryError(f"Slack {method}: {code}", float(retry_after) if retry_after else None) from error
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        raise TransientDeliveryError(f"Slack {method}: {type(error).__name__}") from error


@dataclass(frozen=True, slots=True)
class SetupRequest:
    """`daily setup 08:30 Europe/Berlin sequential weekdays in:doc` split into the service's arguments."""

    time_text: str
    zone_text: str
    mode: str | None = None
    days: str | None = None
    document_id: str | None = None


def parse_setup(words: list[str], command: str) -> SetupRequest:
    """Read setup's words: a time (`8 am` may be two words), a zone, then optional mode, days and `in:<id>`."""
    usage = f"Try `{command} daily setup 08:30 Europe/Berlin`, optionally with `sequential` and `weekdays`."
    if not words:
        raise UserError(usage)
    time_words = [words[0]]
    rest = words[1:]
    if rest and rest[0].lower() in ("am", "pm", "a.m.", "p.m."):
        time_words.append(rest.pop(0))
    mode = days = document_id = None
    zone: list[str] = []
    for word in rest:
        option = _DOCUMENT_OPTION.match(word)
        if option:
            document_id = option.group(1)
        elif _is_option(parse_mode, word):
            mode = word
        elif _is_option(parse_days, word):
            days = word
        else:
            zone.append(word)
    if not zone:
        raise UserError(f"Which time zone? {usage}")
    return SetupRequest(" ".join(time_words), " ".join(zone), mode, days, document_id)


def _is_option(parse: Callable[[str], Any], word: str) -> bool:
    try:
        parse(word)
    except UserError:
        return False
    return True


@dataclass
class SlackDailyCommands:
    """`/speech daily <subcommand>`: Slack's permission check and wording around the shared DailyService."""

    service: DailyService
    command_name: str
    now: Callable[[], datetime]

    async def today(self, command: dict[str, Any]) -> date | None:
        """Today in the zone of the channel's own daily post, so `daily` shows what the channel sees; else None."""
        found = await self.service.subscription(PLATFORM, command.get("team_id", ""), command.get("channel_id", ""))
        if found is None or not found.active:
            return None
        return local_date_of(self.now(), found.timezone)

    async def run(
        self, subcommand: DailySubcommand, command: dict[str, Any], client: AsyncWebClient
    ) -> blocks.SlackMessage:
        """Run one daily subcommand for the channel the command came from; the reply is for the asker only."""
        name, args = subcommand.name, subcommand.args
        team, channel, user = command.get("team_id", ""), command.get("channel_id", ""), command.get("user_id", "")
        where = {"platform": PLATFORM, "workspace_id": team, "channel_id": channel}
        try:
            if name in MANAGING and not await self._may_manage(client, team, channel, user):
                raise UserError("Only the person who set up this channel's daily passage, or an admin, can change it.")
            match name:
                case "setup":
                    request = parse_setup(args, self.command_name)
                    await _require_membership(client, channel, self.command_name)
                    result = await self.service.setup(
                        **where,
                        time_text=request.time_text,
                        zone_text=request.zone_text,
                        set_up_by=user,
                        now=self.now(),
                        mode=request.mode,
                        days=request.days,
                        document_id=request.document_id,
                    )
                case "stop":
                    result = await self.service.stop(**where)
                case "status":
                    result = await self.service.status(**where)
                case "preview":
                    result = await self.service.preview(**where)
                    if result.passage is not None:
                        return blocks.quotation_message(quotation(result.passage), heading=result.message, public=False)
                case _:
                    result = await self.service.post_now(**where, now=self.now())
        except UserError as problem:
            return blocks.error_message(problem.message)
        return blocks.SlackMessage(text=blocks.escape(result.message), blocks=blocks.text_sections(result.message))

    async def _may_manage(self, client: AsyncWebClient, team: str, channel: str, user: str) -> bool:
        """Anyone may start a channel's daily passage; changing someone else's needs a workspace admin."""
        current = await self.service.subscription(PLATFORM, team, channel)
        if current is None or not current.active or current.set_up_by == user:
            return True
        try:
            info = await client.users_info(user=user)
        except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError) as error:
            raise UserError(
                "I could not check whether you are a workspace admin just now; please try again in a moment."
            ) from error
        person = info.get("user") or {}
        return bool(person.get("is_admin") or person.get("is_owner"))


async def _require_membership(client: AsyncWebClient, channel: str, command: str) -> None:
    """The bot must be in the channel to read back its own posts (the exactly-once check)."""
    try:
        info = await client.conversations_info(channel=channel)
    except SlackApiError as error:
        raise UserError(
            f"I cannot see this channel ({error.response.get('error')}); invite me with `/invite @speechbot`."
        ) from error
    if not (info.get("channel") or {}).get("is_member"):
        raise UserError(f"Invite me to this channel first (`/invite @speechbot`), then run `{command} daily setup`.")
