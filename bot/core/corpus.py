"""Texts as documents of numbered paragraphs and sentences, and the passages a reference selects."""

from __future__ import annotations

import codecs
import datetime as dt
import re
from abc import abstractmethod
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar, overload

from bot.core.errors import UserError
from bot.core.metadata import merged, parse_date, parse_flag, parse_kind, read_toml, split_front_matter, split_name
from bot.core.refs import HOW_TO_CITE, Ref, format_ref, parse_ref
from bot.core.segment import is_separator, split_paragraphs, split_sentences

TEXT_SUFFIXES = (".txt", ".md")

# Daily passages are a few whole sentences that read well on their own.
PASSAGE_MIN_CHARS = 150
PASSAGE_MAX_CHARS = 700
_T = TypeVar("_T")


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
    section: str | None = None  # the heading above it in a Markdown text

    @property
    def text(self) -> str:
        """The paragraph as one string."""
        return " ".join(s.text for s in self.sentences)


class Body:
    """A document's sentences as one UTF-8 text and offset arrays; Sentence and Paragraph objects are made
    only when asked for, so a large library holds its text once rather than as a million small objects.

    Sentences follow one another in `text`, a space after each one inside a paragraph and a newline after a
    paragraph's last; `starts[i]` is where sentence i begins (one entry more: the text's length), and
    `firsts[p]` is the first sentence of paragraph p (one entry more: the number of sentences).
    """

    __slots__ = ("firsts", "sections", "starts", "text")

    def __init__(self, text: bytes, starts: array[int], firsts: array[int], sections: tuple[str | None, ...]) -> None:
        self.text, self.starts, self.firsts, self.sections = text, starts, firsts, sections

    def __reduce__(self) -> tuple[type[Body], tuple[bytes, array[int], array[int], tuple[str | None, ...]]]:
        return Body, (self.text, self.starts, self.firsts, self.sections)

    @classmethod
    def build(cls, paragraphs: Iterable[Sequence[str]], sections: Iterable[str | None]) -> Body:
        """The body of paragraphs given as their sentences' texts, with the heading each stands under."""
        chunks: list[bytes] = []
        starts, firsts = array("I"), array("I")
        offset = 0
        for sentences in paragraphs:
            firsts.append(len(starts))
            if not sentences:
                continue
            joined = " ".join(sentences)
            if joined.isascii():  # most paragraphs: a character is a byte
                lengths: Iterable[int] = map(len, sentences)
                chunks.append(joined.encode("ascii"))
            else:
                encoded = [sentence.encode() for sentence in sentences]
                lengths = map(len, encoded)
                chunks.append(b" ".join(encoded))
            for length in lengths:
                starts.append(offset)
                offset += length + 1
            chunks.append(b"\n")
        firsts.append(len(starts))
        starts.append(offset)
        return cls(b"".join(chunks), starts, firsts, tuple(sections))

    @classmethod
    def of(cls, paragraphs: Iterable[Paragraph]) -> Body:
        """The body of Paragraph objects (numbered again by their place)."""
        paragraphs = tuple(paragraphs)
        return cls.build([[s.text for s in p.sentences] for p in paragraphs], [p.section for p in paragraphs])

    @property
    def sentence_count(self) -> int:
        """How many sentences the body has."""
        return len(self.starts) - 1

    @property
    def paragraph_count(self) -> int:
        """How many paragraphs the body has."""
        return len(self.firsts) - 1

    def sentence_text(self, index: int) -> str:
        """The text of sentence `index` (from 0, across paragraphs)."""
        return self.text[self.starts[index] : self.starts[index + 1] - 1].decode()

    def paragraph_index(self, index: int) -> int:
        """The paragraph (from 0) that sentence `index` stands in."""
        return bisect_right(self.firsts, index) - 1

    def sentence(self, index: int, paragraph: int | None = None) -> Sentence:
        """Sentence `index` (from 0) as an object; `paragraph` (from 0) saves looking it up."""
        if paragraph is None:
            paragraph = self.paragraph_index(index)
        return Sentence(paragraph + 1, index - self.firsts[paragraph] + 1, self.sentence_text(index))

    def paragraph(self, index: int) -> Paragraph:
        """Paragraph `index` (from 0) as an object with its sentences."""
        first, end = self.firsts[index], self.firsts[index + 1]
        sentences = tuple(self.sentence(i, index) for i in range(first, end))
        return Paragraph(index + 1, sentences, self.sections[index])

    def sentences_in(self, index: int) -> int:
        """How many sentences paragraph `index` (from 0) has."""
        return self.firsts[index + 1] - self.firsts[index]


