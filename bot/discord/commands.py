"""Slash commands, autocomplete and restart-proof buttons: parse Discord input, call the core, render."""

from __future__ import annotations

import datetime as dt
import logging
import random
import re
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import commands as core
from bot.core.errors import UserError
from bot.core.library import Library, TextFilter
from bot.core.render import one_line
from bot.core.replies import ContextReply, ErrorReply, SearchReply
from bot.core.schedule import local_date_of
from bot.discord import embeds
from bot.discord.replies import (
    NO_MENTIONS,
    PLATFORM,
    Bot,
    Interaction,
    answer,
    off_loop,
    say_privately,
    send,
    server_default,
    server_library,
    titles,
)

log = logging.getLogger(__name__)

CUSTOM_ID_LIMIT = 100
CHOICES_LIMIT = 25
CHOICE_CHARS = 100

# What an autocomplete choice of /search sends back as the query: "§3.2 secret-speech" quotes that sentence.
_PICKED = re.compile(r"^§(?P<ref>\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?)(?:\s+(?P<doc>[\w.-]+))?$")

# Discord mention markup means nothing to the search (and is never echoed back where it could ping).
_MENTIONS = re.compile(r"<(?:@[!&]?|#)\d+>|@(?:everyone|here)\b")


async def reading(interaction: Interaction, document: str | None) -> tuple[Library, str | None]:
    """The interaction's library (a server's is built off the loop at its first use) and the text to read."""
    return await server_library(interaction), await server_default(interaction, document)


# -- restart-proof buttons: all state lives in the custom_id -----------------------------------------------


def _owner_check(private: bool, owner: int, interaction: Interaction) -> bool:
    """Anyone may page a public answer; only the asker may page a private one."""
    return not private or interaction.user.id == owner


class MoreResults(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.compile(
        r"sb:more:(?P<private>[01]):(?P<owner>\d+):(?P<offset>\d+):(?P<doc>[\w.-]*):(?P<query>.+)", re.S
    ),
):
    """The "More results" button under /search: the query and the next offset ride in the custom_id."""

    def __init__(self, query: str, document: str, offset: int, owner: int, private: bool) -> None:
        self.query, self.document, self.offset, self.owner, self.private = (
            query,
            document,
            offset,
            owner,
            private,
        )
        custom_id = f"sb:more:{int(private)}:{owner}:{offset}:{document}:{query}"
        super().__init__(
            discord.ui.Button(label="More results", style=discord.ButtonStyle.secondary, custom_id=custom_id)
        )

    @staticmethod
    def fits(query: str, document: str, offset: int, owner: int) -> bool:
        """Whether the state fits a 100-character custom_id that the template reads back (long queries don't)."""
        fits = len(f"sb:more:0:{owner}:{offset}:{document}:{query}") <= CUSTOM_ID_LIMIT
        return fits and re.fullmatch(r"[\w.-]*", document) is not None

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> MoreResults:
        """Rebuild the button from a press, also after a restart."""
        return cls(match["query"], match["doc"], int(match["offset"]), int(match["owner"]), match["private"] == "1")

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """Refuse other users on a private answer."""
        if _owner_check(self.private, self.owner, interaction):
            return True
        await say_privately(interaction, "Only the person who searched can page these results.")
        return False

    async def callback(self, interaction: Interaction) -> None:
        """Replace the page with the next one."""
        library = await server_library(interaction)
        try:
            reply = await off_loop(core.search, library, self.query, document=self.document or None, offset=self.offset)
        except UserError as problem:
            await say_privately(interaction, problem.message)
            return
        if isinstance(reply, ErrorReply):
            await say_privately(interaction, "No more results.")
            return
        await interaction.response.edit_message(
            embeds=[embeds.search_embed(reply, titles(library))],
            view=search_view(reply, self.owner, self.private),
            allowed_mentions=NO_MENTIONS,
        )


_STEP_LABELS = {"p": "Previous", "n": "Next", "b": "Previous part", "f": "Next part"}


