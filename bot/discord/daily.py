"""Daily passages on Discord: the scheduler's Deliverer and the /daily-* commands for server managers."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, Literal, TypeVar

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.core import Passage, UserError
from bot.core import commands as core
from bot.core.render import DAILY_HEADING, quotation
from bot.core.zones import timezone_suggestions
from bot.daily.delivery import PermanentDeliveryError, TransientDeliveryError
from bot.daily.service import DailyService
from bot.discord import embeds
from bot.discord.commands import document_choices
from bot.discord.replies import NO_MENTIONS, PLATFORM, Bot, Interaction, answer, say_privately, send, server_library
from bot.store import Subscription

log = logging.getLogger(__name__)

HEADING = DAILY_HEADING
# The "Read in context" button of a daily post: where to read, the post's idempotency key and, when the
# passage needs several messages, which part of how many this message is.
DAILY_ID = re.compile(r"sb:day:(?P<doc>[\w.-]+):(?P<para>\d+):(?P<key>[\w-]+)(?::(?P<part>\d+)/(?P<parts>\d+))?")
LOOKUP_LIMIT = 5000  # messages read since the first attempt before the look gives up for now
# Discord error codes after which posting cannot work until someone changes the server.
PERMANENT_CODES = {
    10003: "the channel was deleted",
    50001: "the bot cannot see the channel",
    50013: "the bot lacks permission to post in the channel (Send Messages, Embed Links)",
    10004: "the bot was removed from the server",
}


class DiscordDeliverer:
    """Posts the scheduler's passages through the running bot, tagged so a re-send finds them.

    Each message of a post carries the idempotency key as its `nonce` (with `enforce_nonce`, so Discord
    itself drops a duplicate sent within minutes) and in the custom_id of its "Read in context" button,
    with its part number when a passage needs several messages; `find_existing` reads the channel from
    the day's first attempt onwards for those. A post cut short is finished, not sent again: the parts
    found are remembered and `post` sends only the ones missing.
    """

    def __init__(self, client: discord.Client | None = None, *, lookup_limit: int = LOOKUP_LIMIT) -> None:
        self.client = client
        self.lookup_limit = lookup_limit
        self._found_parts: dict[str, dict[int, str]] = {}

    @property
    def ready(self) -> bool:
        """The scheduler holds posts until the bot has logged in (it attaches itself in setup_hook)."""
        return self.client is not None and not self.client.is_closed()

    def attach(self, client: discord.Client) -> None:
        """Use this bot from now on (the scheduler may be built before the bot is)."""
        self.client = client

    def _channel(self, subscription: Subscription) -> discord.PartialMessageable:
        if self.client is None or self.client.is_closed():
            raise TransientDeliveryError("Discord is not connected")
        return self.client.get_partial_messageable(
            int(subscription.channel_id), guild_id=int(subscription.workspace_id)
        )

    async def post(self, subscription: Subscription, passage: Passage, idempotency_key: str) -> str:
        """Post the passage publicly, every part of it, pinging only the subscription's role; returns the first id."""
        channel = self._channel(subscription)
        found = embeds.quotation_embeds(quotation(passage))
        found[0].set_author(name=HEADING)
        parts = embeds.batches(found)
        already = self._found_parts.pop(idempotency_key, {})
        # The @everyone role shares the server's id; a daily post must never ping the whole server.
        role = subscription.role_id if subscription.role_id != subscription.workspace_id else None
        mentions = (
            discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(int(role))])
            if role
            else NO_MENTIONS
        )
        ids: list[str] = []
        for number, batch in enumerate(parts, 1):
            if number in already:
                ids.append(already[number])
                continue
            view = discord.ui.View(timeout=None)
            view.add_item(
                DailyContext(passage.document.id, passage.first_paragraph, idempotency_key, number, len(parts))
            )
            first = number == 1
            async with _translated("send"):
                message = await channel.send(
                    content=f"<@&{role}>" if role and first else None,
                    embeds=batch,
                    view=view,
                    nonce=part_nonce(idempotency_key, number),
                    allowed_mentions=mentions if first else NO_MENTIONS,
                )
            ids.append(str(message.id))
        return ids[0]

    async def find_existing(self, subscription: Subscription, idempotency_key: str, *, since: datetime) -> str | None:
        """Our complete post carrying this key among the channel's messages since `since`, else None."""
        self._found_parts.pop(idempotency_key, None)
        channel = self._channel(subscription)
        me = self.client.user if self.client is not None else None
        parts: dict[int, str] = {}
        total = 0
        seen = 0
        async with _translated("history"):
            async for message in channel.history(limit=self.lookup_limit + 1, after=since, oldest_first=True):
                seen += 1
                if seen > self.lookup_limit:
                    # Not read to the end: sending now could make a second post. The scheduler tries later.
                    raise TransientDeliveryError("Discord history: too many messages to look through")
                if me is not None and message.author.id != me.id:
                    continue
                for custom_id in _custom_ids(message):
                    match = DAILY_ID.fullmatch(custom_id)
                    if match is not None and match["key"] == idempotency_key:
                        parts.setdefault(int(match["part"] or 1), str(message.id))
                        total = int(match["parts"] or 1)
                if total and len(parts) >= total and 1 in parts:
                    return parts[1]
        if parts:
            self._found_parts[idempotency_key] = parts  # `post` sends only what is missing
        return None


