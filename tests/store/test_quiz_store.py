"""Quiz storage on both backends: one answer per person, one closer per question, scoreboards and resets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from bot.store import Store
from bot.store.base import SqlStore
from bot.store.quiz import QuizBook

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def book(store: Store) -> QuizBook:
    return QuizBook(cast(SqlStore, store))


def ask(book: QuizBook, key: str, *, workspace: str = "g1", seconds: int = 60, number: int = 0) -> None:
    book.ask(
        key=key,
        platform="discord",
        workspace_id=workspace,
        channel_id="c1",
        seed="s",
        number=number,
        round_size=3,
        kind=None,
        documents=["secret-speech"],
        asked_by="u0",
        now=NOW,
        closes_at=NOW + timedelta(seconds=seconds),
    )


def test_a_question_is_stored_with_what_rebuilds_it(book: QuizBook) -> None:
    ask(book, "q1")
    book.posted("q1", "m1")
    question = book.question("q1")
    assert question is not None
    assert (question.seed, question.number, question.round_size, question.documents) == ("s", 0, 3, ("secret-speech",))
    assert question.message_id == "m1" and question.closed_at is None and not question.is_last
    assert book.question("nope") is None


def test_only_the_first_answer_of_each_person_counts(book: QuizBook) -> None:
    ask(book, "q1")
    first = book.answer("q1", user_id="ana", user_name="Ana", choice=2, correct=True, now=NOW)
    again = book.answer("q1", user_id="ana", user_name="Ana", choice=1, correct=False, now=NOW)
    other = book.answer("q1", user_id="ben", user_name="Ben", choice=1, correct=False, now=NOW)
    assert first == ("counted", None) and again == ("again", 2) and other == ("counted", None)
    assert [(a.user_id, a.choice, a.correct) for a in book.answers("q1")] == [("ana", 2, True), ("ben", 1, False)]


def test_answers_after_the_time_limit_or_closing_are_refused(book: QuizBook) -> None:
    ask(book, "q1", seconds=30)
    late = book.answer("q1", user_id="ana", user_name="Ana", choice=0, correct=True, now=NOW + timedelta(seconds=31))
    assert late == ("closed", None)
    ask(book, "q2", seconds=300)
    assert book.close("q2", now=NOW)
    assert book.answer("q2", user_id="ana", user_name="Ana", choice=0, correct=True, now=NOW)[0] == "closed"
    assert book.answers("q1") == [] and book.answers("q2") == []


def test_a_question_is_closed_by_exactly_one_caller(book: QuizBook) -> None:
    ask(book, "q1")
    assert [book.close("q1", now=NOW) for _ in range(3)] == [True, False, False]


def test_due_lists_open_questions_whose_time_is_up(book: QuizBook) -> None:
    ask(book, "soon", seconds=10)
    ask(book, "later", seconds=600)
    ask(book, "done", seconds=5)
    book.close("done", now=NOW)
    assert [q.key for q in book.due(platform="discord", now=NOW + timedelta(seconds=60))] == ["soon"]
    assert book.due(platform="slack", now=NOW + timedelta(days=1)) == []


def test_scoreboard_ranks_by_right_answers_per_server_and_resets(book: QuizBook) -> None:
    for key in ("q1", "q2", "q3"):
        ask(book, key)
    ask(book, "elsewhere", workspace="g2")
    marks = {"ana": (True, True, False), "ben": (True, False, False), "cy": (True, True, True)}
    for person, results in marks.items():
        for key, right in zip(("q1", "q2", "q3"), results, strict=True):
            book.answer(key, user_id=person, user_name=person.title(), choice=0, correct=right, now=NOW)
    book.answer("elsewhere", user_id="dee", user_name="Dee", choice=0, correct=True, now=NOW)
    board = book.scores(platform="discord", workspace_id="g1")
    assert [(s.user_name, s.right, s.answered) for s in board] == [("Cy", 3, 3), ("Ana", 2, 3), ("Ben", 1, 3)]
    assert book.reset(platform="discord", workspace_id="g1") == 9
    assert book.scores(platform="discord", workspace_id="g1") == []
    assert [s.user_name for s in book.scores(platform="discord", workspace_id="g2")] == ["Dee"]
