"""Quiz rounds for a channel, whatever the platform: ask, take one answer per person, reveal, score.

The platforms only render and send; the rules (one answer each, one reveal, the next question of the round,
scoreboards) live here, on top of the database, so they hold across restarts and processes.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.core.errors import UserError
from bot.core.library import Library
from bot.core.quiz import Question, QuizKind, parse_quiz_kind, quiz_round
from bot.server_texts import Libraries, library_for
from bot.store.quiz import QuizAnswer, QuizBook, QuizQuestion, QuizScore

DEFAULT_SECONDS = 60
MIN_SECONDS, MAX_SECONDS = 10, 600  # a closing edit must land while the platform still lets us edit
DEFAULT_QUESTIONS = 1

PressOutcome = Literal["counted", "again", "closed", "unknown"]


@dataclass(frozen=True, slots=True)
class Asked:
    """A question ready to post: its stored record and the question itself."""

    record: QuizQuestion
    question: Question


@dataclass(frozen=True, slots=True)
class Press:
    """What became of a button press: counted, a second try, too late, or a question we do not know."""

    outcome: PressOutcome
    asked: Asked | None
    earlier_choice: int | None = None


@dataclass(frozen=True, slots=True)
class Reveal:
    """A closed question: the right answer, who gave it, and the round's next question if there is one."""

    asked: Asked
    answers: tuple[QuizAnswer, ...]
    next: Asked | None

    @property
    def right(self) -> list[QuizAnswer]:
        """The people who answered right, in the order they answered."""
        return [a for a in self.answers if a.correct]

    def who_got_it(self, escape: Callable[[str], str]) -> str:
        """`Right (2 of 3): Ana, Cy`, with each name escaped for the platform's markup."""
        answered = len(self.answers)
        if not answered:
            return "Nobody answered."
        right = [escape(a.user_name) for a in self.right]
        if not right:
            return f"Nobody of {answered} got it right."
        return f"Right ({len(right)} of {answered}): " + ", ".join(right)


class QuizService:
    """Runs quiz rounds on the database; every method is safe to call from several processes at once."""

    def __init__(
        self, book: QuizBook, library: Library | Libraries, *, new_key: Callable[[], str] = lambda: secrets.token_hex(6)
    ) -> None:
        self.book = book
        self.library = library
        self.new_key = new_key

    async def start(
        self,
        *,
        platform: str,
        workspace_id: str,
        channel_id: str,
        asked_by: str,
        document: str | None,
        kind: QuizKind | None,
        questions: int,
        seconds: int,
        now: datetime,
        seed: str | None = None,
    ) -> Asked:
        """Make a round (checked here, so a bad option is refused before anything is stored) and ask question 1."""
        if not MIN_SECONDS <= seconds <= MAX_SECONDS:
            raise UserError(f"A question stays open {MIN_SECONDS} to {MAX_SECONDS} seconds.")
        library = library_for(self.library, platform, workspace_id)  # the server's own texts too
        documents = [library.document(document)] if document else list(library.documents.values())
        seed = seed or secrets.token_hex(4)
        made = quiz_round(documents, count=questions, seed=seed, kind=kind)  # refuses what cannot be asked
        return await self._ask(
            question=made[0],
            platform=platform,
            workspace_id=workspace_id,
            channel_id=channel_id,
            asked_by=asked_by,
            seed=seed,
            number=0,
            round_size=len(made),
            kind=kind,
            documents=[d.id for d in documents],
            now=now,
            seconds=seconds,
        )

    async def withdraw(self, asked: Asked, *, now: datetime) -> None:
        """Close a question that could not be posted, so no closer looks for its message."""
        await self.book.close.aio(asked.record.key, now=now)

    async def posted(self, asked: Asked, message_id: str) -> None:
        """Remember the message that shows a question, so its reveal edits that message."""
        await self.book.posted.aio(asked.record.key, message_id)

    async def press(self, key: str, *, user_id: str, user_name: str, choice: int, now: datetime) -> Press:
        """Count a person's first answer; a second press, or one after the time, changes nothing."""
        record = await self.book.question.aio(key)
        if record is None:
            return Press("unknown", None)
        asked = Asked(record, self.rebuild(record))
        if not 0 <= choice < len(asked.question.choices):
            return Press("unknown", asked)
        outcome, earlier = await self.book.answer.aio(
            key,
            user_id=user_id,
            user_name=user_name,
            choice=choice,
            correct=choice == asked.question.answer,
            now=now,
        )
        return Press(outcome, asked, earlier)

    async def close(self, key: str, *, now: datetime) -> Reveal | None:
        """Close a question and ask the round's next one; None when another caller closed it first."""
        record = await self.book.question.aio(key)
        if record is None or not await self.book.close.aio(key, now=now):
            return None
        questions = self._round(record)  # made once: this question and the next come from the same round
        asked = Asked(record, questions[record.number])
        answers = tuple(await self.book.answers.aio(key))
        following = None
        if not record.is_last:
            seconds = int((record.closes_at - record.asked_at).total_seconds())
            following = await self._ask(
                platform=record.platform,
                workspace_id=record.workspace_id,
                channel_id=record.channel_id,
                asked_by=record.asked_by,
                seed=record.seed,
                number=record.number + 1,
                round_size=record.round_size,
                kind=parse_quiz_kind(record.kind),
                documents=record.documents,
                now=now,
                seconds=seconds,
                question=questions[record.number + 1],
            )
        return Reveal(asked, answers, following)

    async def due(self, *, platform: str, now: datetime) -> list[QuizQuestion]:
        """Open questions whose time is up, also those a restart left open."""
        return await self.book.due.aio(platform=platform, now=now)

    async def scores(self, *, platform: str, workspace_id: str) -> list[QuizScore]:
        """The server's or workspace's scoreboard, best first."""
        return await self.book.scores.aio(platform=platform, workspace_id=workspace_id)

    async def reset(self, *, platform: str, workspace_id: str) -> int:
        """Clear the scoreboard; returns how many answers were removed."""
        return await self.book.reset.aio(platform=platform, workspace_id=workspace_id)

    def rebuild(self, record: QuizQuestion) -> Question:
        """The question a record names, made again from its seed (nothing of the text is stored)."""
        questions = self._round(record)
        if not 0 <= record.number < len(questions):
            raise UserError("That question is no longer open.")
        return questions[record.number]

    def _round(self, record: QuizQuestion) -> tuple[Question, ...]:
        library = library_for(self.library, record.platform, record.workspace_id)
        documents = [library.document(doc_id) for doc_id in record.documents]
        return quiz_round(documents, count=record.round_size, seed=record.seed, kind=parse_quiz_kind(record.kind))

    async def _ask(
        self,
        *,
        platform: str,
        workspace_id: str,
        channel_id: str,
        asked_by: str,
        seed: str,
        number: int,
        round_size: int,
        kind: QuizKind | None,
        documents: Sequence[str],
        now: datetime,
        seconds: int,
        question: Question | None = None,
    ) -> Asked:
        record = await self.book.ask.aio(
            key=self.new_key(),
            platform=platform,
            workspace_id=workspace_id,
            channel_id=channel_id,
            seed=seed,
            number=number,
            round_size=round_size,
            kind=kind,
            documents=documents,
            asked_by=asked_by,
            now=now,
            closes_at=now + timedelta(seconds=seconds),
        )
        return Asked(record, question if question is not None else self.rebuild(record))
