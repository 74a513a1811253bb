"""Parsing references such as `3`, `3.2`, `3.2-4`, `3-4` or `§3.2` typed by students."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.core.errors import UserError

_REF = re.compile(
    r"""^(?:§+|¶|para(?:graph)?\.?|par\.?|p\.)?\s*
        (?P<p1>\d+)(?:\.(?P<s1>\d+))?
        (?:\s*[-–—]\s*(?P<p2>\d+)(?:\.(?P<s2>\d+))?)?$""",
    re.VERBOSE | re.IGNORECASE,
)

HOW_TO_CITE = "Use a paragraph number like `3`, a sentence like `3.2`, or a range like `3.2-4`."


@dataclass(frozen=True, slots=True)
class Ref:
    """A parsed reference: a start and an end, each a paragraph with an optional sentence."""

    first_paragraph: int
    first_sentence: int | None
    last_paragraph: int
    last_sentence: int | None


def clean_input(text: str, limit: int = 200) -> str:
    """User text without control, format (zero-width, bidi) characters or runs of spaces, cut to `limit`."""
    kept = "".join(" " if ch.isspace() else ch for ch in text[: limit * 4] if unicodedata.category(ch)[0] != "C")
    return " ".join(kept.split())[:limit]


def parse_ref(text: str) -> Ref:
    """Parse a reference or raise a UserError that explains the accepted forms."""
    cleaned = clean_input(text, limit=40)
    if not cleaned:
        raise UserError(f"Give a reference. {HOW_TO_CITE}")
    match = _REF.match(cleaned)
    if match is None:
        raise UserError(f"That is not a reference. {HOW_TO_CITE}")
    p1 = int(match["p1"])
    s1 = int(match["s1"]) if match["s1"] else None
    p2_text, s2_text = match["p2"], match["s2"]
    if p2_text is None:
        return Ref(p1, s1, p1, s1)
    if s1 is not None and s2_text is None:
        return Ref(p1, s1, p1, int(p2_text))  # 3.2-4 means sentences 2 to 4 of paragraph 3
    p2 = int(p2_text)
    s2 = int(s2_text) if s2_text else None
    if s1 is None and s2 is not None:
        s1 = 1  # 3-4.2 starts at the beginning of paragraph 3
    return Ref(p1, s1, p2, s2)


def format_ref(first: tuple[int, int | None], last: tuple[int, int | None]) -> str:
    """The canonical spelling of a reference, as used in citations and buttons."""
    (p1, s1), (p2, s2) = first, last
    start = f"{p1}" if s1 is None else f"{p1}.{s1}"
    if (p1, s1) == (p2, s2):
        return start
    if p1 == p2 and s1 is not None and s2 is not None:
        return f"{start}-{s2}"
    end = f"{p2}" if s2 is None else f"{p2}.{s2}"
    return f"{start}-{end}"
