"""The answers a command can give, one class each, so every renderer is type-checked over every kind.

A renderer matches on the class and ends with `assert_never`: a new answer adds a class here, and mypy then
names each renderer that does not show it yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.render import Quotation, Style
from bot.core.search import Hit


@dataclass(frozen=True, slots=True)
class QuoteReply:
    """A passage asked for by reference, or a random one."""

    quotation: Quotation
    document: str


@dataclass(frozen=True, slots=True)
class DailyReply:
    """Today's passage: the same for everyone on the day."""

    quotation: Quotation
    document: str


@dataclass(frozen=True, slots=True)
class SearchReply:
    """A page of hits; `query` keeps the filter words, so paging on repeats the same search."""

    hits: list[Hit]
    query: str
    offset: int = 0
    has_more: bool = False
    document: str = ""


@dataclass(frozen=True, slots=True)
class ContextReply:
    """A paragraph between its neighbours: (label, text, is_target) sections in reading order."""

    sections: list[tuple[str, str, bool]]
    quotation: Quotation
    document: str
    paragraph: int
    paragraph_count: int


@dataclass(frozen=True, slots=True)
class CiteReply:
    """A citation in one style, with the quotation it cites."""

    text: str
    quotation: Quotation
    style: Style


@dataclass(frozen=True, slots=True)
class AboutReply:
    """Where a text comes from, with the editor's introduction."""

    text: str
    document: str


@dataclass(frozen=True, slots=True)
class TextsReply:
    """The loaded texts, one line each."""

    text: str


@dataclass(frozen=True, slots=True)
class HelpReply:
    """Every command with an example."""

    text: str


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """How to fix the input: shown only to the person who asked."""

    text: str


Answer = QuoteReply | DailyReply | SearchReply | ContextReply | CiteReply | AboutReply | TextsReply | HelpReply
Reply = Answer | ErrorReply
