"""Quiz questions drawn from the loaded texts: which paragraph, fill the gap, who said it.

Questions are made from the text, never written by hand, and the same seed always gives the same round, so a
question can be rebuilt from its seed after a restart instead of being stored.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.core.corpus import Document, Sentence
from bot.core.errors import UserError
from bot.core.normalize import STOPWORDS, normalize_word, stem

QuizKind = Literal["paragraph", "gap", "speaker"]
KINDS: tuple[QuizKind, ...] = ("paragraph", "gap", "speaker")
KIND_NAMES: dict[QuizKind, str] = {"paragraph": "which paragraph", "gap": "fill the gap", "speaker": "who said it"}
ASKS: dict[QuizKind, str] = {
    "paragraph": "In which paragraph does this sentence stand?",
    "gap": "Which word fills the gap?",
    "speaker": "Who said this?",
}
CHOICES = 4
LETTERS = "abcd"
GAP = "_____"
MAX_ROUND = 20
# A sentence worth asking about reads on its own: not a fragment, not a page of text.
MIN_SENTENCE_CHARS = 40
MAX_SENTENCE_CHARS = 400
MIN_GAP_WORD_CHARS = 4

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


@dataclass(frozen=True, slots=True)
class Question:
    """One question: the prompt, four (or, in a tiny text, fewer) choices and which one is right."""

    kind: QuizKind
    prompt: str  # the sentence shown; for `gap`, with the missing word replaced by GAP
    choices: tuple[str, ...]
    answer: int  # index into choices
    document_id: str
    ref: str  # the sentence the question is made from, for the citation shown with the answer

    @property
    def answer_text(self) -> str:
        """The right choice as shown."""
        return self.choices[self.answer]

    @property
    def asks(self) -> str:
        """The question put to the class, e.g. "Which word fills the gap?"."""
        return ASKS[self.kind]

    def letter(self, index: int) -> str:
        """The letter a choice is answered by (`a`-`d`)."""
        return LETTERS[index]

    def choice_index(self, answer: str) -> int | None:
        """The choice a typed answer names (`b`, `B`, `2`, or the choice's text), else None."""
        typed = answer.strip().lower().rstrip(").")
        if len(typed) == 1 and typed in LETTERS[: len(self.choices)]:
            return LETTERS.index(typed)
        if typed.isdigit() and 1 <= int(typed) <= len(self.choices):
            return int(typed) - 1
        for index, choice in enumerate(self.choices):
            if typed == choice.lower():
                return index
        return None


def parse_quiz_kind(text: str | None) -> QuizKind | None:
    """`paragraph`, `gap` or `speaker` (also `which`, `fill`, `who`); None for mixed."""
    if text is None or not text.strip() or text.strip().lower() in ("mixed", "any", "all"):
        return None
    word = text.strip().lower()
    aliases: dict[str, QuizKind] = {"which": "paragraph", "fill": "gap", "who": "speaker", "said": "speaker"}
    if word in KINDS:
        return word
    if word in aliases:
        return aliases[word]
    raise UserError("Quiz kinds: `paragraph` (which paragraph), `gap` (fill the gap), `speaker` (who said it).")


def quiz_round(
    documents: Sequence[Document], *, count: int, seed: str, kind: QuizKind | None = None
) -> tuple[Question, ...]:
    """`count` questions, none on the same sentence twice; mixed kinds unless one is asked for."""
    if not 1 <= count <= MAX_ROUND:
        raise UserError(f"A round has 1 to {MAX_ROUND} questions.")
    kinds = [kind] if kind is not None else available_kinds(documents)
    if not kinds or (kind is not None and kind not in available_kinds(documents)):
        raise UserError(_unavailable(kind, documents))
    rng = random.Random(seed)  # noqa: S311 - reproducible questions, not secrets
    questions: list[Question] = []
    used: set[tuple[str, str]] = set()
    for number in range(count):
        made = _first_question(documents, kinds[number % len(kinds)], rng, used) or _any_question(
            documents, kinds, rng, used
        )
        if made is None:
            break
        used.add((made.document_id, made.ref))
        questions.append(made)
    if not questions:
        raise UserError(_unavailable(kind, documents))
    return tuple(questions)


def available_kinds(documents: Sequence[Document]) -> list[QuizKind]:
    """The kinds of question these texts can make fairly."""
    kinds: list[QuizKind] = []
    if any(len(d.paragraphs) >= 2 for d in documents):
        kinds.append("paragraph")
    kinds.append("gap")
    if len({speaker_label(d) for d in documents}) >= 2:
        kinds.append("speaker")
    return kinds


def speaker_label(document: Document) -> str:
    """Who a `who said it` choice names: the speaker, or the text's title when no speaker is known."""
    return document.meta.speaker or document.title


def correct_answerers(question: Question, answers: Mapping[str, int]) -> list[str]:
    """The people whose (single, first) answer was right, in the order they answered."""
    return [person for person, choice in answers.items() if choice == question.answer]


def _unavailable(kind: QuizKind | None, documents: Sequence[Document]) -> str:
    if kind == "speaker":
        return "A `who said it` question needs texts by at least two speakers; only one is loaded."
    if kind == "paragraph":
        return "A `which paragraph` question needs a text of at least two paragraphs."
    return "These texts have no sentence long enough to make a fair question from."


def _any_question(
    documents: Sequence[Document], kinds: list[QuizKind], rng: random.Random, used: set[tuple[str, str]]
) -> Question | None:
    for kind in kinds:
        made = _first_question(documents, kind, rng, used)
        if made is not None:
            return made
    return None


def _first_question(
    documents: Sequence[Document], kind: QuizKind, rng: random.Random, used: set[tuple[str, str]]
) -> Question | None:
    """A question of `kind` on a sentence not used yet, trying sentences in a seeded order."""
    candidates = [
        (document, sentence)
        for document in documents
        for sentence in document.sentences
        if (document.id, sentence.ref) not in used and MIN_SENTENCE_CHARS <= len(sentence.text) <= MAX_SENTENCE_CHARS
    ]
    rng.shuffle(candidates)
    for document, sentence in candidates[:200]:  # bounded: a large library need not be walked whole
        made = _make(kind, documents, document, sentence, rng)
        if made is not None:
            return made
    return None


def _make(
    kind: QuizKind, documents: Sequence[Document], document: Document, sentence: Sentence, rng: random.Random
) -> Question | None:
    if kind == "paragraph":
        return _which_paragraph(document, sentence, rng)
    if kind == "gap":
        return _fill_the_gap(document, sentence, rng)
    return _who_said_it(documents, document, sentence, rng)


def _which_paragraph(document: Document, sentence: Sentence, rng: random.Random) -> Question | None:
    """Which paragraph holds this sentence? Only when the sentence stands in one paragraph alone."""
    if len(document.paragraphs) < 2 or _occurs_elsewhere(document, sentence):
        return None
    others = [p.number for p in document.paragraphs if p.number != sentence.paragraph]
    numbers = [sentence.paragraph, *rng.sample(others, min(CHOICES - 1, len(others)))]
    numbers.sort()
    choices = tuple(f"§{n}" for n in numbers)
    return Question("paragraph", sentence.text, choices, numbers.index(sentence.paragraph), document.id, sentence.ref)


def _fill_the_gap(document: Document, sentence: Sentence, rng: random.Random) -> Question | None:
    """A sentence with one telling word taken out, and three words of the same text that could stand there."""
    spans = [m for m in _WORD.finditer(sentence.text) if m.start() > 0 and _is_gap_word(m.group())]
    if not spans:
        return None
    keys_in_sentence = {_key(m.group()) for m in _WORD.finditer(sentence.text)}
    rng.shuffle(spans)
    for chosen in spans[:5]:
        word = chosen.group()
        if sum(_key(m.group()) == _key(word) for m in _WORD.finditer(sentence.text)) > 1:
            continue  # a word used twice in the sentence would give the answer away
        distractors = _distractors(document, word, keys_in_sentence, rng)
        if len(distractors) < CHOICES - 1:
            continue
        choices = [word, *distractors]
        rng.shuffle(choices)
        prompt = sentence.text[: chosen.start()] + GAP + sentence.text[chosen.end() :]
        return Question("gap", prompt, tuple(choices), choices.index(word), document.id, sentence.ref)
    return None


def _who_said_it(
    documents: Sequence[Document], document: Document, sentence: Sentence, rng: random.Random
) -> Question | None:
    """Whose words are these? Only when no other speaker's text has the same sentence."""
    right = speaker_label(document)
    others = sorted({speaker_label(d) for d in documents} - {right})
    if not others:
        return None
    said_by = {speaker_label(d) for d in documents if _has_sentence(d, sentence.text)}
    if said_by != {right}:
        return None
    labels = [right, *rng.sample(others, min(CHOICES - 1, len(others)))]
    rng.shuffle(labels)
    return Question("speaker", sentence.text, tuple(labels), labels.index(right), document.id, sentence.ref)


def _is_gap_word(word: str) -> bool:
    normal = normalize_word(word)
    return len(word) >= MIN_GAP_WORD_CHARS and normal not in STOPWORDS and word.isalpha()


def _key(word: str) -> str:
    return stem(normalize_word(word))


def _distractors(document: Document, word: str, avoid: set[str], rng: random.Random) -> list[str]:
    """Words of the same text shaped like the answer (capitals, ending, length) but not the same word."""
    capitalised = word[0].isupper()
    ending = word[-2:].lower()
    pool: dict[str, str] = {}
    for other in document.sentences:
        for match in _WORD.finditer(other.text):
            candidate = match.group()
            key = _key(candidate)
            if key in avoid or key in pool or not _is_gap_word(candidate):
                continue
            if candidate[0].isupper() != capitalised or abs(len(candidate) - len(word)) > 4:
                continue
            pool[key] = candidate if capitalised else candidate.lower()
    words = sorted(pool.values())
    alike = [w for w in words if w.lower().endswith(ending)]
    rng.shuffle(alike)
    rest = [w for w in words if w not in alike]
    rng.shuffle(rest)
    chosen: list[str] = []
    for candidate in [*alike, *rest]:
        if len(chosen) == CHOICES - 1:
            break
        if candidate.lower() not in (c.lower() for c in chosen):
            chosen.append(candidate)
    return chosen


def _occurs_elsewhere(document: Document, sentence: Sentence) -> bool:
    return any(s.text == sentence.text and s.paragraph != sentence.paragraph for s in document.sentences)


def _has_sentence(document: Document, text: str) -> bool:
    return any(s.text == text for s in document.sentences)
