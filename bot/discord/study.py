"""Study commands on Discord: /quiz with restart-proof answer buttons, /concordance, /trend and /card."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock, utc_now
from bot.core.concordance import concordance
from bot.core.corpus import Document
from bot.core.errors import UserError
from bot.core.library import Library
from bot.core.quiz import MAX_ROUND, parse_quiz_kind
from bot.core.trend import check_request, trend
from bot.discord import study_embeds
from bot.discord.commands import DOCUMENT_HELP, PRIVATE_HELP, REF_HELP, document_choices
from bot.discord.replies import (
    NO_MENTIONS,
    PLATFORM,
    Bot,
    Interaction,
    say_privately,
    server_default,
    server_library,
    titles,
)
from bot.pictures.made import card_picture, trend_picture, trend_summary
from bot.quiz_service import DEFAULT_SECONDS, MAX_SECONDS, MIN_SECONDS, Asked, QuizService, Reveal
from bot.server_texts import Libraries, library_for
from bot.store.quiz import QuizBook

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)

CLOSER_INTERVAL = 2.0  # seconds between looks for questions whose time is up


def study_cog_of(interaction: Interaction) -> StudyCommands:
    """The study cog, which holds the quiz service and the clock buttons read."""
    client = interaction.client
    cog = client.get_cog(StudyCommands.__cog_name__) if isinstance(client, commands.Bot) else None
    if not isinstance(cog, StudyCommands):
        raise RuntimeError("the Discord client has no study commands")
    return cog


def quiz_service_of(interaction: Interaction) -> QuizService:
    """The bot's quiz service, or a clear refusal when this process runs without a database."""
    service = study_cog_of(interaction).quizzes
    if service is None:
        raise UserError("Quizzes need the bot's database, which this process was started without.")
    return service


def where_of(interaction: Interaction) -> tuple[str, str]:
    """(scoreboard scope, channel): the server, or the person in DMs and servers the bot is not in."""
    scope = str(interaction.guild_id) if interaction.guild_id else f"user:{interaction.user.id}"
    return scope, str(interaction.channel_id or "")


def answer_view(asked: Asked) -> discord.ui.View:
    """One button per choice; the custom_id carries the question key, so presses work after a restart."""
    view = discord.ui.View(timeout=None)
    for index in range(len(asked.question.choices)):
        view.add_item(QuizAnswerButton(asked.record.key, index))
    return view


class QuizAnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.compile(r"sb:quiz:(?P<key>[0-9a-f]{4,32}):(?P<choice>[0-9])"),
):
    """A choice under a quiz question: counts the presser's first answer, privately acknowledged."""

    def __init__(self, key: str, choice: int) -> None:
        self.key, self.choice = key, choice
        letter = "abcd"[choice] if choice < 4 else str(choice + 1)
        super().__init__(
            discord.ui.Button(label=letter, style=discord.ButtonStyle.primary, custom_id=f"sb:quiz:{key}:{choice}")
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> QuizAnswerButton:
        """Rebuild the button from a press, also after a restart."""
        return cls(match["key"], int(match["choice"]))

    async def callback(self, interaction: Interaction) -> None:
        """Count the answer; a press after the time closes the question here (where no closer could)."""
        try:
            await self._answer(interaction)
        except UserError as problem:  # a button's errors do not reach the command tree's handler
            await say_privately(interaction, problem.message)

    async def _answer(self, interaction: Interaction) -> None:
        service = quiz_service_of(interaction)
        now = study_cog_of(interaction).clock()
        who = {"user_id": str(interaction.user.id), "user_name": interaction.user.display_name}
        press = await service.press(self.key, **who, choice=self.choice, now=now)
        if press.outcome == "unknown" or press.asked is None:
            await say_privately(interaction, "This quiz question is no longer known (its scoreboard was reset).")
            return
        question = press.asked.question
        if press.outcome == "counted":
            closes = int(press.asked.record.closes_at.timestamp())
            await say_privately(
                interaction, f"Counted: **{question.letter(self.choice)}**. The answer is shown <t:{closes}:R>."
            )
        elif press.outcome == "again" and press.earlier_choice is not None:
            await say_privately(interaction, f"You already answered **{question.letter(press.earlier_choice)}**.")
        else:
            reveal = await service.close(self.key, now=now)
            if reveal is None:
                await say_privately(interaction, "This question has closed; the answer is shown on it.")
                return
            library = await server_library(interaction)
            embed = study_embeds.reveal_embed(reveal, library.document(question.document_id))
            await interaction.response.edit_message(embed=embed, view=None, allowed_mentions=NO_MENTIONS)
            await _ask_next_as_followup(interaction, service, reveal)


async def _ask_next_as_followup(interaction: Interaction, service: QuizService, reveal: Reveal) -> None:
    if reveal.next is None:
        return
    closes = int(reveal.next.record.closes_at.timestamp())
    message = await interaction.followup.send(
        embed=study_embeds.question_embed(reveal.next, closes_at=closes),
        view=answer_view(reveal.next),
        allowed_mentions=NO_MENTIONS,
        wait=True,
    )
    await service.posted(reveal.next, str(message.id))


class ConcordancePage(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.compile(r"sb:kwic:(?P<offset>\d+):(?P<doc>[\w.-]*):(?P<word>[^:]{1,60})"),
):
    """ "More uses" under /concordance: the word and next offset ride in the custom_id."""

    def __init__(self, word: str, document: str, offset: int) -> None:
        self.word, self.document, self.offset = word, document, offset
        super().__init__(
            discord.ui.Button(
                label="More uses",
                style=discord.ButtonStyle.secondary,
                custom_id=f"sb:kwic:{offset}:{document}:{word}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ConcordancePage:
        """Rebuild the button from a press, also after a restart."""
        return cls(match["word"], match["doc"], int(match["offset"]))

    async def callback(self, interaction: Interaction) -> None:
        """Replace the page with the next one."""
        library = await server_library(interaction)
        try:
            chosen = _documents(library, self.document or None)
            found = await asyncio.to_thread(concordance, library, self.word, documents=chosen)
        except UserError as problem:
            await say_privately(interaction, problem.message)
            return
        embed = study_embeds.concordance_embed(found, titles(library), self.offset)
        view = concordance_view(self.word, self.document, self.offset, len(found.occurrences))
        await interaction.response.edit_message(embed=embed, view=view, allowed_mentions=NO_MENTIONS)


def concordance_view(word: str, document: str, offset: int, total: int) -> discord.ui.View | None:
    """A "More uses" button while uses remain (wrapping to the first page at the end)."""
    following = offset + study_embeds.CONCORDANCE_PAGE
    if total <= study_embeds.CONCORDANCE_PAGE or len(f"sb:kwic:{following}:{document}:{word}") > 100:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(ConcordancePage(word, document, following if following < total else 0))
    return view


def _documents(library: Library, document: str | None) -> list[Document]:
    return [library.document(document)] if document else list(library.documents.values())


class StudyCommands(commands.Cog):
    """Working with the text: quizzes with a scoreboard, a concordance, word trends and quote cards."""

    def __init__(
        self, bot: Bot, library: Library | Libraries, quizzes: QuizService | None, clock: Clock = utc_now
    ) -> None:
        self.bot = bot
        self.library = library
        self.quizzes = quizzes
        self.clock = clock
        self._closer: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        """Start closing questions whose time is up, also those a restart left open."""
        if self.quizzes is not None:
            self._closer = asyncio.create_task(self._close_due_questions())

    async def cog_unload(self) -> None:
        """Stop the closer with the bot."""
        if self._closer is not None:
            self._closer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._closer

    async def _close_due_questions(self) -> None:
        await self.bot.wait_until_ready()
        while not self.bot.is_closed():
            try:
                await self.close_due(self.clock())
            except Exception:  # the database may be briefly away; look again on the next round
                log.exception("closing due quiz questions failed")
            await asyncio.sleep(CLOSER_INTERVAL)

    async def close_due(self, now: datetime) -> int:
        """Reveal every question whose time is up by editing its message; ask the round's next one."""
        assert self.quizzes is not None  # noqa: S101 - only started with a quiz service
        closed = 0
        for record in await self.quizzes.due(platform=PLATFORM, now=now):
            reveal = await self.quizzes.close(record.key, now=now)
            if reveal is None:
                continue  # another process closed it
            closed += 1
            try:
                await self._show_reveal(reveal)
            except discord.HTTPException as problem:
                log.warning("could not show a quiz answer in channel %s (HTTP %s)", record.channel_id, problem.status)
        return closed

    async def _show_reveal(self, reveal: Reveal) -> None:
        record = reveal.asked.record
        channel = self.bot.get_partial_messageable(int(record.channel_id))
        library = library_for(self.library, record.platform, record.workspace_id)
        document = library.document(reveal.asked.question.document_id)
        if record.message_id is not None:
            message = channel.get_partial_message(int(record.message_id))
            await message.edit(embed=study_embeds.reveal_embed(reveal, document), view=None)
        if reveal.next is not None and self.quizzes is not None:
            closes = int(reveal.next.record.closes_at.timestamp())
            posted = await channel.send(
                embed=study_embeds.question_embed(reveal.next, closes_at=closes),
                view=answer_view(reveal.next),
                allowed_mentions=NO_MENTIONS,
            )
            await self.quizzes.posted(reveal.next, str(posted.id))

    @app_commands.command(name="quiz")
    @app_commands.describe(
        kind="which paragraph, fill the gap, or who said it (mixed when left out)",
        questions=f"How many questions in the round (1-{MAX_ROUND}, default 1)",
        seconds=f"How long each question stays open ({MIN_SECONDS}-{MAX_SECONDS} s, default {DEFAULT_SECONDS})",
        document=DOCUMENT_HELP,
    )
    @app_commands.choices(
        kind=[
            app_commands.Choice(name="which paragraph", value="paragraph"),
            app_commands.Choice(name="fill the gap", value="gap"),
            app_commands.Choice(name="who said it", value="speaker"),
        ]
    )
    @app_commands.autocomplete(document=document_choices)
    async def quiz(
        self,
        interaction: Interaction,
        kind: str | None = None,
        questions: app_commands.Range[int, 1, MAX_ROUND] = 1,
        seconds: app_commands.Range[int, MIN_SECONDS, MAX_SECONDS] = DEFAULT_SECONDS,
        document: str | None = None,
    ) -> None:
        """A quiz question from the text for the whole channel; the answer is shown when it closes."""
        service = quiz_service_of(interaction)
        scope, channel = where_of(interaction)
        asked = await service.start(
            platform=PLATFORM,
            workspace_id=scope,
            channel_id=channel,
            asked_by=str(interaction.user.id),
            document=document,
            kind=parse_quiz_kind(kind),
            questions=questions,
            seconds=seconds,
            now=self.clock(),
        )
        closes = int(asked.record.closes_at.timestamp())
        sent = await interaction.response.send_message(
            embed=study_embeds.question_embed(asked, closes_at=closes),
            view=answer_view(asked),
            allowed_mentions=NO_MENTIONS,
        )
        if sent.message_id is not None:  # Discord says which message it made: the reveal edits that one
            await service.posted(asked, str(sent.message_id))

    @app_commands.command(name="quiz-scores")
    async def quiz_scores(self, interaction: Interaction) -> None:
        """The quiz scoreboard of this server: most right answers first."""
        service = quiz_service_of(interaction)
        scope, _ = where_of(interaction)
        where = interaction.guild.name if interaction.guild is not None else "your own rounds"
        board = await service.scores(platform=PLATFORM, workspace_id=scope)
        await interaction.response.send_message(
            embed=study_embeds.scores_embed(board, where), allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(name="quiz-reset")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
    async def quiz_reset(self, interaction: Interaction) -> None:
        """Clear this server's quiz scoreboard (Manage Server by default)."""
        service = quiz_service_of(interaction)
        scope, _ = where_of(interaction)
        removed = await service.reset(platform=PLATFORM, workspace_id=scope)
        await say_privately(interaction, f"The scoreboard is cleared ({removed} answers removed).")

    @app_commands.command(name="concordance")
    @app_commands.describe(
        word="One word (typos are forgiven); every use is shown in context",
        document=DOCUMENT_HELP,
        private=PRIVATE_HELP,
    )
    @app_commands.autocomplete(document=document_choices)
    async def concordance_command(
        self,
        interaction: Interaction,
        word: app_commands.Range[str, 1, 60],
        document: str | None = None,
        private: bool = False,
    ) -> None:
        """Every use of a word in context, with counts per paragraph and per text."""
        library = await server_library(interaction)
        found = await asyncio.to_thread(concordance, library, word, documents=_documents(library, document))
        doc_id = library.document(document).id if document else ""
        embed = study_embeds.concordance_embed(found, titles(library), 0)
        view = concordance_view(found.word, doc_id, 0, len(found.occurrences))
        extra: dict[str, Any] = {"view": view} if view is not None else {}
        await interaction.response.send_message(embed=embed, ephemeral=private, allowed_mentions=NO_MENTIONS, **extra)

    @app_commands.command(name="trend")
    @app_commands.describe(words="One to five words, e.g. freedom slavery", per="Count per year or per decade")
    async def trend_command(
        self,
        interaction: Interaction,
        words: app_commands.Range[str, 1, 200],
        per: Literal["year", "decade"] | None = None,
    ) -> None:
        """A chart of how often words are used over the years (per 10,000 words of the dated texts)."""
        library = await server_library(interaction)
        texts = list(library.documents.values())
        check_request(texts, words.split())  # bad input is refused privately, before the public "thinking…"
        await interaction.response.defer(thinking=True)
        counted = await asyncio.to_thread(trend, texts, words.split(), bucket=per)  # a large library takes a while
        png = await asyncio.to_thread(trend_picture, counted)
        await interaction.followup.send(
            trend_summary(counted),
            file=discord.File(io.BytesIO(png), filename="trend.png"),
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="card")
    @app_commands.describe(ref=REF_HELP, style="Citation style on the card", document=DOCUMENT_HELP)
    @app_commands.autocomplete(document=document_choices)
    async def card_command(
        self,
        interaction: Interaction,
        ref: app_commands.Range[str, 1, 40],
        style: Literal["mla", "apa", "chicago"] = "mla",
        document: str | None = None,
    ) -> None:
        """A passage as a picture with its citation, for slides and handouts."""
        library = await server_library(interaction)
        document = await server_default(interaction, document)
        # Refuses a passage too long for one card, or letters its font cannot draw, with a hint.
        png, shown = await asyncio.to_thread(card_picture, library, ref, document=document, style=style)
        await interaction.response.send_message(
            f"§{shown} · {library.document(document).title}",
            file=discord.File(io.BytesIO(png), filename=f"card-{shown}.png"),
            allowed_mentions=NO_MENTIONS,
        )


async def register_study(bot: Bot, library: Library | Libraries, store: Store | None) -> None:
    """Add the study commands and their restart-proof buttons; quizzes use the bot's database when it has one."""
    quizzes = QuizService(QuizBook(store), library) if store is not None else None
    await bot.add_cog(StudyCommands(bot, library, quizzes))
    bot.add_dynamic_items(QuizAnswerButton, ConcordancePage)