def part_nonce(idempotency_key: str, number: int) -> str:
    """The nonce of one message of a post: the key itself for the first (as before parts), then `key.n`."""
    return idempotency_key if number == 1 else f"{idempotency_key}.{number}"


def _custom_ids(message: discord.Message) -> list[str]:
    """Every custom_id on a message's buttons."""
    ids = []
    for row in message.components:
        for child in getattr(row, "children", []):
            custom_id = getattr(child, "custom_id", None)
            if custom_id:
                ids.append(custom_id)
    return ids


@contextlib.asynccontextmanager
async def _translated(action: str) -> AsyncIterator[None]:
    """Discord and network errors as the scheduler's permanent or transient delivery errors."""
    try:
        yield
    except discord.HTTPException as error:
        if error.code in PERMANENT_CODES:
            raise PermanentDeliveryError(PERMANENT_CODES[error.code]) from error
        if isinstance(error, discord.NotFound | discord.Forbidden):
            raise PermanentDeliveryError(f"Discord {action}: HTTP {error.status} ({error.code})") from error
        raise TransientDeliveryError(f"Discord {action}: HTTP {error.status}") from error
    except discord.RateLimited as error:  # longer than discord.py is willing to wait by itself
        raise TransientDeliveryError(f"Discord {action}: rate limited", error.retry_after) from error
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        raise TransientDeliveryError(f"Discord {action}: {type(error).__name__}") from error


class DailyContext(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=DAILY_ID,
):
    """The "Read in context" button under a daily post; its custom_id also carries the idempotency key."""

    def __init__(self, document: str, paragraph: int, key: str, part: int = 1, parts: int = 1) -> None:
        self.document, self.paragraph = document, paragraph
        suffix = f":{part}/{parts}" if parts > 1 else ""
        button: discord.ui.Button[Any] = discord.ui.Button(
            label="Read in context",
            style=discord.ButtonStyle.secondary,
            custom_id=f"sb:day:{document}:{paragraph}:{key}{suffix}",
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> DailyContext:
        """Rebuild the button from a press, also after a restart."""
        return cls(match["doc"], int(match["para"]), match["key"], int(match["part"] or 1), int(match["parts"] or 1))

    async def callback(self, interaction: Interaction) -> None:
        """Show the passage's paragraph with its neighbours to the reader only."""
        try:
            reply = core.context(await server_library(interaction), str(self.paragraph), document=self.document)
        except UserError as problem:
            await say_privately(interaction, problem.message)
            return
        await answer(interaction, reply, private=True)


# -- commands ----------------------------------------------------------------------------------------------


async def zone_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Time zones for what was typed: "berl" -> Europe/Berlin."""
    return [app_commands.Choice(name=zone, value=zone) for zone in timezone_suggestions(current, limit=25)]


def _where(interaction: Interaction, channel: discord.abc.GuildChannel | discord.Thread | None) -> dict[str, str]:
    """The service's address for a channel: platform, server and channel ids."""
    if interaction.guild_id is None:
        raise UserError("Daily passages are set up in a server channel.")
    target = channel.id if channel is not None else interaction.channel_id
    return {"platform": PLATFORM, "workspace_id": str(interaction.guild_id), "channel_id": str(target)}


CHANNEL_HELP = "The channel (this one when left out)"

T = TypeVar("T")


def for_managers(command: T) -> T:
    """Server channels of servers that installed the bot, Manage Server by default (servers may adjust)."""
    decorators = (
        app_commands.default_permissions(manage_guild=True),
        app_commands.allowed_installs(guilds=True, users=False),
        app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False),
    )
    for decorate in decorators:
        command = decorate(command)
    return command


