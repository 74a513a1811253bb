"""Turning text into comparable words: case, accents, apostrophes, brackets and number spellings ignored."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_ROMAN = re.compile(r"^m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ORDINAL_SUFFIX = re.compile(r"^(?P<number>[a-z]+?|\d+)(?P<suffix>st|nd|rd|th)$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}

_ORDINAL_WORDS = {
    word: str(number)
    for number, word in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
        "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split(),
        start=1,
    )
}
_ORDINAL_WORDS["thirtieth"] = "30"

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself""".split()
)


def _roman_value(text: str) -> int | None:
    if not text or not _ROMAN.match(text):
        return None
    total = 0
    for current, following in zip(text, [*text[1:], ""], strict=True):
        value = _ROMAN_VALUES[current]
        total += -value if following and _ROMAN_VALUES[following] > value else value
    return total


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_word(raw: str) -> str:
    """One word in comparable form: `Stalin's` -> `stalin`; `XVIIth`, `17th`, `seventeenth` -> `17`."""
    word = _fold(raw).replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "").replace("_", "")
    if word in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[word]
    ordinal = _ORDINAL_SUFFIX.match(word)
    if ordinal:
        number = ordinal["number"]
        if number.isdigit():
            return str(int(number))
        value = _roman_value(number) if len(number) >= 2 else None
        if value:
            return str(value)
    if len(word) >= 2 and raw.isupper():
        value = _roman_value(word)
        if value:
            return str(value)
    return word


def words_with_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Each word's normal form with its character span in `text`, for highlighting matches."""
    for match in _WORD.finditer(text):
        word = normalize_word(match.group())
        if word:
            yield word, match.start(), match.end()


def normalize_text(text: str) -> str:
    """The whole text as space-separated normal words."""
    return " ".join(word for word, _, _ in words_with_spans(text))
