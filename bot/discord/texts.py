"""The /text group: a server's teachers add, list, remove and choose its own texts (Manage Server by default)."""

from __future__ import annotations

import logging
import re
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import UserError
from bot.core.render import counted, line_groups
from bot.discord import embeds
from bot.discord.commands import CHOICE_CHARS, CHOICES_LIMIT, document_choices, off_loop
from bot.discord.daily import for_managers
from bot.discord.replies import NO_MENTIONS, Bot, Interaction, say_privately, server_scope
from bot.server_texts import ServerText, ServerTexts, size_words, too_large

log = logging.getLogger(__name__)

NOT_INSTALLED = "Add the bot to this server (not only to your account) to give the server texts of its own."


def _scope(interaction: Interaction) -> str:
    scope = server_scope(interaction)
    if scope is None:
        raise UserError(NOT_INSTALLED)
    return scope


def _service(interaction: Interaction) -> ServerTexts:
    service = getattr(interaction.client, "server_texts", None)
    if not isinstance(service, ServerTexts):
        raise RuntimeError("the Discord client has no server texts attached")
    return service


def _listed(text: ServerText) -> str:
    """One line of /text list: id, title, speaker and date, size, and who added it when (never pinging them)."""
    facts = " · ".join(part for part in (text.speaker, text.date) if part)
    adder = f"<@{text.added_by}>" if text.added_by.isdigit() else discord.utils.escape_markdown(text.added_by)
    parts = [f"`{text.text_id}` **{discord.utils.escape_markdown(text.title)}**"]
    parts += [discord.utils.escape_markdown(facts)] if facts else []
    parts += [size_words(text.size_bytes), f"added by {adder} <t:{int(text.added_at.timestamp())}:d>"]
    return " · ".join(parts)


async def own_text_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The server's own texts whose id or title holds what was typed (the ones /text remove can take)."""
    scope = server_scope(interaction)
    if scope is None:
        return []
    needle = current.casefold().strip()
    texts = await off_loop(_service(interaction).libraries.texts, scope)  # a database read when stale
    found = [
        app_commands.Choice(name=embeds.clip(t.metadata.get("title") or t.text_id, CHOICE_CHARS), value=t.text_id)
        for t in texts
        if needle in t.text_id or needle in (t.metadata.get("title") or "").casefold()
    ]
    return found[:CHOICES_LIMIT]


