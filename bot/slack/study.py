"""Study commands on Slack: `/speech quiz|concordance|trend|card`, quiz answer buttons and their reveal."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.concordance import concordance
from bot.core.corpus import Document
from bot.core.errors import UserError
from bot.core.library import Library
from bot.core.quiz import MAX_ROUND, QuizKind, parse_quiz_kind
from bot.core.trend import Bucket, trend
from bot.pictures.made import card_picture, trend_picture, trend_summary
from bot.quiz_service import DEFAULT_SECONDS, Asked, QuizService, Reveal
from bot.slack import study_blocks
from bot.slack.blocks import SlackMessage, error_message
from bot.slack.config import PLATFORM
from bot.store.quiz import QuizBook

if TYPE_CHECKING:
    from bot.daily.service import DailyService

log = logging.getLogger("speechbot.slack")

SUBCOMMANDS = frozenset({"quiz", "concordance", "trend", "card"})
CLOSER_INTERVAL = 2.0
_SECONDS = re.compile(r"^(\d{1,4})s$", re.IGNORECASE)
_DOCUMENT = re.compile(r"^in:(\S+)$", re.IGNORECASE)
ClientFor = Callable[[str], Awaitable[AsyncWebClient]]
SLACK_ERRORS = (SlackApiError, aiohttp.ClientError, OSError, TimeoutError)


@dataclass(frozen=True, slots=True)
class QuizRequest:
    """`quiz gap 5 30s in:doc` read into the round's options."""

    kind: QuizKind | None = None
    questions: int = 1
    seconds: int = DEFAULT_SECONDS
    document: str | None = None


def parse_quiz(words: list[str], command: str) -> QuizRequest:
    """Read a quiz's options in any order: a kind, a number of questions, `30s`, `in:<text>`."""
    kind: QuizKind | None = None
    questions, seconds, document = 1, DEFAULT_SECONDS, None
    for word in words:
        if word.isdigit():
            questions = int(word)
        elif match := _SECONDS.match(word):
            seconds = int(match.group(1))
        elif match := _DOCUMENT.match(word):
            document = match.group(1)
        else:
            try:
                kind = parse_quiz_kind(word)
            except UserError:
                raise UserError(
                    f"I did not understand `{word[:30]}`. Try `{command} quiz`, `{command} quiz gap 5 30s` "
                    f"(kind, questions up to {MAX_ROUND}, seconds), `{command} quiz scores` or `quiz reset`."
                ) from None
    return QuizRequest(kind, questions, seconds, document)


