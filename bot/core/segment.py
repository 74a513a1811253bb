"""Splitting prose into paragraphs and sentences, the units every reference points at."""

from __future__ import annotations

import re

# Words that end in a period without ending the sentence when a capital follows (titles, initials).
_NEVER_FINAL = frozenset({"mr", "mrs", "ms", "dr", "st", "prof", "gen", "col", "lt", "capt", "sgt", "rev", "hon"})
# Abbreviations that end a sentence only when a capital letter follows them.
_MAYBE_FINAL = frozenset({"etc", "e.g", "i.e", "cf", "vs", "viz", "no", "nos", "vol", "pp", "p", "jr", "sr"})

# A run of sentence-ending punctuation: "?", "!", ".", or a spaced ellipsis such as ". . . .".
_TERMINAL = re.compile(r"[.!?]+(?: \.)*")
_CLOSERS = "\"'”’)]»"
_OPENERS = "\"'“‘([«"
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_WORD_RUN = re.compile(r"[\w.]+")
_DOTTED_ABBREVIATION = re.compile(r"(?:[a-z]\.)+[a-z]")

_SEPARATOR = re.compile(r"^\s*(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,}|(?:#\s*){3,})$")


def split_paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; hard-wrapped lines inside one are joined with a space."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        joined = " ".join(block.split())
        if joined:
            paragraphs.append(joined)
    return paragraphs


def is_separator(line: str) -> bool:
    """A line like `* * * *` or `---` divides an editor's introduction from the text itself."""
    return bool(_SEPARATOR.match(line))


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph, keeping ellipses, abbreviations, initials and brackets intact."""
    sentences: list[str] = []
    start = 0
    for match in _TERMINAL.finditer(paragraph):
        end = match.end()
        while end < len(paragraph) and paragraph[end] in _CLOSERS:
            end += 1
        if _is_boundary(paragraph, match.start(), match.group(), end):
            sentence = paragraph[start:end].strip()
            if sentence:
                sentences.append(sentence)
            start = end
    rest = paragraph[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _word_before(text: str, end: int) -> str:
    """The run of word characters and dots that ends at `end` (at most 64 characters back)."""
    start = max(0, end - 64)
    chunk = text[max(start, text.rfind(" ", start, end) + 1) : end]
    # the usual case: a word after a space, found without a regex search (alphanumerics are all \w)
    if chunk.isalnum() or _WORD_RUN.fullmatch(chunk):
        return chunk
    found = _WORD_BEFORE.search(text, start, end)
    return found.group(1) if found else ""


def _is_boundary(text: str, dot_at: int, run: str, end: int) -> bool:
    """Whether the punctuation run ending at `end` closes a sentence."""
    size = len(text)
    if end >= size or not text[end].isspace():
        return False  # the paragraph's end (handled by the caller), or "e.g.," "U.S.A." "3.2"
    following = end
    while following < size and text[following].isspace():
        following += 1
    if following >= size:
        return False
    first = text[following]
    if first in _OPENERS and following + 1 < size:
        first = text[following + 1]
    if not (first.isupper() or first.isdigit()):
        return False  # "etc., but" or a quoted word followed by lower case
    dots = run.count(".")
    if run.startswith(".") and " " in run and dots == 3 and dot_at > 0 and text[dot_at - 1] == " ":
        return False  # an omission ". . ." inside a sentence
    if run == ".":
        word = _word_before(text, dot_at).lower()
        if word in _NEVER_FINAL:
            return False
        if len(word) == 1 and word.isalpha() and text[dot_at - 1].isupper():
            return False  # an initial: "J. V. Stalin"
        if "." in word and _DOTTED_ABBREVIATION.fullmatch(word) and word not in _MAYBE_FINAL:
            return False  # "U.S" in "the U.S. Army"
    return True