class ContextStep(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.compile(
        r"sb:ctx:(?P<step>[pnbf]):(?P<private>[01]):(?P<owner>\d+):(?P<doc>[\w.-]+):(?P<para>\d+)(?::(?P<part>\d+))?"
    ),
):
    """Previous / Next under /context walk the text a paragraph at a time; the part buttons page a long view.

    Steps: p and n move to a neighbouring paragraph, b and f to the previous or next message-sized part of
    the same view (buttons made before parts existed carry no part and open the first).
    """

    def __init__(
        self,
        step: str,
        document: str,
        paragraph: int,
        owner: int,
        private: bool,
        enabled: bool,
        part: int = 0,
    ) -> None:
        self.step, self.document, self.paragraph, self.owner, self.private, self.part = (
            step,
            document,
            paragraph,
            owner,
            private,
            part,
        )
        custom_id = f"sb:ctx:{step}:{int(private)}:{owner}:{document}:{paragraph}"
        if part:
            custom_id += f":{part}"
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=_STEP_LABELS[step], style=discord.ButtonStyle.secondary, custom_id=custom_id, disabled=not enabled
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ContextStep:
        """Rebuild the button from a press, also after a restart."""
        return cls(
            match["step"],
            match["doc"],
            int(match["para"]),
            int(match["owner"]),
            match["private"] == "1",
            True,
            int(match["part"] or 0),
        )

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """Refuse other users on a private answer."""
        if _owner_check(self.private, self.owner, interaction):
            return True
        await say_privately(interaction, "Only the person who asked can turn these pages.")
        return False

    async def callback(self, interaction: Interaction) -> None:
        """Show the neighbouring paragraph's context, or another part of this one, in place."""
        library = await server_library(interaction)
        try:
            reply = await off_loop(core.context, library, str(self.paragraph), document=self.document)
        except UserError as problem:
            await say_privately(interaction, problem.message)
            return
        page, view = context_page(reply, self.part, self.owner, self.private)
        await interaction.response.edit_message(embeds=page, view=view, allowed_mentions=NO_MENTIONS)


def search_view(reply: SearchReply, owner: int, private: bool) -> discord.ui.View | None:
    """A "More results" button when there are more hits and the state fits in a custom_id."""
    offset = reply.offset + len(reply.hits)
    if not reply.has_more or not MoreResults.fits(reply.query, reply.document, offset, owner):
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(MoreResults(reply.query, reply.document, offset, owner, private))
    return view


def context_page(
    reply: ContextReply, part: int, owner: int, private: bool
) -> tuple[list[discord.Embed], discord.ui.View]:
    """One message of a context view and its buttons: a view longer than a message is paged, never cut."""
    pages = embeds.batches(embeds.context_embeds(reply))
    part = min(max(part, 0), len(pages) - 1)  # a stale button (the text changed) opens the nearest part
    return pages[part], context_view(reply, owner, private, part=part, parts=len(pages))


def context_view(reply: ContextReply, owner: int, private: bool, *, part: int = 0, parts: int = 1) -> discord.ui.View:
    """Previous / Next paragraph, disabled at the start and end of the text; part buttons when paged."""
    view = discord.ui.View(timeout=None)
    here, last, doc = reply.paragraph, reply.paragraph_count, reply.document
    view.add_item(ContextStep("p", doc, max(here - 1, 1), owner, private, enabled=here > 1))
    if parts > 1:
        view.add_item(ContextStep("b", doc, here, owner, private, enabled=part > 0, part=max(part - 1, 0)))
        forward = min(part + 1, parts - 1)
        view.add_item(ContextStep("f", doc, here, owner, private, enabled=part < parts - 1, part=forward))
    view.add_item(ContextStep("n", doc, min(here + 1, last), owner, private, enabled=here < last))
    return view


# -- autocomplete ------------------------------------------------------------------------------------------