class _View(Sequence[_T]):
    """A read-only sequence of a body's sentences or paragraphs that compares and concatenates like a tuple."""

    __slots__ = ("body",)

    def __init__(self, body: Body) -> None:
        self.body = body

    @abstractmethod
    def _item(self, index: int) -> _T:
        """Item `index` (from 0, within range) as an object."""

    @overload
    def __getitem__(self, index: int) -> _T: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[_T, ...]: ...

    def __getitem__(self, index: int | slice) -> _T | tuple[_T, ...]:
        if isinstance(index, slice):
            return tuple(map(self._item, range(*index.indices(len(self)))))
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError(index)
        return self._item(index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _View | tuple):
            return len(self) == len(other) and tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: Sequence[_T]) -> tuple[_T, ...]:
        return (*self, *other)

    def __mul__(self, times: int) -> tuple[_T, ...]:
        return tuple(self) * times

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)})"

    def __reduce__(self) -> tuple[type[_View[_T]], tuple[Body]]:
        return type(self), (self.body,)


class SentenceView(_View[Sentence]):
    """A body's sentences, in reading order."""

    __slots__ = ()

    def __len__(self) -> int:
        return self.body.sentence_count

    def _item(self, index: int) -> Sentence:
        return self.body.sentence(index)

    def __iter__(self) -> Iterator[Sentence]:
        body = self.body
        for paragraph in range(body.paragraph_count):
            for index in range(body.firsts[paragraph], body.firsts[paragraph + 1]):
                yield body.sentence(index, paragraph)


class ParagraphView(_View[Paragraph]):
    """A body's paragraphs, numbered from 1."""

    __slots__ = ()

    def __len__(self) -> int:
        return self.body.paragraph_count

    def _item(self, index: int) -> Paragraph:
        return self.body.paragraph(index)

    def __iter__(self) -> Iterator[Paragraph]:
        return map(self.body.paragraph, range(self.body.paragraph_count))


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
    year: int | None = None
    source: str | None = None  # the edition or collection the text was taken from
    url: str | None = None
    translator: str | None = None
    translated_from: str | None = None  # the original language, when the text is a translation
    edition: str | None = None
    excerpt: bool = False  # the text is part of a longer work: its paragraph numbers are the excerpt's
    titled: bool = True  # False when the title was made up from other facts (a description, not a title)

    @property
    def translated(self) -> bool:
        """Whether the text is a translation (a translator or an original language is named)."""
        return bool(self.translator or self.translated_from)


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
    """One loaded text: id, metadata, the editor's front matter and the numbered body.

    `paragraphs` may be given as Paragraph objects; they are kept as a compact Body, and `paragraphs` and
    `sentences` are views of it that make the objects when read.
    """

    id: str
    meta: Metadata
    front_matter: str
    paragraphs: Sequence[Paragraph]
    source: Path | None = None
    sentences: Sequence[Sentence] = field(default=(), repr=False)  # always made from the paragraphs
    notes: tuple[tuple[int, str], ...] = ()  # editorial notes ("[Applause.]"), each after paragraph n (0: before 1)
    warnings: tuple[str, ...] = ()  # what looked odd while loading, for `speechbot texts check`
    label: str = ""  # a short name for lists and hits: speaker and year, or the title
    body: Body = field(init=False, repr=False)  # the compact text and offsets both views read

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", default_label(self.meta))
        given = self.paragraphs
        body = given.body if isinstance(given, ParagraphView) else Body.of(given)
        object.__setattr__(self, "body", body)
        object.__setattr__(self, "paragraphs", ParagraphView(body))
        object.__setattr__(self, "sentences", SentenceView(body))

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
        chosen = tuple(self.sentences[first : last + 1])
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
        if not 1 <= paragraph <= len(self.paragraphs):
            raise UserError(self._paragraph_hint())
        body = self.body
        count = body.sentences_in(paragraph - 1)
        if sentence is None:
            sentence = 1 if first else count
        if not 1 <= sentence <= count:
            noun = "sentence" if count == 1 else "sentences"
            raise UserError(
                f"Paragraph {paragraph} has {count} {noun}; try `{paragraph}.1`"
                + (f" to `{paragraph}.{count}`." if count > 1 else ".")
            )
        return body.firsts[paragraph - 1] + sentence - 1

    def _paragraph_hint(self) -> str:
        count = len(self.paragraphs)
        example = min(3, count)
        sentence = 2 if self.body.sentences_in(example - 1) > 1 else 1  # an example that exists
        noun = "paragraph" if count == 1 else "paragraphs"
        return f"The {self.meta.kind} has {count} {noun}; try `{example}` or `{example}.{sentence}`."


