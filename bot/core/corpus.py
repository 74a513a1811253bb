"""Texts as documents of numbered paragraphs and sentences, and the passages a reference selects."""

from __future__ import annotations

import codecs
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bot.core.errors import UserError
from bot.core.refs import HOW_TO_CITE, Ref, format_ref, parse_ref
from bot.core.segment import is_separator, split_paragraphs, split_sentences

TEXT_SUFFIXES = (".txt", ".md")

# Daily passages are a few whole sentences that read well on their own.
PASSAGE_MIN_CHARS = 150
PASSAGE_MAX_CHARS = 700


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence, addressed as `paragraph.number`."""

    paragraph: int
    number: int
    text: str

    @property
    def ref(self) -> str:
        """The sentence's reference, e.g. `3.2`."""
        return f"{self.paragraph}.{self.number}"


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A body paragraph and its sentences, numbered from 1."""

    number: int
    sentences: tuple[Sentence, ...]

    @property
    def text(self) -> str:
        """The paragraph as one string."""
        return " ".join(s.text for s in self.sentences)


@dataclass(frozen=True, slots=True)
class Metadata:
    """Bibliographic facts used for citations; everything but the title is optional."""

    title: str
    short_title: str | None = None
    sentence_case_title: str | None = None  # APA's form of the title, with proper nouns kept capitalised
    speaker: str | None = None
    speaker_family: str | None = None
    speaker_given: str | None = None
    date: dt.date | None = None
    occasion: str | None = None
    place: str | None = None
    kind: str = "speech"


@dataclass(frozen=True, slots=True, eq=False)
class Passage:
    """Consecutive sentences of one document, with the canonical reference that names them."""

    document: Document
    ref: str
    sentences: tuple[Sentence, ...]

    @property
    def first_paragraph(self) -> int:
        """Paragraph of the first sentence."""
        return self.sentences[0].paragraph

    @property
    def last_paragraph(self) -> int:
        """Paragraph of the last sentence."""
        return self.sentences[-1].paragraph

    @property
    def text(self) -> str:
        """Sentences joined, with a blank line where a new paragraph starts."""
        parts: list[str] = []
        previous: int | None = None
        for sentence in self.sentences:
            if previous is not None:
                parts.append("\n\n" if sentence.paragraph != previous else " ")
            parts.append(sentence.text)
            previous = sentence.paragraph
        return "".join(parts)


@dataclass(frozen=True, eq=False)
class Document:
    """One loaded text: id, metadata, the editor's front matter and the numbered body."""

    id: str
    meta: Metadata
    front_matter: str
    paragraphs: tuple[Paragraph, ...]
    source: Path | None = None
    sentences: tuple[Sentence, ...] = field(default=(), repr=False)
    paragraph_offsets: tuple[int, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        sentences = tuple(s for p in self.paragraphs for s in p.sentences)
        offsets, total = [], 0
        for paragraph in self.paragraphs:
            offsets.append(total)
            total += len(paragraph.sentences)
        object.__setattr__(self, "sentences", sentences)
        object.__setattr__(self, "paragraph_offsets", tuple(offsets))

    @cached_property
    def daily_passages(self) -> tuple[Passage, ...]:
        """Readable units for daily posts and random quotes, cut when first needed."""
        return _daily_passages(self)

    @property
    def title(self) -> str:
        """The title shown in quotations and lists."""
        return self.meta.title

    def paragraph(self, number: int) -> Paragraph:
        """Paragraph `number` (from 1), or a UserError saying how many there are."""
        if not 1 <= number <= len(self.paragraphs):
            raise UserError(self._paragraph_hint())
        return self.paragraphs[number - 1]

    def passage(self, ref_text: str) -> Passage:
        """The sentences a reference names, or a UserError that says which references exist."""
        return self.resolve(parse_ref(ref_text))

    def resolve(self, ref: Ref) -> Passage:
        """The sentences of a parsed reference, checked against this document's numbering."""
        first = self._sentence_index(ref.first_paragraph, ref.first_sentence, first=True)
        last = self._sentence_index(ref.last_paragraph, ref.last_sentence, first=False)
        if last < first:
            raise UserError(f"That range runs backwards; try `{format_ref(*_ends(ref))}` the other way round.")
        return self.span(first, last)

    def span(self, first: int, last: int) -> Passage:
        """Sentences `first..last` (indexes into `sentences`) with their canonical reference."""
        chosen = self.sentences[first : last + 1]
        return Passage(self, _canonical_ref(self, chosen), chosen)

    def context(self, ref_text: str) -> tuple[Paragraph | None, Paragraph, Paragraph | None]:
        """The paragraph a reference points into, with its neighbours, for reading around a quote."""
        ref = parse_ref(ref_text)
        target = self.resolve(ref).first_paragraph
        before = self.paragraphs[target - 2] if target > 1 else None
        after = self.paragraphs[target] if target < len(self.paragraphs) else None
        return before, self.paragraphs[target - 1], after

    def _sentence_index(self, paragraph: int, sentence: int | None, *, first: bool) -> int:
        """Flat index of a sentence; a missing sentence number means the paragraph's first or last."""
        para = self.paragraph(paragraph)
        if sentence is None:
            sentence = 1 if first else len(para.sentences)
        if not 1 <= sentence <= len(para.sentences):
            count = len(para.sentences)
            noun = "sentence" if count == 1 else "sentences"
            raise UserError(
                f"Paragraph {paragraph} has {count} {noun}; try `{paragraph}.1`"
                + (f" to `{paragraph}.{count}`." if count > 1 else ".")
            )
        return self.paragraph_offsets[paragraph - 1] + sentence - 1

    def _paragraph_hint(self) -> str:
        count = len(self.paragraphs)
        example = min(3, count)
        sentence = 2 if len(self.paragraphs[example - 1].sentences) > 1 else 1  # an example that exists
        noun = "paragraph" if count == 1 else "paragraphs"
        return f"The {self.meta.kind} has {count} {noun}; try `{example}` or `{example}.{sentence}`."


def _ends(ref: Ref) -> tuple[tuple[int, int | None], tuple[int, int | None]]:
    return (ref.last_paragraph, ref.last_sentence), (ref.first_paragraph, ref.first_sentence)


def _canonical_ref(document: Document, chosen: tuple[Sentence, ...]) -> str:
    """`3` for a whole paragraph, `3-4` for whole paragraphs, otherwise sentence-level `3.2-4`."""
    first, last = chosen[0], chosen[-1]
    starts_paragraph = first.number == 1
    ends_paragraph = last.number == len(document.paragraphs[last.paragraph - 1].sentences)
    if starts_paragraph and ends_paragraph:
        return format_ref((first.paragraph, None), (last.paragraph, None))
    return format_ref((first.paragraph, first.number), (last.paragraph, last.number))


def parse_document(
    text: str, *, doc_id: str, meta: dict[str, object] | None = None, source: Path | None = None
) -> Document:
    """Split a text into title, front matter (before a `* * *` separator) and numbered body."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    separator_at = next((i for i, line in enumerate(lines) if is_separator(line)), None)
    head = "\n".join(lines[:separator_at]) if separator_at is not None else ""
    body = "\n".join(lines[separator_at + 1 :]) if separator_at is not None else text
    head_paragraphs = split_paragraphs(head)
    if separator_at is not None and head_paragraphs:
        title, front = _strip_heading(head_paragraphs[0]), head_paragraphs[1:]
    else:
        body_paragraphs = split_paragraphs(body)
        first = body_paragraphs[0] if body_paragraphs else doc_id
        looks_like_title = len(first) <= 120 and not first.rstrip().endswith((".", "?", "!"))
        title, front = (_strip_heading(first), []) if looks_like_title else (doc_id, [])
        if looks_like_title:
            body = _drop_first_paragraph(body)
    paragraphs = []
    # a later `* * *` is a section break inside the text, not a paragraph of it
    body_paragraphs = [p for p in split_paragraphs(body) if not is_separator(p)]
    for number, paragraph_text in enumerate(body_paragraphs, start=1):
        sentences = tuple(Sentence(number, i, s) for i, s in enumerate(split_sentences(paragraph_text), start=1))
        paragraphs.append(Paragraph(number, sentences))
    if not paragraphs:
        raise ValueError(f"{doc_id}: the text has no body paragraphs after its title and introduction")
    metadata = _metadata(meta or {}, default_title=title)
    return Document(doc_id, metadata, "\n\n".join(front), tuple(paragraphs), source)


def _drop_first_paragraph(body: str) -> str:
    """The body without its first paragraph (used when that paragraph is the title)."""
    parts = re.split(r"\n\s*\n", body.strip(), maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


def _strip_heading(line: str) -> str:
    return line.lstrip("#").strip()


def _metadata(raw: dict[str, object], *, default_title: str) -> Metadata:
    def text(key: str) -> str | None:
        value = raw.get(key)
        return str(value) if value is not None else None

    date = raw.get("date")
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            raise ValueError(f"metadata date {date!r} is not a date like 1956-02-25") from None
    return Metadata(
        title=text("title") or default_title,
        short_title=text("short_title"),
        sentence_case_title=text("sentence_case_title"),
        speaker=text("speaker"),
        speaker_family=text("speaker_family"),
        speaker_given=text("speaker_given"),
        date=date if isinstance(date, dt.date) else None,
        occasion=text("occasion"),
        place=text("place"),
        kind=text("kind") or "speech",
    )


def _daily_passages(document: Document) -> tuple[Passage, ...]:
    """Cut each paragraph into runs of whole sentences of roughly 150-700 characters."""
    passages: list[Passage] = []
    index = 0
    for paragraph in document.paragraphs:
        runs: list[list[int]] = []
        for offset in range(len(paragraph.sentences)):
            if runs and _run_length(document, runs[-1]) < PASSAGE_MIN_CHARS:
                runs[-1].append(index + offset)
            else:
                runs.append([index + offset])
        if len(runs) > 1:
            tail_length = _run_length(document, runs[-1])
            if tail_length < PASSAGE_MIN_CHARS and tail_length + _run_length(document, runs[-2]) <= PASSAGE_MAX_CHARS:
                runs[-2].extend(runs.pop())
        passages.extend(document.span(run[0], run[-1]) for run in runs)
        index += len(paragraph.sentences)
    return tuple(passages)


def _run_length(document: Document, run: list[int]) -> int:
    return sum(len(document.sentences[i].text) + 1 for i in run)


def read_document(path: Path) -> Document:
    """Load a text file and the optional `<name>.toml` metadata beside it; a bad file is a ValueError naming it."""
    meta_path = path.with_suffix(".toml")
    meta: dict[str, object] = {}
    try:
        if meta_path.is_file():
            meta = tomllib.loads(meta_path.read_bytes().decode("utf-8-sig"))
        data = path.read_bytes()
    except OSError as problem:
        raise ValueError(f"cannot read {problem.filename or path}: {problem.strerror or problem}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as problem:
        raise ValueError(f"{meta_path}: not valid TOML metadata ({problem})") from None
    doc_id = slugify(str(meta.get("id") or path.stem))
    text = _decode(data, path)
    try:
        return parse_document(text, doc_id=doc_id, meta=meta, source=path)
    except ValueError as problem:
        raise ValueError(f"{path}: {str(problem).removeprefix(f'{doc_id}: ')}") from None


def _decode(data: bytes, path: Path) -> str:
    """A text file's characters: UTF-8 (with or without a byte-order mark) or UTF-16 with one."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\0" not in data[:8192]:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as problem:
            raise ValueError(
                f"{path}: not UTF-8 text (byte 0x{data[problem.start]:02x} at position {problem.start}); "
                "save it as UTF-8"
            ) from None
    raise ValueError(f"{path}: looks like a binary file, not text; keep only .txt and .md texts there")


MAX_ID_CHARS = 40  # ids travel inside Discord button ids, which hold 100 characters in all


def slugify(name: str) -> str:
    """A short id that is easy to type in `in:<id>` and `--document`, and fits in a button's id."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:MAX_ID_CHARS].rstrip("-") or "text"


def text_files(folder: Path) -> list[Path]:
    """Texts in a folder, in a stable order; hidden files (such as macOS `._name.txt` companions) are skipped."""
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES and not p.name.startswith(".")
    )


__all__ = [
    "HOW_TO_CITE",
    "Document",
    "Metadata",
    "Paragraph",
    "Passage",
    "Sentence",
    "parse_document",
    "read_document",
    "text_files",
]
