"""Quiz questions, answers and scoreboards in the project's database, so a restart loses no round."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from bot.store.base import Row, SqlStore, _dt, _ts
from bot.store.blocking import blocking

_QUESTION_COLUMNS = (
    "key, platform, workspace_id, channel_id, message_id, seed, number, round_size, kind, documents, "
    "asked_by, asked_at, closes_at, closed_at"
)
AnswerOutcome = Literal["counted", "again", "closed"]


@dataclass(frozen=True, slots=True)
class QuizQuestion:
    """One asked question: where it was asked and how to rebuild it from its seed."""

    key: str
    platform: str
    workspace_id: str
    channel_id: str
    message_id: str | None
    seed: str
    number: int  # from 0, within the round
    round_size: int
    kind: str | None  # None: mixed kinds
    documents: tuple[str, ...]
    asked_by: str
    asked_at: datetime
    closes_at: datetime
    closed_at: datetime | None

    @property
    def is_last(self) -> bool:
        """Whether this is the round's final question."""
        return self.number + 1 >= self.round_size


@dataclass(frozen=True, slots=True)
class QuizAnswer:
    """A person's one answer to a question."""

    user_id: str
    user_name: str
    choice: int
    correct: bool


@dataclass(frozen=True, slots=True)
class QuizScore:
    """A person's line on the scoreboard of one server or workspace."""

    user_id: str
    user_name: str
    right: int
    answered: int


def _question(row: Row) -> QuizQuestion:
    return QuizQuestion(
        key=row[0],
        platform=row[1],
        workspace_id=row[2],
        channel_id=row[3],
        message_id=row[4],
        seed=row[5],
        number=int(row[6]),
        round_size=int(row[7]),
        kind=row[8],
        documents=tuple(d for d in row[9].split(",") if d),
        asked_by=row[10],
        asked_at=datetime.fromtimestamp(row[11], UTC),
        closes_at=datetime.fromtimestamp(row[12], UTC),
        closed_at=_dt(row[13]),
    )


class QuizBook:
    """The quiz tables behind one small interface; every method is one short statement or transaction."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    @blocking
    def ask(
        self,
        *,
        key: str,
        platform: str,
        workspace_id: str,
        channel_id: str,
        seed: str,
        number: int,
        round_size: int,
        kind: str | None,
        documents: Sequence[str],
        asked_by: str,
        now: datetime,
        closes_at: datetime,
    ) -> QuizQuestion:
        """Record a question about to be posted (its message id follows once it is)."""
        rows = self.store._rows(
            f"INSERT INTO quiz_questions ({_QUESTION_COLUMNS}) "  # noqa: S608 - constant columns
            "VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, NULL) "
            f"RETURNING {_QUESTION_COLUMNS}",
            (
                key,
                platform,
                workspace_id,
                channel_id,
                seed,
                number,
                round_size,
                kind,
                ",".join(documents),
                asked_by,
                _ts(now),
                _ts(closes_at),
            ),
        )
        return _question(rows[0])

    @blocking
    def posted(self, key: str, message_id: str) -> None:
        """Remember the message that shows the question, so closing it can edit that message."""
        self.store._count("UPDATE quiz_questions SET message_id = ? WHERE key = ?", (message_id, key))

    @blocking
    def question(self, key: str) -> QuizQuestion | None:
        """A question by its key (from a button's id), or None when it is unknown or was reset."""
        rows = self.store._rows(
            f"SELECT {_QUESTION_COLUMNS} FROM quiz_questions WHERE key = ?",  # noqa: S608 - constant columns
            (key,),
        )
        return _question(rows[0]) if rows else None

    @blocking
    def answer(
        self, key: str, *, user_id: str, user_name: str, choice: int, correct: bool, now: datetime
    ) -> tuple[AnswerOutcome, int | None]:
        """Count a person's first answer while the question is open; a second press changes nothing.

        Returns the outcome and, for `again`, the choice counted the first time.
        """
        with self.store._tx():
            inserted = self.store._execute(
                "INSERT INTO quiz_answers (question_key, user_id, user_name, choice, correct, answered_at) "
                "SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM quiz_questions "
                "WHERE key = ? AND closed_at IS NULL AND closes_at > ?) "
                "ON CONFLICT (question_key, user_id) DO NOTHING",
                (key, user_id, user_name[:100], choice, int(correct), _ts(now), key, _ts(now)),
            )[1]
            if inserted:
                return "counted", None
            earlier = self.store._execute(
                "SELECT choice FROM quiz_answers WHERE question_key = ? AND user_id = ?", (key, user_id)
            )[0]
        if earlier:
            return "again", int(earlier[0][0])
        return "closed", None

    @blocking
    def answers(self, key: str) -> list[QuizAnswer]:
        """Everyone's answer to a question, in the order they answered."""
        rows = self.store._rows(
            "SELECT user_id, user_name, choice, correct FROM quiz_answers WHERE question_key = ? "
            "ORDER BY answered_at, user_id",
            (key,),
        )
        return [QuizAnswer(r[0], r[1], int(r[2]), bool(r[3])) for r in rows]

    @blocking
    def close(self, key: str, *, now: datetime) -> bool:
        """Close a question; True for the one caller that closed it, so only one reveals the answer."""
        return bool(
            self.store._count(
                "UPDATE quiz_questions SET closed_at = ? WHERE key = ? AND closed_at IS NULL", (_ts(now), key)
            )
        )

    @blocking
    def due(self, *, platform: str, now: datetime, limit: int = 100) -> list[QuizQuestion]:
        """Open questions whose time is up (also those a restart left open), oldest first."""
        rows = self.store._rows(
            f"SELECT {_QUESTION_COLUMNS} FROM quiz_questions "  # noqa: S608 - constant columns
            "WHERE platform = ? AND closed_at IS NULL AND closes_at <= ? ORDER BY closes_at, key LIMIT ?",
            (platform, _ts(now), limit),
        )
        return [_question(r) for r in rows]

    @blocking
    def scores(self, *, platform: str, workspace_id: str, limit: int = 10) -> list[QuizScore]:
        """The scoreboard of a server or workspace: most right answers first."""
        rows = self.store._rows(
            "SELECT a.user_id, MAX(a.user_name), SUM(a.correct), COUNT(*) FROM quiz_answers a "
            "JOIN quiz_questions q ON q.key = a.question_key "
            "WHERE q.platform = ? AND q.workspace_id = ? "
            "GROUP BY a.user_id ORDER BY SUM(a.correct) DESC, COUNT(*) ASC, a.user_id LIMIT ?",
            (platform, workspace_id, limit),
        )
        return [QuizScore(r[0], r[1], int(r[2]), int(r[3])) for r in rows]

    @blocking
    def reset(self, *, platform: str, workspace_id: str) -> int:
        """Clear a scoreboard (managers only): the answers go, closed questions with them; returns answers removed."""
        with self.store._tx():
            removed = self.store._execute(
                "DELETE FROM quiz_answers WHERE question_key IN "
                "(SELECT key FROM quiz_questions WHERE platform = ? AND workspace_id = ?)",
                (platform, workspace_id),
            )[1]
            self.store._execute(
                "DELETE FROM quiz_questions WHERE platform = ? AND workspace_id = ? AND closed_at IS NOT NULL",
                (platform, workspace_id),
            )
        return removed