def _ends(ref: Ref) -> tuple[tuple[int, int | None], tuple[int, int | None]]:
    return (ref.last_paragraph, ref.last_sentence), (ref.first_paragraph, ref.first_sentence)


def _canonical_ref(document: Document, chosen: tuple[Sentence, ...]) -> str:
    """`3` for a whole paragraph, `3-4` for whole paragraphs, otherwise sentence-level `3.2-4`."""
    first, last = chosen[0], chosen[-1]
    starts_paragraph = first.number == 1
    ends_paragraph = last.number == document.body.sentences_in(last.paragraph - 1)
    if starts_paragraph and ends_paragraph:
        return format_ref((first.paragraph, None), (last.paragraph, None))
    return format_ref((first.paragraph, first.number), (last.paragraph, last.number))


def parse_document(
    text: str,
    *,
    doc_id: str,
    meta: dict[str, object] | None = None,
    source: Path | None = None,
    defaults: dict[str, object] | None = None,
    markdown: bool = False,
) -> Document:
    """Split a text into title, editor's introduction (before a `* * *` near the start) and numbered body.

    `meta` (from `name.toml`) overrides YAML front matter, which overrides `defaults` (a manifest's row).
    Anything that looks odd is kept as a warning on the document rather than passed over in silence.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    front, text, problem = split_front_matter(text)
    warnings = [problem] if problem else []
    raw = merged(defaults or {}, front, meta or {})
    blocks = _blocks(text, markdown=markdown)
    intro, body, separator_warning = _split_introduction(blocks)
    if separator_warning:
        warnings.append(separator_warning)
    given_title = str(raw["title"]).strip() if raw.get("title") else None
    head = intro if intro is not None else body
    described = bool(defaults) and given_title is None  # a manifest row without a title: take only a heading
    title_line = _title_line(head, given_title, has_intro=intro is not None, headings_only=described)
    if title_line is not None:
        head.pop(0)
    paragraphs, notes = _numbered(body)
    if not paragraphs.paragraph_count:
        raise ValueError(f"{doc_id}: the text has no body paragraphs after its title and introduction")
    fallback = _readable(source.stem if source else doc_id)
    metadata = _metadata(raw, title_line=title_line, fallback=fallback, warn=warnings)
    return Document(
        doc_id,
        metadata,
        "\n\n".join(intro or []),
        ParagraphView(paragraphs),
        source,
        notes=notes,
        warnings=tuple(warnings),
    )


# A body block: its text, and what it is ("text", "separator", "heading" (`#`), "subheading" (`##`…) or "note").
_Block = tuple[str, str]

_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$")
_EDITORIAL = re.compile(r"^(?:\[[^\[\]]+\][.,;]?\s*)+$")  # "[Applause.]", "[Read by a clerk] [See note.]"
# How addresses open: such a first line is the salutation, never a title, even without its colon.
_SALUTATION = re.compile(
    r"^(?:mr|mrs|ms|madam|madame|fellow|my fellow|to the|ladies|gentlemen|members|friends|dear|citizens)\b",
    re.IGNORECASE,
)
TITLE_MAX_CHARS = 100
INTRO_SHARE = 0.15  # an introduction ends within the first 15% of the text, or within its first 3 paragraphs


def _blocks(text: str, *, markdown: bool) -> list[_Block]:
    """Paragraphs of the text, with separator lines and (in Markdown) headings as blocks of their own."""
    if markdown:
        lines: list[str] = []
        for line in text.split("\n"):
            if _HEADING.match(line.strip()):
                lines.extend(("", line, ""))  # a heading line stands alone even without blank lines around it
            else:
                lines.append(line)
        text = "\n".join(lines)
    blocks: list[_Block] = []
    for paragraph in split_paragraphs(text):
        heading = _HEADING.match(paragraph) if markdown else None
        if is_separator(paragraph):
            blocks.append((paragraph, "separator"))
        elif heading:
            level = len(paragraph) - len(paragraph.lstrip("#"))
            blocks.append((heading.group(1).strip(), "heading" if level == 1 else "subheading"))
        elif _EDITORIAL.match(paragraph):
            blocks.append((paragraph, "note"))
        else:
            blocks.append((paragraph, "text"))
    return blocks


def _split_introduction(blocks: list[_Block]) -> tuple[list[str] | None, list[_Block], str | None]:
    """(introduction, body, warning): a separator ends an introduction only near the start of the text
    and only when most of the text stays in the body; a later one is a section break."""
    at = next((i for i, (_, kind) in enumerate(blocks) if kind == "separator"), None)
    if at is None or at == 0:
        return None, blocks, None
    head, body = blocks[:at], blocks[at + 1 :]
    if not any(kind == "text" for _, kind in body):
        return [t for t, _ in head], body, None  # nothing after it: all introduction, refused as having no body
    head_chars = sum(len(t) for t, _ in head[1:])
    total = sum(len(t) for t, _ in blocks)
    near_start = len(head) <= 4 or head_chars <= INTRO_SHARE * total
    if not near_start:
        return None, blocks, None
    body_chars = sum(len(t) for t, kind in body if kind == "text")
    if head_chars > body_chars:
        return (
            None,
            blocks,
            (
                f"the separator after paragraph {at} would make most of the text an introduction, "
                "so it is read as a break inside the text"
            ),
        )
    return [t for t, _ in head], body, None


def _title_line(
    head: list[str] | list[_Block], given: str | None, *, has_intro: bool, headings_only: bool = False
) -> str | None:
    """The first block when it is the text's title line (never a salutation or a sentence), else None."""
    if not head:
        return None
    first = head[0]
    text, kind = first if isinstance(first, tuple) else (first, "text")
    if kind == "heading":  # a `# Title` line: the title, unless the metadata names another
        return text if given is None or text.casefold() == given.casefold() else None
    if kind != "text" or headings_only or (not has_intro and len(head) < 2):
        return None
    if given is not None:
        return text if text.casefold() == given.casefold() else None
    return text if looks_like_title(text) else None


