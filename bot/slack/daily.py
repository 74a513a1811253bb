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
from bot.core.render import DAILY_HEADING, quotation
from bot.core.schedule import local_date_of
from bot.daily.delivery import PermanentDeliveryError, TransientDeliveryError
from bot.daily.service import DailyService, parse_days, parse_mode
from bot.slack import blocks
from bot.slack.config import PLATFORM, check_token, oauth_config
from bot.slack.daily_words import DailySubcommand
from bot.slack.installations import DatabaseInstallationStore
from bot.store import Subscription

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.store import Store

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


SEND_TIMEOUT = 20  # seconds per Web API call, well inside the scheduler's lease and its attempt bound
HISTORY_PAGE = 200  # conversations.history's largest page
HISTORY_PAGES = 25  # at most this many pages (5000 messages) since the first attempt before giving up for now


class SlackDeliverer:
    """Posts the scheduler's passages to Slack, tagged with message metadata so a re-send can find them.

    Slack has no nonce, so chat.postMessage is never resent by the library: every call goes through a
    client without slack-sdk's retry handlers (whose default resends a request whose connection dropped,
    after Slack may have stored the message). A failure goes back to the scheduler, whose next attempt
    looks in the channel's history before it posts again; rate limits are the scheduler's to wait out.
    """

    def __init__(
        self,
        client: AsyncWebClient,
        installation_store: AsyncInstallationStore | None = None,
        *,
        timeout: int = SEND_TIMEOUT,
        history_page: int = HISTORY_PAGE,
        history_pages: int = HISTORY_PAGES,
    ) -> None:
        self.client = client
        self.installation_store = installation_store
        self.timeout = timeout
        self.history_page = history_page
        self.history_pages = history_pages

    async def post(self, subscription: Subscription, passage: Passage, idempotency_key: str) -> str:
        """Post the passage publicly with our metadata; returns the message ts."""
        message = blocks.quotation_message(quotation(passage), heading=DAILY_HEADING)
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

    async def find_existing(self, subscription: Subscription, idempotency_key: str, *, since: datetime) -> str | None:
        """The ts of our post carrying this key among the channel's messages since `since`, else None."""
        cursor: str | None = None
        async with _translated("conversations.history"):
            client = await self._client_for(subscription)
            for _ in range(self.history_pages):
                response = await client.conversations_history(
                    channel=subscription.channel_id,
                    oldest=f"{since.timestamp():.6f}",
                    limit=self.history_page,
                    include_all_metadata=True,
                    cursor=cursor,
                )
                for message in response.get("messages") or []:
                    metadata = message.get("metadata") or {}
                    payload = metadata.get("event_payload") or {}
                    if metadata.get("event_type") == METADATA_EVENT and payload.get("key") == idempotency_key:
                        return str(message["ts"])
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
                if not response.get("has_more") or cursor is None:
                    return None
        # Not read to the end: sending now could make a second post. The scheduler tries again later.
        raise TransientDeliveryError("Slack conversations.history: too many messages to look through")

    async def _client_for(self, subscription: Subscription) -> AsyncWebClient:
        """A client for this workspace's bot token (the single one, or its installation's) without retries."""
        token = self.client.token
        if self.installation_store is not None:
            bot = await self.installation_store.async_find_bot(enterprise_id=None, team_id=subscription.workspace_id)
            if bot is None:
                raise PermanentDeliveryError("the app is no longer installed in this workspace")
            token = bot.bot_token
        return AsyncWebClient(
            token=token,
            base_url=self.client.base_url,
            logger=self.client.logger,
            timeout=self.timeout,
            ssl=self.client.ssl,
            proxy=self.client.proxy,
            session=self.client.session,
            retry_handlers=[],  # never resend a post blindly; see the class docstring
        )


def slack_deliverer(
    settings: Settings, *, client_base_url: str | None = None, store: Store | None = None
) -> SlackDeliverer:
    """The scheduler's Slack deliverer: the bot token's workspace, or every OAuth installation in `store`."""
    base_url = client_base_url or settings.slack_api_url or AsyncWebClient.BASE_URL
    if oauth_config(settings) is not None:
        if store is None:
            raise ValueError("with Slack OAuth the deliverer finds each workspace's token in the database: pass store=")
        return SlackDeliverer(
            AsyncWebClient(base_url=base_url, timeout=SEND_TIMEOUT, retry_handlers=[]), DatabaseInstallationStore(store)
        )
    token = check_token(settings.slack_bot_token, setting="SLACK_BOT_TOKEN", prefix="xoxb-")
    return SlackDeliverer(AsyncWebClient(token=token, base_url=base_url, timeout=SEND_TIMEOUT, retry_handlers=[]))


@contextlib.asynccontextmanager
async def _translated(method: str) -> AsyncIterator[None]:
    """Slack and network errors as the scheduler's permanent or transient delivery errors."""
    try:
        yield
    except SlackApiError as error:
        status, code, retry_after = _error_facts(error)
        label = code or f"HTTP {status}"
        if code in PERMANENT_ERRORS:
            raise PermanentDeliveryError(f"Slack {method}: {code}") from error
        raise TransientDeliveryError(f"Slack {method}: {label}", retry_after) from error
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        raise TransientDeliveryError(f"Slack {method}: {type(error).__name__}") from error


def _error_facts(error: SlackApiError) -> tuple[int | None, str | None, float | None]:
    """Status, Slack error code and Retry-After of a failed call, whatever the body was (a proxy's HTML too).

    slack-sdk hands over its own response with a dict, a str or bytes as data, or, when a body claiming to
    be JSON would not parse, aiohttp's raw response; none of them may break the error handling.
    """
    response = error.response
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    data = getattr(response, "data", None)
    code = data.get("error") if isinstance(data, dict) else None
    headers = getattr(response, "headers", None) or {}
    retry_after: float | None = None
    with contextlib.suppress(TypeError, ValueError):
        raw = headers.get("Retry-After")
        retry_after = float(raw) if raw is not None else None  # an HTTP-date is ignored: our backoff applies
    return (int(status) if isinstance(status, int) else None), (str(code) if code else None), retry_after


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