async def document_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The loaded texts whose id or title contains what was typed."""
    needle = current.casefold().strip()
    library = await server_library(interaction)
    found = [
        app_commands.Choice(name=embeds.clip(doc.title, CHOICE_CHARS), value=doc_id)
        for doc_id, doc in library.documents.items()
        if needle in doc_id or needle in doc.title.casefold()
    ]
    return found[:CHOICES_LIMIT]


async def speaker_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The speakers of the loaded texts whose name contains what was typed."""
    needle = current.casefold().strip()
    library = await server_library(interaction)
    speakers = sorted({d.meta.speaker for d in library.documents.values() if d.meta.speaker})
    found = [app_commands.Choice(name=embeds.clip(s, CHOICE_CHARS), value=s[:CHOICE_CHARS]) for s in speakers]
    return [choice for choice in found if needle in choice.value.casefold()][:CHOICES_LIMIT]


async def query_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The best matching sentences while typing; picking one sends `§ref doc`, which quotes it."""
    if not current.strip():
        return []
    library = await server_library(interaction)
    document = getattr(interaction.namespace, "document", None) or None
    try:
        hits = await off_loop(library.search, current, limit=CHOICES_LIMIT, document=document, prefix=True)
    except UserError:
        return []
    choices = []
    for hit in hits[:CHOICES_LIMIT]:
        value = f"§{hit.ref} {hit.document}"
        name = one_line(f"§{hit.ref} {hit.text}", CHOICE_CHARS)
        choices.append(app_commands.Choice(name=name, value=value[:CHOICE_CHARS]))
    return choices


async def channel_today(interaction: Interaction) -> dt.date:
    """The interaction's date in the channel's daily-post zone when it has one (so both agree), else in UTC."""
    moment = interaction.created_at
    daily = getattr(interaction.client, "daily", None)
    if daily is None or interaction.guild_id is None or interaction.channel_id is None:
        return moment.date()
    try:
        found = await daily.subscription(PLATFORM, str(interaction.guild_id), str(interaction.channel_id))
    except Exception as error:  # the database is away: the passage of the UTC day is still an answer
        log.warning("Could not read the channel's daily subscription (%s); using the UTC date", type(error).__name__)
        return moment.date()
    if found is None or not found.active:
        return moment.date()
    return local_date_of(moment, found.timezone)


# -- the commands ------------------------------------------------------------------------------------------

DOCUMENT_HELP = "Which text (leave out when only one is loaded)"
PRIVATE_HELP = "Only you see the answer"
REF_HELP = "A reference: 3 (paragraph), 3.2 (sentence), 3.2-4 or 3-4 (ranges)"

EXAMPLES = {
    "quote": "/quote ref:3.2",
    "search": "/search query:enemy of the peopel",
    "context": "/context ref:4",
    "daily": "/daily",
    "cite": "/cite ref:5 style:APA",
    "about": "/about",
    "help": "/help",
}


class SpeechCommands(commands.Cog):
    """The reading commands: quote, search, context, daily, cite, about, help."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self.rng = rng or random.Random()  # noqa: S311 - picking a passage to read, not a secret

    @app_commands.command(name="quote")
    @app_commands.describe(
        ref="A reference such as 3, 3.2 or 3.2-4; leave out for a random passage",
        document=DOCUMENT_HELP,
        private=PRIVATE_HELP,
    )
    @app_commands.autocomplete(document=document_choices)
    async def quote(
        self,
        interaction: Interaction,
        ref: app_commands.Range[str, 1, 40] | None = None,
        document: str | None = None,
        private: bool = False,
    ) -> None:
        """Quote a passage: a random one, or the one at a reference like 3.2."""
        library, document = await reading(interaction, document)
        reply = await off_loop(core.quote, library, ref, document=document, rng=self.rng)
        await answer(interaction, reply, private=private)

    @app_commands.command(name="search")
    @app_commands.describe(
        query="Words you remember, typos are fine; pick a suggestion to quote it",
        document=DOCUMENT_HELP,
        private=PRIVATE_HELP,
        by="Only texts by this speaker",
        from_year="Only texts from this year on",
        to_year="Only texts up to this year",
    )
    @app_commands.rename(from_year="from", to_year="to")
    @app_commands.autocomplete(query=query_choices, document=document_choices, by=speaker_choices)
    async def search(
        self,
        interaction: Interaction,
        query: app_commands.Range[str, 1, 300],
        document: str | None = None,
        private: bool = False,
        by: app_commands.Range[str, 1, 100] | None = None,
        from_year: app_commands.Range[int, 0, 9999] | None = None,
        to_year: app_commands.Range[int, 0, 9999] | None = None,
    ) -> None:
        """Find sentences by the words you remember, with the matching words in bold."""
        within = TextFilter(speaker=by, year_from=from_year, year_to=to_year)
        picked = _PICKED.match(query.strip())
        library = await server_library(interaction)  # a search looks in every text unless one is named
        if picked:
            reply = await off_loop(core.quote, library, picked["ref"], document=picked["doc"] or document, rng=self.rng)
            await answer(interaction, reply, private=private)
            return
        found = await off_loop(core.search, library, _MENTIONS.sub(" ", query), document=document, within=within)
        view = search_view(found, interaction.user.id, private) if isinstance(found, SearchReply) else None
        await answer(interaction, found, private=private, view=view)

    @app_commands.command(name="context")
    @app_commands.describe(ref=REF_HELP, document=DOCUMENT_HELP, private=PRIVATE_HELP)
    @app_commands.autocomplete(document=document_choices)
    async def context(
        self,
        interaction: Interaction,
        ref: app_commands.Range[str, 1, 40],
        document: str | None = None,
        private: bool = False,
    ) -> None:
        """Read a paragraph with the one before and after; Previous and Next walk the text."""
        library, document = await reading(interaction, document)
        reply = await off_loop(core.context, library, ref, document=document)
        page, view = context_page(reply, 0, interaction.user.id, private)
        await interaction.response.send_message(embeds=page, view=view, ephemeral=private, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="daily")
    @app_commands.describe(document=DOCUMENT_HELP, private=PRIVATE_HELP)
    @app_commands.autocomplete(document=document_choices)
    async def daily(self, interaction: Interaction, document: str | None = None, private: bool = False) -> None:
        """Today's passage: the same for everyone today, a new one tomorrow."""
        today = await channel_today(interaction)
        library, document = await reading(interaction, document)
        await answer(interaction, core.daily(library, today=today, document=document), private=private)

    @app_commands.command(name="cite")
    @app_commands.describe(ref=REF_HELP, style="Citation style (MLA when left out)", document=DOCUMENT_HELP)
    @app_commands.choices(
        style=[
            app_commands.Choice(name="MLA", value="mla"),
            app_commands.Choice(name="APA", value="apa"),
            app_commands.Choice(name="Chicago", value="chicago"),
        ]
    )
    @app_commands.autocomplete(document=document_choices)
    async def cite(
        self,
        interaction: Interaction,
        ref: app_commands.Range[str, 1, 40],
        style: Literal["mla", "apa", "chicago"] = "mla",
        document: str | None = None,
    ) -> None:
        """A ready citation with paragraph numbers, in MLA, APA or Chicago style."""
        library, document = await reading(interaction, document)
        reply = core.cite(library, ref, style=style, document=document)
        await answer(interaction, reply, private=False)

    @app_commands.command(name="about")
    @app_commands.describe(document=DOCUMENT_HELP)
    @app_commands.autocomplete(document=document_choices)
    async def about(self, interaction: Interaction, document: str | None = None) -> None:
        """Where the text comes from, who spoke, and the editor's introduction."""
        library, document = await reading(interaction, document)
        await answer(interaction, core.about(library, document=document), private=False)

    @app_commands.command(name="help")
    async def help(self, interaction: Interaction) -> None:
        """What each command does, with examples."""
        tree: app_commands.CommandTree[Any] | None = getattr(interaction.client, "tree", None)
        found = tree.get_commands(type=discord.AppCommandType.chat_input) if tree else self.get_app_commands()
        order = list(EXAMPLES)
        found = sorted(found, key=lambda c: order.index(c.name) if c.name in order else len(order))
        listed = [(f"/{c.name}", c.description, EXAMPLES.get(c.name, "")) for c in found]
        await send(interaction, [embeds.help_embed(listed, core.REF_HELP)], ephemeral=True)


async def register(bot: Bot) -> None:
    """Add the reading commands (each reads its server's library) and the buttons that must work after a restart."""
    await bot.add_cog(SpeechCommands())
    bot.add_dynamic_items(MoreResults, ContextStep)