def looks_like_title(line: str) -> bool:
    """A short line that does not end like a salutation or a sentence: `Fellow-Citizens …:` is body text."""
    line = line.lstrip("#").strip()
    if "|" in line or _SALUTATION.match(line):  # a web page's navigation bar ("Part II | Part III") or a greeting
        return False
    return 0 < len(line) <= TITLE_MAX_CHARS and not line.endswith((":", ",", ";", ".", "?", "!", "—", "-"))


def _numbered(body: list[_Block]) -> tuple[Body, tuple[tuple[int, str], ...]]:
    """Body paragraphs numbered from 1 under their headings; editorial notes set apart, never numbered."""
    paragraphs: list[list[str]] = []
    sections: list[str | None] = []
    notes: list[tuple[int, str]] = []
    section: str | None = None
    for text, kind in body:
        if kind in ("heading", "subheading"):
            section = text
        elif kind == "note":
            notes.append((len(paragraphs), text))
        elif kind == "text":
            paragraphs.append(split_sentences(text))
            sections.append(section)
    return Body.build(paragraphs, sections), tuple(notes)


def _readable(stem: str) -> str:
    """A file name as a title: `first-inaugural_address` -> `First inaugural address`."""
    words = re.sub(r"[-_.]+", " ", stem).split()
    text = " ".join(words) or "Untitled"
    return text[:1].upper() + text[1:]