class DailyCommands(commands.Cog):
    """Posting one passage a day in a channel: set up, stop, status, preview, post now (Manage Server)."""

    def __init__(self, service: DailyService) -> None:
        self.service = service

    @for_managers
    @app_commands.command(name="daily-setup")
    @app_commands.describe(
        channel="Where to post",
        time="Local time, e.g. 08:30 or 8:30am",
        timezone="Time zone or city, e.g. Europe/Berlin or berlin",
        mode="shuffle: no repeats, own order; sequential: read the text in order",
        days="Every day, or Monday to Friday",
        role="A role to mention with each post (only this role is pinged)",
        document="Which text (leave out when only one is loaded)",
    )
    @app_commands.autocomplete(timezone=zone_choices, document=document_choices)
    async def daily_setup(
        self,
        interaction: Interaction,
        channel: discord.TextChannel | discord.Thread,
        time: app_commands.Range[str, 1, 20],
        timezone: app_commands.Range[str, 1, 60],
        mode: Literal["shuffle", "sequential"] = "shuffle",
        days: Literal["daily", "weekdays"] = "daily",
        role: discord.Role | None = None,
        document: str | None = None,
    ) -> None:
        """Post one passage a day in a channel at a local time."""
        if role is not None and role.is_default():
            raise UserError("The daily post cannot mention @everyone; pick a role such as your class, or leave it out.")
        result = await self.service.setup(
            **_where(interaction, channel),
            time_text=time,
            zone_text=timezone,
            set_up_by=str(interaction.user.id),
            now=interaction.created_at,
            mode=mode,
            days=days,
            role_id=str(role.id) if role is not None else None,
            document_id=document,
        )
        await say_privately(interaction, result.message)

    @for_managers
    @app_commands.command(name="daily-stop")
    @app_commands.describe(channel=CHANNEL_HELP)
    async def daily_stop(
        self, interaction: Interaction, channel: discord.TextChannel | discord.Thread | None = None
    ) -> None:
        """Stop the daily passage in a channel."""
        result = await self.service.stop(**_where(interaction, channel))
        await say_privately(interaction, result.message)

    @for_managers
    @app_commands.command(name="daily-status")
    @app_commands.describe(channel=CHANNEL_HELP)
    async def daily_status(
        self, interaction: Interaction, channel: discord.TextChannel | discord.Thread | None = None
    ) -> None:
        """When the next daily passage comes, what came last, and any delivery problem."""
        result = await self.service.status(**_where(interaction, channel))
        await say_privately(interaction, result.message)

    @for_managers
    @app_commands.command(name="daily-preview")
    @app_commands.describe(channel=CHANNEL_HELP)
    async def daily_preview(
        self, interaction: Interaction, channel: discord.TextChannel | discord.Thread | None = None
    ) -> None:
        """The passage the next daily post will carry, shown only to you."""
        result = await self.service.preview(**_where(interaction, channel))
        found = embeds.quotation_embeds(quotation(result.passage)) if result.passage is not None else []
        if not found:
            await say_privately(interaction, result.message)
            return
        found[0].set_author(name=embeds.clip(result.message, 256))
        await send(interaction, found, ephemeral=True)

    @for_managers
    @app_commands.command(name="daily-post-now")
    @app_commands.describe(channel=CHANNEL_HELP)
    async def daily_post_now(
        self, interaction: Interaction, channel: discord.TextChannel | discord.Thread | None = None
    ) -> None:
        """Post today's passage now instead of at the set time (still once a day)."""
        where = _where(interaction, channel)
        await interaction.response.defer(ephemeral=True, thinking=True)  # posting can take a moment
        result = await self.service.post_now(**where, now=interaction.created_at)
        await interaction.followup.send(result.message, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def register_daily(bot: Bot, service: DailyService) -> None:
    """Add the /daily-* commands and the "Read in context" button of daily posts."""
    await bot.add_cog(DailyCommands(service))
    deliverers = service.scheduler.deliverers if service.scheduler is not None else {}
    deliverer = deliverers.get(PLATFORM)
    if isinstance(deliverer, DiscordDeliverer):
        deliverer.attach(bot)