class SlackStudy:
    """The study subcommands and buttons, bound to one library, quiz service, command name and clock."""

    def __init__(
        self, library: Library, quizzes: QuizService | None, command_name: str, now: Callable[[], datetime]
    ) -> None:
        self.library = library
        self.quizzes = quizzes
        self.command_name = command_name
        self.now = now

    async def run(self, words: list[str], command: dict[str, Any], client: AsyncWebClient) -> SlackMessage | None:
        """One study subcommand; a message for the asker, or None when the answer went to the channel."""
        name, args = words[0].lower(), words[1:]
        try:
            if name == "quiz":
                return await self._quiz(args, command, client)
            if name == "concordance":
                return self._concordance(args)
            if name == "trend":
                return await self._trend(args, command, client)
            return await self._card(args, command, client)
        except UserError as problem:
            return error_message(problem.message)

    async def _quiz(self, args: list[str], command: dict[str, Any], client: AsyncWebClient) -> SlackMessage | None:
        team, channel, user = command.get("team_id", ""), command.get("channel_id", ""), command.get("user_id", "")
        service = self._service()
        if args and args[0].lower() == "scores":
            return study_blocks.scores_message(await service.scores(platform=PLATFORM, workspace_id=team))
        if args and args[0].lower() == "reset":
            if not await _is_admin(client, user):
                raise UserError("Only a workspace admin or owner can reset the quiz scores.")
            removed = await service.reset(platform=PLATFORM, workspace_id=team)
            return SlackMessage(text=f"The quiz scores are cleared ({removed} answers removed).")
        request = parse_quiz(args, self.command_name)
        asked = await service.start(
            platform=PLATFORM,
            workspace_id=team,
            channel_id=channel,
            asked_by=user,
            document=request.document,
            kind=request.kind,
            questions=request.questions,
            seconds=request.seconds,
            now=self.now(),
        )
        await self._post_question(client, asked)
        return None

    async def _post_question(self, client: AsyncWebClient, asked: Asked) -> None:
        message = study_blocks.question_message(asked)
        try:
            posted = await client.chat_postMessage(
                channel=asked.record.channel_id, text=message.text, blocks=message.blocks, unfurl_links=False
            )
        except SlackApiError as error:
            await self._service().withdraw(asked, now=self.now())
            if error.response.get("error") in ("not_in_channel", "channel_not_found"):
                raise UserError(
                    "Invite me to this channel first (`/invite @speechbot`), then start the quiz."
                ) from error
            raise
        await self._service().posted(asked, str(posted["ts"]))

    def _concordance(self, args: list[str]) -> SlackMessage:
        document, words = _split_document(args)
        if not words:
            raise UserError(f"Which word? Try `{self.command_name} concordance enemy`.")
        texts = self._documents(document)
        found = concordance(self.library, " ".join(words), documents=texts)
        doc_id = texts[0].id if document else ""
        titles = {d.id: d.title for d in self.library.documents.values()}
        return study_blocks.concordance_message(found, titles, 0, doc_id)

    async def _trend(self, args: list[str], command: dict[str, Any], client: AsyncWebClient) -> SlackMessage:
        bucket: Bucket | None = None
        words = []
        for word in args:
            if word.lower() in ("per:year", "per:decade"):
                bucket = "year" if word.lower() == "per:year" else "decade"
            else:
                words.append(word)
        counted = await asyncio.to_thread(trend, list(self.library.documents.values()), words, bucket=bucket)
        png = await asyncio.to_thread(trend_picture, counted)
        await self._upload(client, command, png, "trend.png", trend_summary(counted))
        return SlackMessage(text="The chart is in the channel.")

    async def _card(self, args: list[str], command: dict[str, Any], client: AsyncWebClient) -> SlackMessage:
        document, refs = _split_document(args)
        if len(refs) != 1:
            raise UserError(f"Which passage? Try `{self.command_name} card 3.1`.")
        png, shown = await asyncio.to_thread(card_picture, self.library, refs[0], document=document)
        title = self.library.document(document).title
        await self._upload(client, command, png, f"card-{shown}.png", f"§{shown} · {title}")
        return SlackMessage(text="The card is in the channel.")

    async def _upload(
        self, client: AsyncWebClient, command: dict[str, Any], png: bytes, filename: str, comment: str
    ) -> None:
        try:
            await client.files_upload_v2(
                channel=command.get("channel_id", ""), content=png, filename=filename, initial_comment=comment
            )
        except SlackApiError as error:
            if error.response.get("error") in ("not_in_channel", "channel_not_found", "missing_scope"):
                raise UserError(
                    "I cannot share files here: invite me to the channel (`/invite @speechbot`) "
                    "and make sure the app has the files:write scope."
                ) from error
            raise

    async def on_answer(
        self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """A quiz answer button: count the first answer privately; after the time, reveal in place."""
        await ack()
        value = _value(body)
        key, choice = value.get("k"), value.get("c")
        user = body.get("user") or {}
        if not isinstance(key, str) or not isinstance(choice, int) or self.quizzes is None:
            await respond(text="That button has expired.", response_type="ephemeral", replace_original=False)
            return
        name = str(user.get("name") or user.get("username") or "someone")
        press = await self.quizzes.press(
            key, user_id=str(user.get("id", "")), user_name=name, choice=choice, now=self.now()
        )
        if press.asked is None or press.outcome == "unknown":
            text = "This quiz question is no longer known (its scores were reset)."
        elif press.outcome == "counted":
            text = f"Counted: *{press.asked.question.letter(choice)}*. The answer is shown when the question closes."
        elif press.outcome == "again" and press.earlier_choice is not None:
            text = f"You already answered *{press.asked.question.letter(press.earlier_choice)}*."
        else:
            reveal = await self.quizzes.close(key, now=self.now())
            if reveal is not None:
                await self.show_reveal(client, reveal)
                return
            text = "This question has closed; the answer is shown on it."
        await respond(text=text, response_type="ephemeral", replace_original=False)

    async def on_concordance_more(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        """ "More uses": replace the private page with the next one."""
        await ack()
        value = _value(body)
        word, offset, document = value.get("w"), value.get("o"), value.get("d")
        if not isinstance(word, str) or not isinstance(offset, int) or offset < 0:
            await respond(**error_message("That button has expired; look the word up again.").as_kwargs())
            return
        try:
            texts = self._documents(document if isinstance(document, str) and document else None)
            found = concordance(self.library, word, documents=texts)
        except UserError as problem:
            await respond(**error_message(problem.message).as_kwargs())
            return
        titles = {d.id: d.title for d in self.library.documents.values()}
        message = study_blocks.concordance_message(found, titles, min(offset, len(found.occurrences)), document or "")
        await respond(**message.as_kwargs(), replace_original=True)

    async def show_reveal(self, client: AsyncWebClient, reveal: Reveal) -> None:
        """Edit the question into its answer, then post the round's next question."""
        record = reveal.asked.record
        document = self.library.document(reveal.asked.question.document_id)
        message = study_blocks.reveal_message(reveal, document)
        if record.message_id is not None:
            await client.chat_update(
                channel=record.channel_id, ts=record.message_id, text=message.text, blocks=message.blocks
            )
        if reveal.next is not None:
            await self._post_question(client, reveal.next)

    async def close_due(self, client_for: ClientFor) -> int:
        """Reveal every question whose time is up (also those a restart left open)."""
        if self.quizzes is None:
            return 0
        closed = 0
        now = self.now()
        for record in await self.quizzes.due(platform=PLATFORM, now=now):
            reveal = await self.quizzes.close(record.key, now=now)
            if reveal is None:
                continue
            closed += 1
            try:
                await self.show_reveal(await client_for(record.workspace_id), reveal)
            except (UserError, *SLACK_ERRORS) as problem:
                log.warning("could not show a quiz answer in %s: %s", record.channel_id, type(problem).__name__)
        return closed

    async def run_closer(self, client_for: ClientFor, stop: asyncio.Event) -> None:
        """Close due questions every few seconds until stopped."""
        while not stop.is_set():
            try:
                await self.close_due(client_for)
            except Exception:  # the database may be briefly away; look again on the next round
                log.exception("closing due quiz questions failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), CLOSER_INTERVAL)

    def _service(self) -> QuizService:
        if self.quizzes is None:
            raise UserError("Quizzes need the bot's database, which this process was started without.")
        return self.quizzes

    def _documents(self, document: str | None) -> list[Document]:
        return [self.library.document(document)] if document else list(self.library.documents.values())


async def _is_admin(client: AsyncWebClient, user: str) -> bool:
    try:
        info = await client.users_info(user=user)
    except SLACK_ERRORS as error:
        raise UserError("I could not check whether you are a workspace admin just now; please try again.") from error
    person = info.get("user") or {}
    return bool(person.get("is_admin") or person.get("is_owner"))


def _split_document(words: list[str]) -> tuple[str | None, list[str]]:
    """The `in:<text>` option (the last one wins) and the other words."""
    document = None
    rest = []
    for word in words:
        match = _DOCUMENT.match(word)
        if match:
            document = match.group(1)
        else:
            rest.append(word)
    return document, rest


def _value(body: dict[str, Any]) -> dict[str, Any]:
    actions = body.get("actions") or [{}]
    raw = actions[0].get("value")
    try:
        value = json.loads(raw) if isinstance(raw, str) else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def slack_study(
    library: Library, daily: DailyService | None, command_name: str, now: Callable[[], datetime]
) -> SlackStudy:
    """The study commands for one Slack app; quizzes keep their rounds in the daily service's database."""
    quizzes = QuizService(QuizBook(daily.store), library) if daily is not None else None
    return SlackStudy(library, quizzes, command_name, now)


def clients_of(app: AsyncApp) -> ClientFor:
    """How the closer reaches a workspace: the app's own token, or the installation of that team."""

    async def client_for(team_id: str) -> AsyncWebClient:
        store = app.installation_store
        if store is None:
            return app.client
        bot = await store.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise UserError("the app is no longer installed in this workspace")
        return AsyncWebClient(token=bot.bot_token, base_url=app.client.base_url, logger=app.client.logger)

    return client_for


@dataclass
class QuizCloser:
    """The background loop that reveals quiz answers when their time is up, for one running Slack app."""

    task: asyncio.Task[None]
    stop: asyncio.Event

    @classmethod
    def start(cls, study: SlackStudy, app: AsyncApp) -> QuizCloser | None:
        """Start closing due questions (None when quizzes are off: no database)."""
        if study.quizzes is None:
            return None
        stop = asyncio.Event()
        return cls(asyncio.create_task(study.run_closer(clients_of(app), stop)), stop)

    async def close(self) -> None:
        """Stop the loop and wait for it."""
        self.stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self.task, CLOSER_INTERVAL * 2)