class ConfirmRemoval(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.compile(r"sb:txrm:(?P<owner>\d+):(?P<text>[\w.-]+)"),
):
    """The button that confirms removing a text daily posts use (and pauses them); restart-proof."""

    def __init__(self, owner: int, text_id: str) -> None:
        self.owner, self.text_id = owner, text_id
        super().__init__(
            discord.ui.Button(
                label="Remove it and pause those posts",
                style=discord.ButtonStyle.danger,
                custom_id=f"sb:txrm:{owner}:{text_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ConfirmRemoval:
        """Rebuild the button from a press, also after a restart."""
        return cls(int(match["owner"]), match["text"])

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """Only the person who asked to remove the text confirms it."""
        if interaction.user.id == self.owner:
            return True
        await say_privately(interaction, "Only the person who asked to remove the text can confirm it.")
        return False

    async def callback(self, interaction: Interaction) -> None:
        """Remove the text and pause the daily posts that use it, then say so in place of the question."""
        try:
            removal = await _service(interaction).remove(
                _scope(interaction),
                self.text_id,
                by=str(interaction.user.id),
                may_remove_any=interaction.permissions.manage_guild,
                confirmed=True,
                now=interaction.created_at,
            )
        except UserError as problem:
            await interaction.response.edit_message(content=problem.message, view=None, allowed_mentions=NO_MENTIONS)
            return
        paused = f" {removal.paused} daily post(s) that used it are paused." if removal.paused else ""
        await interaction.response.edit_message(
            content=f"Removed `{self.text_id}`.{paused}", view=None, allowed_mentions=NO_MENTIONS
        )


@for_managers
class TextCommands(commands.GroupCog, group_name="text", group_description="This server's own texts"):
    """Add, list, remove and choose this server's own texts; Manage Server by default (servers may adjust)."""

    def __init__(self, service: ServerTexts) -> None:
        self.service = service
        super().__init__()

    @app_commands.command(name="add")
    @app_commands.describe(
        file="A .txt or .md file (UTF-8); front matter such as title: and speaker: is read",
        title="The title (over the file's own)",
        speaker="Who spoke or wrote it",
        date="When: 1863-11-19 or a year",
    )
    async def add(
        self,
        interaction: Interaction,
        file: discord.Attachment,
        title: app_commands.Range[str, 1, 200] | None = None,
        speaker: app_commands.Range[str, 1, 200] | None = None,
        date: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        """Add a text to this server: its members can quote, search, cite and schedule it."""
        scope = _scope(interaction)
        limit = self.service.max_bytes
        if file.size > limit:  # refused before downloading anything
            raise UserError(too_large(file.size, limit))
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except (discord.HTTPException, aiohttp.ClientError) as problem:
            log.warning("Could not download an attachment (%s)", type(problem).__name__)
            raise UserError("Discord did not hand over the file; try adding it again.") from None
        added = await self.service.add(
            scope,
            filename=file.filename,
            data=data,
            added_by=str(interaction.user.id),
            title=title,
            speaker=speaker,
            date=date,
            now=interaction.created_at,
        )
        library = await off_loop(self.service.libraries.for_scope, scope)  # indexing the new text takes a while
        document = library.document(added.text_id)
        await interaction.followup.send(
            f"Added **{discord.utils.escape_markdown(added.title)}** as `{added.text_id}`: "
            f"{counted(len(document.paragraphs), 'paragraph')}. Try `/quote document:{added.text_id}`.",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="list")
    async def list_texts(self, interaction: Interaction) -> None:
        """This server's own texts, its default text and whether the bundled text is hidden."""
        scope = _scope(interaction)
        texts = await self.service.list(scope)
        lines = [_listed(t) for t in texts] or ["This server has no texts of its own yet; add one with `/text add`."]
        library = await off_loop(self.service.libraries.for_scope, scope)  # built here at its first use
        default = await off_loop(self.service.libraries.default_document, scope)
        if default:
            lines.append(f"Default text: `{default}`")
        hidden = library.documents.keys().isdisjoint(self.service.libraries.bundled)
        if hidden and self.service.libraries.bundled:
            lines.append("The bundled texts are hidden here (`/text show-bundled` shows them again).")
        for group in line_groups(lines, 2000):  # fifty texts take several messages; none is cut off
            await say_privately(interaction, group)

    @app_commands.command(name="remove")
    @app_commands.describe(text="One of this server's own texts")
    @app_commands.autocomplete(text=own_text_choices)
    async def remove(self, interaction: Interaction, text: app_commands.Range[str, 1, 100]) -> None:
        """Remove one of this server's texts (the person who added it, or a manager)."""
        removal = await self.service.remove(
            _scope(interaction),
            text,
            by=str(interaction.user.id),
            may_remove_any=interaction.permissions.manage_guild,
            now=interaction.created_at,
        )
        if removal.removed:
            await say_privately(interaction, f"Removed `{removal.text_id}`.")
            return
        channels = ", ".join(f"<#{c}>" for c in removal.needs_confirmation)
        view = discord.ui.View(timeout=None)
        view.add_item(ConfirmRemoval(interaction.user.id, removal.text_id))
        await interaction.response.send_message(
            f"Daily posts in {channels} use this text. Remove it anyway? Those posts are paused, with the reason.",
            view=view,
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="default")
    @app_commands.describe(
        text="The text commands use when none is named (leave out to clear)",
        channel="Only in this channel (the whole server when left out)",
    )
    @app_commands.autocomplete(text=document_choices)
    async def default(
        self,
        interaction: Interaction,
        text: app_commands.Range[str, 1, 100] | None = None,
        channel: discord.TextChannel | discord.Thread | None = None,
    ) -> None:
        """Choose the text commands use here when they name none (daily posts set up later too)."""
        scope = _scope(interaction)
        channel_id = str(channel.id) if channel is not None else None
        await self.service.set_default(scope, text, channel_id=channel_id)
        where = f"in <#{channel_id}>" if channel_id else "in this server"
        chosen = await off_loop(self.service.libraries.default_document, scope, channel_id)
        if chosen is None:
            await say_privately(interaction, f"No default text {where} any more: commands use the first text.")
            return
        await say_privately(interaction, f"Commands {where} now use `{chosen}` when no text is named.")

    @app_commands.command(name="hide-bundled")
    async def hide_bundled(self, interaction: Interaction) -> None:
        """Hide the texts that came with the bot, so this server sees only its own (and the host's)."""
        await self.service.set_bundled_hidden(_scope(interaction), True)
        await say_privately(interaction, "The bundled texts are hidden in this server.")

    @app_commands.command(name="show-bundled")
    async def show_bundled(self, interaction: Interaction) -> None:
        """Show the texts that came with the bot again."""
        await self.service.set_bundled_hidden(_scope(interaction), False)
        await say_privately(interaction, "The bundled texts are shown in this server again.")


async def register_texts(bot: Bot, service: ServerTexts) -> None:
    """Add the /text group and its restart-proof confirmation button."""
    await bot.add_cog(TextCommands(service))
    bot.add_dynamic_items(ConfirmRemoval)
