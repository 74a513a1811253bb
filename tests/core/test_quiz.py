"""Quiz questions: one right answer, fair distractors, the same round from the same seed."""

from __future__ import annotations

import pytest

from bot.core.concordance import word_key
from bot.core.corpus import Document
from bot.core.errors import UserError
from bot.core.library import Library
from bot.core.normalize import STOPWORDS
from bot.core.quiz import GAP, KINDS, MAX_ROUND, Question, correct_answerers, quiz_round, speaker_label
from tests.core.study_texts import speeches

SEEDS = [f"seed-{n}" for n in range(40)]


def right_answers(question: Question, documents: list[Document]) -> list[int]:
    """Every choice that would be a correct answer, judged from the texts themselves."""
    by_id = {d.id: d for d in documents}
    document = by_id[question.document_id]
    paragraph, number = (int(part) for part in question.ref.split("."))
    sentence = document.paragraphs[paragraph - 1].sentences[number - 1].text
    correct = []
    for index, choice in enumerate(question.choices):
        if question.kind == "paragraph":
            ok = sentence in document.paragraphs[int(choice.lstrip("§")) - 1].text
        elif question.kind == "gap":
            ok = question.prompt.replace(GAP, choice) == sentence or any(
                question.prompt.replace(GAP, variant) == s.text
                for variant in (choice, choice.lower(), choice.capitalize())
                for d in documents
                for s in d.sentences
            )
        else:
            ok = any(speaker_label(d) == choice and any(s.text == sentence for s in d.sentences) for d in documents)
        if ok:
            correct.append(index)
    return correct


@pytest.mark.parametrize("seed", SEEDS)
def test_every_seed_question_has_exactly_one_right_answer(library: Library, seed: str) -> None:
    documents = list(library.documents.values())
    for question in quiz_round(documents, count=8, seed=seed):
        assert right_answers(question, documents) == [question.answer], question
        assert len(set(question.choices)) == len(question.choices)


@pytest.mark.parametrize("seed", SEEDS[:15])
def test_who_said_it_needs_and_uses_several_speakers(seed: str) -> None:
    documents = speeches()
    round_ = quiz_round(documents, count=6, seed=seed, kind="speaker")
    for question in round_:
        assert right_answers(question, documents) == [question.answer]
        assert len(question.choices) == 3  # three speakers loaded, so three choices


def test_who_said_it_is_refused_with_one_speaker(library: Library) -> None:
    with pytest.raises(UserError, match="two speakers"):
        quiz_round(list(library.documents.values()), count=3, seed="x", kind="speaker")


def test_same_seed_same_round_and_different_seeds_differ(library: Library) -> None:
    documents = list(library.documents.values())
    first = quiz_round(documents, count=6, seed="lesson-3")
    assert first == quiz_round(documents, count=6, seed="lesson-3")
    assert any(quiz_round(documents, count=6, seed=s) != first for s in SEEDS)


def test_no_sentence_is_asked_twice_in_a_round_of_the_tiny_seed(library: Library) -> None:
    documents = list(library.documents.values())
    round_ = quiz_round(documents, count=MAX_ROUND, seed="long")
    asked = [(q.document_id, q.ref) for q in round_]
    assert len(asked) == len(set(asked))
    assert len(round_) >= 12  # the excerpt has 15 sentences; nearly all make a question


@pytest.mark.parametrize("seed", SEEDS)
def test_gap_distractors_are_real_words_of_the_text_and_not_stopwords(library: Library, seed: str) -> None:
    documents = list(library.documents.values())
    text = " ".join(p.text for p in documents[0].paragraphs).lower()
    for question in quiz_round(documents, count=5, seed=seed, kind="gap"):
        keys = {word_key(choice) for choice in question.choices}
        assert len(keys) == len(question.choices)  # no two forms of one word
        for choice in question.choices:
            assert choice.lower() in text
            assert choice.lower() not in STOPWORDS
        assert GAP in question.prompt


def test_kinds_and_round_size_are_checked(library: Library) -> None:
    documents = list(library.documents.values())
    assert set(KINDS) == {"paragraph", "gap", "speaker"}
    with pytest.raises(UserError):
        quiz_round(documents, count=0, seed="x")
    with pytest.raises(UserError):
        quiz_round(documents, count=MAX_ROUND + 1, seed="x")


def test_typed_answers_are_read_by_letter_number_or_text() -> None:
    question = Question("gap", f"a {GAP} b", ("glaring", "pertaining", "demanding", "following"), 0, "d", "1.1")
    assert [question.choice_index(a) for a in ("a", "B)", "3", "following", "e", "", "x y")] == [
        0,
        1,
        2,
        3,
        None,
        None,
        None,
    ]


def test_only_first_right_answers_count_in_order() -> None:
    question = Question("gap", f"a {GAP} b", ("w", "x", "y", "z"), 2, "d", "1.1")
    assert correct_answerers(question, {"ana": 2, "ben": 1, "cy": 2}) == ["ana", "cy"]
