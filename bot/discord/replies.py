"""How an interaction is answered: embeds in batches, private hints and errors, never pinging anyone.

The reading commands, the daily commands, the study commands and the command tree's error handler all answer
through these, so they live here rather than in any one of them.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import UserError
from bot.core.library import Library
from bot.core.render import SOMETHING_WRONG
from bot.core.replies import ErrorReply, Reply
from bot.discord import embeds
from bot.server_texts import Libraries, scope_of

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
PLATFORM = "discord"  # what Discord's channels, quizzes and server texts are stored under

Interaction = discord.Interaction[Any]
# What the commands are registered on: the plain or the sharded bot (bot/discord/client.py makes either).
Bot = commands.Bot | commands.AutoShardedBot

P = ParamSpec("P")
R = TypeVar("R")

# One thread for library work: searches hold the GIL, so more threads would only take more turns from the loop.
_LIBRARY_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="speechbot-library")


async def off_loop(work: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run library work (search, look-ups, a server's library) in a thread, so it never stalls the gateway."""
    return await asyncio.get_running_loop().run_in_executor(_LIBRARY_WORKER, functools.partial(work, *args, **kwargs))


def server_scope(interaction: Interaction) -> str | None:
    """The interaction's server scope when the bot is installed in that server; None in DMs and user installs."""
    if interaction.guild_id is None or not interaction.is_guild_integration():
        return None
    return scope_of(PLATFORM, str(interaction.guild_id))


def library_of(interaction: Interaction) -> Library:
    """The library of the interaction's server: global texts plus its own (DMs and user installs: global)."""
    libraries = getattr(interaction.client, "libraries", None)
    if not isinstance(libraries, Libraries):
        raise RuntimeError("the Discord client has no libraries attached")
    return libraries.for_scope(server_scope(interaction))


def default_of(interaction: Interaction, document: str | None) -> str | None:
    """The text a command reads: the one named, else the channel's or the server's default (None: the first)."""
    libraries = getattr(interaction.client, "libraries", None)
    if document or not isinstance(libraries, Libraries):
        return document
    return libraries.default_document(server_scope(interaction), str(interaction.channel_id or ""))


async def server_library(interaction: Interaction) -> Library:
    """`library_of` off the loop: a server's first use builds its index, and a stale one asks the database."""
    return await off_loop(library_of, interaction)


async def server_default(interaction: Interaction, document: str | None) -> str | None:
    """`default_of` off the loop, since it may ask the database whether the server changed its texts."""
    return document or await off_loop(default_of, interaction, document)


def titles(library: Library) -> dict[str, str]:
    """Document id -> title, for footers and choices."""
    return {doc_id: doc.title for doc_id, doc in library.documents.items()}


async def send(
    interaction: Interaction,
    found: list[discord.Embed],
    *,
    ephemeral: bool,
    view: discord.ui.View | None = None,
) -> None:
    """Answer with embeds (more messages as followups if needed), never pinging anyone."""
    groups = embeds.batches(found)
    extra: dict[str, Any] = {"view": view} if view is not None else {}
    await interaction.response.send_message(
        embeds=groups[0], ephemeral=ephemeral, allowed_mentions=NO_MENTIONS, **extra
    )
    for group in groups[1:]:
        await interaction.followup.send(embeds=group, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)


async def say_privately(interaction: Interaction, text: str) -> None:
    """A short ephemeral message (errors, refusals), as a response or a followup."""
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


STALE_COMMAND = (
    "This command changed in an update of the bot; type it again from the list. "
    "If the list still shows the old one, reload Discord (Ctrl+R)."
)
UNKNOWN_COMMAND = (
    "This command no longer exists in this bot; it was removed in an update. "
    "Reload Discord (Ctrl+R) to see the current commands."
)
UNSEEN_CHANNEL = (
    "The bot cannot see that channel. For a private thread, add the bot to the thread first "
    "(mention it there); otherwise give it View Channel in that channel."
)
UNREADABLE_OPTION = "One of the options could not be read; pick it again from Discord's list."


def _expected_failure(error: Exception, command: str) -> str | None:
    """The user-facing line for failures that are no bug of ours (stale commands, unseen channels), logged briefly."""
    if isinstance(error, app_commands.CommandNotFound):
        log.warning("Discord sent the unknown command /%s (stale commands; run `speechbot discord sync`)", command)
        return UNKNOWN_COMMAND
    if isinstance(error, app_commands.CommandSignatureMismatch):
        log.warning("Discord's /%s differs from this bot's (stale commands; run `speechbot discord sync`)", command)
        return STALE_COMMAND
    if isinstance(error, app_commands.TransformerError) and error.__cause__ is None:  # a cause: a bug, not input
        kind = error.type.name
        log.info("Could not convert a %s option of /%s", kind, command)
        return UNSEEN_CHANNEL if error.type is discord.AppCommandOptionType.channel else UNREADABLE_OPTION
    return None


async def reply_error(interaction: Interaction, error: Exception) -> None:
    """Show bad input as its hint (ephemeral); log real failures and still answer."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    command = _command_name(interaction)
    if interaction.type is discord.InteractionType.autocomplete:
        # A stale command's suggestions: nothing to suggest, and an autocomplete cannot carry a message.
        if _expected_failure(original, command) is None:
            log.error("Discord autocomplete failed", exc_info=original)
        if not interaction.response.is_done():
            try:
                await interaction.response.autocomplete([])
            except discord.HTTPException:
                log.warning("could not answer the autocomplete of interaction %s", interaction.id)
        return
    expected = _expected_failure(original, command)
    if expected is not None:
        text = expected
    elif isinstance(original, UserError):
        text = original.message
    elif isinstance(original, app_commands.CheckFailure):
        text = str(original) or "You can't use this command here."
    else:
        log.error("Discord command failed", exc_info=original)
        text = SOMETHING_WRONG
    try:
        await say_privately(interaction, text)
    except discord.HTTPException:
        log.warning("could not send the error message for interaction %s", interaction.id)


def _command_name(interaction: Interaction) -> str:
    """The invoked command's name as Discord sent it (known even when this bot has no such command)."""
    data: dict[str, Any] = dict(interaction.data or {})
    name = data.get("name")
    return name if isinstance(name, str) and re.fullmatch(r"[\w-]{1,32}", name) else "?"


async def answer(
    interaction: Interaction,
    reply: Reply,
    *,
    private: bool,
    view: discord.ui.View | None = None,
) -> None:
    """Render a core reply: errors always privately, everything else public unless asked otherwise."""
    if isinstance(reply, ErrorReply):
        await say_privately(interaction, reply.text)
        return
    found = embeds.reply_embeds(reply, titles(await server_library(interaction)))
    await send(interaction, found, ephemeral=private, view=view)
