"""The Discord bot object, start-up, command-tree syncing by hash, and the invite URL."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.config import ConfigError, Settings
from bot.core.library import Library
from bot.discord.commands import register
from bot.discord.daily import DailyContext, register_daily
from bot.discord.replies import reply_error
from bot.discord.study import register_study
from bot.discord.texts import register_texts
from bot.server_texts import Libraries, ServerTexts

if TYPE_CHECKING:
    from bot.daily.service import DailyService

log = logging.getLogger(__name__)

HASH_FILE = "discord-commands.json"
IDENTIFY_WINDOW = 5.0  # seconds between two IDENTIFYs in one max_concurrency bucket

# Only what daily posts need (interaction replies need no permission at all): see and post in the channel
# and its threads, show embeds, and read recent history to find an earlier post before re-sending one.
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    read_message_history=True,
)

EVERYWHERE = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)
ANY_INSTALL = app_commands.AppInstallationType(guild=True, user=True)


class DiscordStartError(ConfigError):
    """Start-up failed for a reason the user can fix (bad token, missing intent); the message is one line."""


# discord.py's aiohttp session keeps aiohttp's default of 300 s per request, the daily claim's whole lease;
# every REST call gets this bound instead (discord.py passes the keyword through to aiohttp).
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30, sock_connect=10)


def bound_request_time(http: discord.http.HTTPClient, timeout: aiohttp.ClientTimeout = REQUEST_TIMEOUT) -> None:
    """Give every REST request of this client an explicit timeout, well below the daily post's lease."""
    request = http.request

    async def timed(route: discord.http.Route, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", timeout)
        return await request(route, **kwargs)

    http.request = timed  # type: ignore[method-assign]


class SpeechTree(app_commands.CommandTree[Any]):
    """The command tree: answers a UserError with its message, privately, and logs anything else."""

    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        """Turn bad input into an ephemeral hint; never leave the user without an answer."""
        await reply_error(interaction, error)


def _options(guild_ready_timeout: float) -> dict[str, Any]:
    """Constructor arguments shared by the plain and the sharded bot."""
    return {
        "command_prefix": commands.when_mentioned,
        "help_command": None,
        "intents": discord.Intents(guilds=True),
        "allowed_mentions": discord.AllowedMentions.none(),
        "tree_cls": SpeechTree,
        "allowed_contexts": EVERYWHERE,
        "allowed_installs": ANY_INSTALL,
        "guild_ready_timeout": guild_ready_timeout,
        "chunk_guilds_at_startup": False,
        "member_cache_flags": discord.MemberCacheFlags.none(),
        "max_messages": None,
    }


class _SpeechParts:
    """What both bot classes are built with, once, in the entry point: the texts, the data folder, daily posts.

    A mixin before discord.py's bot class, so the plain and the sharded bot share one constructor.
    """

    def __init__(
        self,
        library: Library,
        *,
        data_dir: Path,
        sync_on_start: bool = True,
        daily: DailyService | None = None,
        texts: ServerTexts | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        bound_request_time(cast(commands.Bot, self).http)
        self.library = library
        self.libraries = texts.libraries if texts is not None else Libraries(library)  # each server's library
        self.server_texts = texts
        self.data_dir = data_dir
        self.sync_on_start = sync_on_start
        self.daily = daily

    async def setup_hook(self) -> None:
        """Register commands and persistent buttons, then sync the tree only if it changed."""
        await prepare(cast(AnyBot, self))


class SpeechBot(_SpeechParts, commands.Bot):
    """One process, one gateway connection: enough for a class or a few thousand servers."""


class ShardedSpeechBot(_SpeechParts, commands.AutoShardedBot):
    """Several shards in one process; several processes split them with shard_ids/shard_count."""

    def __init__(self, library: Library, **options: Any) -> None:
        super().__init__(library, **options)
        self._max_concurrency: int | None = None
        self._identify_locks: dict[int, asyncio.Lock] = {}
        self._last_identify: dict[int, float] = {}

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Identify as fast as Discord allows: one shard per 5 s in each of `max_concurrency` buckets."""
        if self._max_concurrency is None:
            try:
                limits = await self.fetch_session_start_limits()
                self._max_concurrency = max(limits.max_concurrency, 1)
            except (discord.HTTPException, discord.GatewayNotFound):
                self._max_concurrency = 1
        bucket = (shard_id or 0) % self._max_concurrency
        loop = asyncio.get_running_loop()
        async with self._identify_locks.setdefault(bucket, asyncio.Lock()):
            last = self._last_identify.get(bucket)
            if last is not None and (wait := last + IDENTIFY_WINDOW - loop.time()) > 0:
                await asyncio.sleep(wait)
            self._last_identify[bucket] = loop.time()


AnyBot = SpeechBot | ShardedSpeechBot


async def prepare(bot: AnyBot) -> None:
    """Add the commands and the restart-proof buttons; sync commands when their payload changed."""
    await register(bot)
    await register_study(bot, bot.libraries, bot.daily.store if bot.daily is not None else None)
    if bot.server_texts is not None:
        await register_texts(bot, bot.server_texts)
    bot.add_dynamic_items(DailyContext)  # buttons on earlier daily posts work even with posting switched off
    if bot.daily is not None:
        await register_daily(bot, bot.daily)
    if bot.sync_on_start:
        try:
            await sync_if_changed(bot.tree, bot.data_dir)
            await clear_test_copies(bot.tree, bot.data_dir)
        except discord.HTTPException as problem:
            # The commands Discord already has keep working; the hash is not saved, so the next start retries.
            log.error("Could not sync Discord commands (HTTP %s); run `speechbot discord sync`", problem.status)


def build_bot(
    library: Library,
    *,
    data_dir: Path,
    shard_ids: list[int] | None = None,
    shard_count: int | None = None,
    auto_shard: bool = False,
    sync_on_start: bool = True,
    daily: DailyService | None = None,
    texts: ServerTexts | None = None,
    guild_ready_timeout: float = 2.0,
) -> AnyBot:
    """A bot for this library: sharded when shards are given or asked for, else one connection."""
    options = _options(guild_ready_timeout)
    if shard_count is not None or shard_ids is not None or auto_shard:
        if shard_ids is not None and shard_count is None:
            raise DiscordStartError("--shard-ids needs --shard-count as well.")
        return ShardedSpeechBot(
            library,
            data_dir=data_dir,
            sync_on_start=sync_on_start,
            daily=daily,
            texts=texts,
            shard_ids=shard_ids,
            shard_count=shard_count,
            **options,
        )
    return SpeechBot(library, data_dir=data_dir, sync_on_start=sync_on_start, daily=daily, texts=texts, **options)


# -- command-tree hashing ----------------------------------------------------------------------------------


def tree_payload(tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None = None) -> list[Any]:
    """What `tree.sync()` would upload, in a stable order, so it can be hashed."""
    commands_ = tree.get_commands(guild=guild)
    payload = [command.to_dict(tree) for command in commands_]
    return sorted(payload, key=lambda c: (c.get("type", 1), c["name"]))


def tree_hash(tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None = None) -> str:
    """A fingerprint of the command payload: equal hashes mean Discord already has these commands."""
    text = json.dumps(tree_payload(tree, guild), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _hash_key(tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None) -> str:
    scope = f"guild/{guild.id}" if guild is not None else "global"
    return f"{tree.client.application_id}/{scope}"


def _read_hashes(data_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((data_dir / HASH_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_hash(data_dir: Path, key: str, value: str | None) -> None:
    """Remember (or, with None, forget) what one scope was last synced with."""
    hashes = _read_hashes(data_dir)
    if value is None:
        if key not in hashes:
            return
        del hashes[key]
    else:
        hashes[key] = value
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / (HASH_FILE + ".tmp")
    tmp.write_text(json.dumps(hashes, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(data_dir / HASH_FILE)


async def sync_if_changed(
    tree: app_commands.CommandTree[Any],
    data_dir: Path,
    *,
    guild: discord.abc.Snowflake | None = None,
    force: bool = False,
) -> bool:
    """Upload the commands only when their hash differs from the last upload (Discord rate-limits syncs)."""
    key, current = _hash_key(tree, guild), tree_hash(tree, guild)
    if not force and _read_hashes(data_dir).get(key) == current:
        log.info("Discord commands unchanged (%s); not syncing", key)
        return False
    synced = await tree.sync(guild=guild)
    _write_hash(data_dir, key, current)
    log.info("Synced %d Discord commands (%s)", len(synced), key)
    return True


async def clear_guild_copies(tree: app_commands.CommandTree[Any], data_dir: Path, guild: discord.abc.Snowflake) -> None:
    """Remove every command this application has in one server (its test copies); global commands stay."""
    tree.clear_commands(guild=guild)
    await tree.sync(guild=guild)
    _write_hash(data_dir, _hash_key(tree, guild), None)
    log.info("Removed the server copies of the Discord commands (guild %s)", guild.id)


async def clear_test_copies(tree: app_commands.CommandTree[Any], data_dir: Path) -> int:
    """Remove the server copies `discord sync --guild` made with this data folder, so each command shows once.

    `run` publishes the commands globally; a server that also holds copies would list every command twice.
    Returns how many servers were cleaned up.
    """
    prefix = f"{tree.client.application_id}/guild/"
    cleared = 0
    for key in sorted(k for k in _read_hashes(data_dir) if k.startswith(prefix)):
        guild = discord.Object(id=int(key.removeprefix(prefix)))
        try:
            await clear_guild_copies(tree, data_dir, guild)
        except (discord.Forbidden, discord.NotFound):
            # The bot has left that server (or lost applications.commands there): nobody sees those copies.
            _write_hash(data_dir, key, None)
            log.info("Could not reach guild %s to remove its command copies; forgetting it", guild.id)
            continue
        cleared += 1
    return cleared


# -- entry points for the CLI ------------------------------------------------------------------------------


async def _login(bot: AnyBot, token: str | None) -> None:
    """Log in, turning a missing or rejected token or an unreachable Discord into one line."""
    if not token or not token.strip():
        raise DiscordStartError("DISCORD_TOKEN is not set; create a bot at https://discord.com/developers.")
    try:
        await bot.login(token)
    except discord.LoginFailure:
        await bot.close()
        raise DiscordStartError(
            "Discord rejected DISCORD_TOKEN; copy the bot token again from the Developer Portal."
        ) from None
    except (aiohttp.ClientError, OSError, discord.HTTPException) as problem:
        await bot.close()
        raise DiscordStartError(f"Could not reach Discord to log in ({type(problem).__name__}).") from None


async def run_discord(
    library: Library,
    *,
    settings: Settings | None = None,
    token: str | None = None,
    data_dir: Path | None = None,
    shard_ids: Sequence[int] | None = None,
    shard_count: int | None = None,
    daily: DailyService | None = None,
    texts: ServerTexts | None = None,
    guild_ready_timeout: float = 2.0,
) -> None:
    """Run the Discord bot until cancelled or closed; start-up problems raise DiscordStartError.

    Values come from `settings` unless given explicitly. With `daily`, the /daily-* commands are added and
    a DiscordDeliverer among its scheduler's deliverers posts through this bot.
    """
    if settings is not None:
        token = token or settings.discord_token
        data_dir = data_dir or settings.data_dir
        shard_ids = shard_ids if shard_ids is not None else settings.discord_shard_ids
        shard_count = shard_count if shard_count is not None else settings.discord_shard_count
    bot = build_bot(
        library,
        data_dir=data_dir or Path("data"),
        shard_ids=list(shard_ids) if shard_ids is not None else None,
        shard_count=shard_count,
        daily=daily,
        texts=texts,
        guild_ready_timeout=guild_ready_timeout,
    )
    async with bot:
        await _login(bot, token)
        try:
            await bot.connect(reconnect=True)
        except discord.PrivilegedIntentsRequired:
            raise DiscordStartError("Discord refused an intent this bot asked for.") from None
        except discord.ConnectionClosed as closed:  # discord.py gives up on these close codes
            raise DiscordStartError(_closed_reason(closed.code)) from None


# Gateway close codes after which discord.py stops reconnecting (Discord's opcodes-and-status-codes page).
_CLOSE_REASONS = {
    4004: "Discord rejected DISCORD_TOKEN; copy the bot token again from the Developer Portal.",
    4010: "Discord refused the shard settings; check --shard-ids and --shard-count.",
    4011: "Discord now requires this bot to be sharded; set DISCORD_SHARD_COUNT or --shard-count.",
    4012: "Discord refused the gateway version; update discord.py.",
    4013: "Discord refused the intents this bot asked for.",
    4014: "Discord refused an intent this bot asked for.",
}


def _closed_reason(code: int) -> str:
    """One line for a gateway connection Discord closed for good."""
    return _CLOSE_REASONS.get(code, f"Discord closed the gateway connection (code {code}).")


@dataclass(frozen=True)
class SyncReport:
    """What `speechbot discord sync` did, for its one-line answer."""

    published: int  # commands now in the synced scope (0 after clearing a server)
    also_global: int = 0  # for a server: the global commands it shows beside its copies


async def sync_commands(
    library: Library,
    *,
    token: str | None,
    data_dir: Path,
    daily: DailyService | None,
    texts: ServerTexts | None = None,
    guild_id: int | None = None,
    clear: bool = False,
) -> SyncReport:
    """Publish the slash commands now: globally, as copies in one server for instant testing, or clear those.

    The tree is built exactly as `run` builds it: pass the DailyService `run` would get, so the /daily-*
    commands are part of it (a bulk overwrite without them would delete them until the next start).
    """
    bot = build_bot(library, data_dir=data_dir, sync_on_start=False, daily=daily, texts=texts)
    async with bot:
        await _login(bot, token)
        guild = discord.Object(id=guild_id) if guild_id is not None else None
        try:
            if guild is not None and clear:
                await clear_guild_copies(bot.tree, data_dir, guild)
                return SyncReport(published=0)
            if guild is not None:
                bot.tree.copy_global_to(guild=guild)
            await sync_if_changed(bot.tree, data_dir, guild=guild, force=True)
            published = len(bot.tree.get_commands(guild=guild))
            if guild is None:
                return SyncReport(published=published)
            return SyncReport(published=published, also_global=len(await bot.tree.fetch_commands()))
        except discord.Forbidden:
            raise DiscordStartError(
                "Discord refused: is the bot in that server, invited with the applications.commands scope?"
            ) from None
        except discord.HTTPException as problem:
            raise DiscordStartError(f"Discord refused the commands (HTTP {problem.status}).") from None


def application_id_from_token(token: str) -> int:
    """The bot's id, which is its application's id, read from the token's first part (no network)."""
    head = token.strip().split(".", 1)[0]
    try:
        text = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)).decode("ascii")
        return int(text)
    except (ValueError, UnicodeDecodeError):
        raise DiscordStartError("DISCORD_TOKEN does not look like a bot token.") from None


def invite_url(application: int | str | Settings) -> str:
    """The link that adds the bot to a server with the bot and applications.commands scopes.

    Takes the application id, or settings whose token names it.
    """
    if isinstance(application, Settings):
        if not application.discord_token:
            raise DiscordStartError("DISCORD_TOKEN is not set; the invite link needs the bot's id.")
        application = application_id_from_token(application.discord_token)
    return discord.utils.oauth_url(application, permissions=PERMISSIONS, scopes=("bot", "applications.commands"))