def _metadata(raw: dict[str, object], *, title_line: str | None, fallback: str, warn: list[str]) -> Metadata:
    def text(key: str) -> str | None:
        value = raw.get(key)
        return str(value).strip() or None if value is not None else None

    date, year = None, None
    for key in ("date", "year"):
        if raw.get(key) is not None and date is None:
            try:
                found_date, found_year = parse_date(raw[key])
            except ValueError as problem:
                warn.append(f"{problem}; it was left out")
                continue
            date, year = found_date or date, year or found_year
    speaker = text("speaker")
    given, family, _ = split_name(speaker) if speaker else (None, None, None)
    kind = parse_kind(raw["kind"]) if raw.get("kind") else "speech"
    title, titled = text("title") or (_strip_heading(title_line) if title_line else None), True
    if title is None:
        titled = False
        if speaker and year:
            when = f"{date:%B} {date.day}, {date.year}" if date else str(year)
            title = f"{speaker}, {kind} of {when}"
        else:
            title = fallback
            warn.append(f"no title in the text or its metadata, so it is titled “{fallback}” after the file name")
    return Metadata(
        title=title,
        short_title=text("short_title"),
        sentence_case_title=text("sentence_case_title"),
        speaker=speaker,
        speaker_family=text("speaker_family") or (family if speaker else None),
        speaker_given=text("speaker_given") or (given if speaker else None),
        date=date,
        occasion=text("occasion"),
        place=text("place"),
        kind=kind,
        year=year,
        source=text("source"),
        url=text("url"),
        translator=text("translator"),
        translated_from=text("translated_from"),
        edition=text("edition"),
        excerpt=parse_flag(raw["excerpt"]) if raw.get("excerpt") is not None else False,
        titled=titled,
    )


def _strip_heading(line: str) -> str:
    return line.lstrip("#").strip()


def default_label(meta: Metadata) -> str:
    """`Lincoln 1863` when speaker and year are known, else the short title or the title."""
    family = meta.speaker_family or meta.speaker
    if family and meta.year:
        return f"{family} {meta.year}"
    return meta.short_title or meta.title


def _daily_passages(document: Document) -> tuple[Passage, ...]:
    """Cut each paragraph into runs of whole sentences of roughly 150-700 characters."""
    passages: list[Passage] = []
    body = document.body
    lengths = [len(body.sentence_text(i)) + 1 for i in range(body.sentence_count)]
    for paragraph in range(body.paragraph_count):
        runs: list[list[int]] = []
        for index in range(body.firsts[paragraph], body.firsts[paragraph + 1]):
            if runs and _run_length(lengths, runs[-1]) < PASSAGE_MIN_CHARS:
                runs[-1].append(index)
            else:
                runs.append([index])
        if len(runs) > 1:
            tail_length = _run_length(lengths, runs[-1])
            if tail_length < PASSAGE_MIN_CHARS and tail_length + _run_length(lengths, runs[-2]) <= PASSAGE_MAX_CHARS:
                runs[-2].extend(runs.pop())
        passages.extend(document.span(run[0], run[-1]) for run in runs)
    return tuple(passages)


def _run_length(lengths: list[int], run: list[int]) -> int:
    return sum(lengths[i] for i in run)


def read_document(path: Path, *, defaults: dict[str, object] | None = None) -> Document:
    """Load a text file with its metadata (`<name>.toml` beside it, front matter, then `defaults` from a
    manifest); a bad file is a ValueError naming it."""
    meta_path = path.with_suffix(".toml")
    meta: dict[str, object] = {}
    try:
        if meta_path.is_file():
            meta = read_toml(meta_path)
        data = path.read_bytes()
    except OSError as problem:
        raise ValueError(f"cannot read {problem.filename or path}: {problem.strerror or problem}") from None
    doc_id = slugify(str(meta.get("id") or (defaults or {}).get("id") or path.stem))
    if not data.strip():
        raise ValueError(f"{path}: the file is empty")
    text = _decode(data, path)
    try:
        return parse_document(
            text, doc_id=doc_id, meta=meta, source=path, defaults=defaults, markdown=path.suffix.lower() == ".md"
        )
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


def numbered_id(base: str, n: int) -> str:
    """`base-n` for the n-th text of one name, cut so it stays within MAX_ID_CHARS."""
    suffix = f"-{n}"
    return f"{base[: MAX_ID_CHARS - len(suffix)].rstrip('-')}{suffix}"


def slugify(name: str) -> str:
    """A short id that is easy to type in `in:<id>` and `--document`, and fits in a button's id."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:MAX_ID_CHARS].rstrip("-") or "text"


def text_files(folder: Path) -> list[Path]:
    """Texts in a folder and its subfolders, in a stable order; hidden files and folders (such as macOS
    `._name.txt` companions) are skipped."""
    found = []
    for path in folder.rglob("*"):
        parts = path.relative_to(folder).parts
        if path.suffix.lower() in TEXT_SUFFIXES and not any(p.startswith(".") for p in parts) and path.is_file():
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


__all__ = [
    "HOW_TO_CITE",
    "Body",
    "Document",
    "Metadata",
    "Paragraph",
    "Passage",
    "Sentence",
    "parse_document",
    "read_document",
    "text_files",
]
