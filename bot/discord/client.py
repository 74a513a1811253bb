"""The Discord bot object, start-up, command-tree syncing by hash, and the invite URL."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import Library

log = logging.getLogger(__name__)

HASH_FILE = "discord-commands.json"

# Only what posting answers and daily passages needs; interaction replies need no permission at all.
PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, send_messages_in_threads=True, embed_links=True
)

EVERYWHERE = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)
ANY_INSTALL = app_commands.AppInstallationType(guild=True, user=True)


class DiscordStartError(Exception):
    """Start-up failed for a reason the user can fix (bad token, missing intent); the message is one line."""


class SpeechTree(app_commands.CommandTree[Any]):
    """The command tree: answers a UserError with its message, privately, and logs anything else."""

    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        """Turn bad input into an ephemeral hint; never leave the user without an answer."""
        from bot.discord.commands import reply_error

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


class SpeechBot(commands.Bot):
    """One process, one gateway connection: enough for a class or a few thousand servers."""

    def __init__(self, library: Library, *, data_dir: Path, sync_on_start: bool = True, **options: Any) -> None:
        super().__init__(**options)
        self.library = library
        self.data_dir = data_dir
        self.sync_on_start = sync_on_start

    async def setup_hook(self) -> None:
        """Register commands and persistent buttons, then sync the tree only if it changed."""
        await prepare(self)


class ShardedSpeechBot(commands.AutoShardedBot):
    """Several shards in one process; several processes split them with shard_ids/shard_count."""

    def __init__(self, library: Library, *, data_dir: Path, sync_on_start: bool = True, **options: Any) -> None:
        super().__init__(**options)
        self.library = library
        self.data_dir = data_dir
        self.sync_on_start = sync_on_start

    async def setup_hook(self) -> None:
        """Register commands and persistent buttons, then sync the tree only if it changed."""
        await prepare(self)


AnyBot = SpeechBot | ShardedSpeechBot


async def prepare(bot: AnyBot) -> None:
    """Add the commands and the restart-proof buttons; sync commands when their payload changed."""
    from bot.discord.commands import register

    await register(bot)
    if bot.sync_on_start:
        await sync_if_changed(bot.tree, bot.data_dir)


def build_bot(
    library: Library,
    *,
    data_dir: Path,
    shard_ids: list[int] | None = None,
    shard_count: int | None = None,
    auto_shard: bool = False,
    sync_on_start: bool = True,
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
            shard_ids=shard_ids,
            shard_count=shard_count,
            **options,
        )
    return SpeechBot(library, data_dir=data_dir, sync_on_start=sync_on_start, **options)


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


def _write_hash(data_dir: Path, key: str, value: str) -> None:
    hashes = _read_hashes(data_dir)
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


# -- entry points for the CLI ------------------------------------------------------------------------------


async def _login(bot: AnyBot, token: str | None) -> None:
    """Log in, turning a missing or rejected token into a one-line DiscordStartError."""
    if not token or not token.strip():
        raise DiscordStartError("DISCORD_TOKEN is not set; create a bot at https://discord.com/developers.")
    try:
        await bot.login(token)
    except discord.LoginFailure:
        await bot.close()
        raise DiscordStartError(
            "Discord rejected DISCORD_TOKEN; copy the bot token again from the Developer Portal."
        ) from None


async def run_discord(
    library: Library,
    *,
    token: str | None,
    data_dir: Path,
    shard_ids: list[int] | None = None,
    shard_count: int | None = None,
    guild_ready_timeout: float = 2.0,
) -> None:
    """Run the Discord bot until cancelled or closed; bad tokens raise DiscordStartError."""
    bot = build_bot(
        library,
        data_dir=data_dir,
        shard_ids=shard_ids,
        shard_count=shard_count,
        guild_ready_timeout=guild_ready_timeout,
    )
    async with bot:
        await _login(bot, token)
        try:
            await bot.connect(reconnect=True)
        except discord.PrivilegedIntentsRequired:
            raise DiscordStartError("Discord refused an intent this bot asked for.") from None


async def sync_commands(
    library: Library, *, token: str | None, data_dir: Path, guild_id: int | None = None
) -> int:
    """Upload the slash commands now (globally, or to one guild for instant testing); returns how many."""
    bot = build_bot(library, data_dir=data_dir, sync_on_start=False)
    async with bot:
        await _login(bot, token)
        guild = discord.Object(id=guild_id) if guild_id is not None else None
        if guild is not None:
            bot.tree.copy_global_to(guild=guild)
        await sync_if_changed(bot.tree, data_dir, guild=guild, force=True)
        return len(bot.tree.get_commands(guild=guild))


def invite_url(application_id: int | str) -> str:
    """The link that adds the bot to a server with the bot and applications.commands scopes."""
    return discord.utils.oauth_url(
        application_id, permissions=PERMISSIONS, scopes=("bot", "applications.commands")
    )
