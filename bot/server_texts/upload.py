"""An uploaded file as a text: checked, parsed by the folder rules, and the facts that rebuild it the same."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from bot.core.corpus import Document, Metadata, parse_document
from bot.core.errors import UserError
from bot.core.metadata import FIELDS, parse_date
from bot.core.reader import read_text_bytes
from bot.store.texts import StoredText

# The metadata fields kept with a stored text (as strings), replayed over its front matter when rebuilt; the
# title, date and excerpt flag are kept as parsed (see metadata_of), the id is the stored text's own.
_KEPT = tuple(name for name in FIELDS if name not in ("id", "title", "date", "year", "excerpt"))


@dataclass(frozen=True, slots=True)
class Upload:
    """A file that passed every check: its parsed document, the facts to store, its text and hash."""

    document: Document
    metadata: dict[str, str]
    content: str
    content_hash: str
    size_bytes: int
    file_name: str


def read_upload(
    filename: str,
    data: bytes,
    *,
    max_bytes: int,
    title: str | None = None,
    speaker: str | None = None,
    date: str | None = None,
) -> Upload:
    """Check and parse an uploaded text; every refusal is a UserError of one sentence, before anything is stored."""
    name = PurePath(filename.replace("\\", "/")).name.strip() or "text.txt"
    if len(data) > max_bytes:
        raise UserError(too_large(len(data), max_bytes))
    given: dict[str, object] = {}
    if title and title.strip():
        given["title"] = title.strip()[:200]
    if speaker and speaker.strip():
        given["speaker"] = speaker.strip()[:200]
    if date and date.strip():
        try:
            parse_date(date.strip())
        except ValueError:
            raise UserError(f"“{date.strip()[:40]}” is not a date like 1863-11-19 or a year like 1863.") from None
        given["date"] = date.strip()
    try:
        document = read_text_bytes(data, name=name, meta=given)
    except ValueError as problem:
        raise UserError(str(problem)) from None
    content = data.decode("utf-8-sig")
    return Upload(
        document=document,
        metadata=metadata_of(document.meta),
        content=content,
        content_hash=hashlib.sha256(content.encode()).hexdigest(),
        size_bytes=len(data),
        file_name=name,
    )


def metadata_of(meta: Metadata) -> dict[str, str]:
    """The parsed facts worth keeping, as strings (a made-up title is left out, so it is made up again)."""
    kept = {name: str(value) for name in _KEPT if (value := getattr(meta, name)) is not None}
    if meta.titled:
        kept["title"] = meta.title
    if meta.date is not None:
        kept["date"] = meta.date.isoformat()
    elif meta.year is not None:
        kept["date"] = str(meta.year)
    if meta.excerpt:
        kept["excerpt"] = "true"
    return kept


def rebuild(stored: StoredText) -> Document:
    """The stored text as a document again, under its stored id, exactly as it was parsed when added."""
    if stored.content is None:
        raise ValueError("rebuilding a text needs its content")
    return parse_document(
        stored.content,
        doc_id=stored.text_id,
        meta=dict(stored.metadata),
        markdown=stored.file_name.lower().endswith(".md"),
    )


def too_large(size: int, max_bytes: int) -> str:
    """The refusal of a file over the size limit (adapters say it before downloading, from the claimed size)."""
    return f"The file is {size_words(size)}; a text may be at most {size_words(max_bytes)}."


def size_words(size: int) -> str:
    """A byte count as people read it (2.0 MB, 12 KB), in listings and refusals alike."""
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"
