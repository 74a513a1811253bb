"""Turning text into comparable words: case, accents, apostrophes, brackets and number spellings ignored."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import cast

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_PLAIN_WORD = re.compile(r"\w+")
_ROMAN = re.compile(r"^m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ORDINAL_SUFFIX = re.compile(r"^(?P<number>[a-z]+?|\d+)(?P<suffix>st|nd|rd|th)$")
_ORDINAL_ENDINGS = ("st", "nd", "rd", "th")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def _word_list(text: str) -> list[str]:
    return text.split()


_ORDINAL_WORDS = {
    word: str(number)
    for number, word in enumerate(
        _word_list(
            "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
            "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
        ),
        start=1,
    )
}
_ORDINAL_WORDS["thirtieth"] = "30"

STOPWORDS = frozenset(
    _word_list(
        """a about above after again against all also am an and any are as at be because been before being
        below between both but by can could did do does doing down during each few for from further had has
        have having he her here hers herself him himself his how i if in into is it its itself just me more
        most my myself no nor not now of off on once only or other our ours ourselves out over own same she
        should so some such than that the their theirs them themselves then there these they this those
        through to too under until up very was we were what when where which while who whom why will with
        would you your yours yourself"""
    )
)

# Words students wrap around a search ("what did he say about ...") that never name its topic.
FILLER_WORDS = frozenset(
    _word_list(
        """say says said saying tell tells told talk talks talking mention mentions mentioned happen happens
        happened happening mean means meant quote quotes quoted passage sentence paragraph speech text part
        where whose"""
    )
)

# Chat spellings students type, folded to the word the text would use.
_SHORTHAND = {
    "thru": "through",
    "tho": "though",
    "ppl": "people",
    "govt": "government",
    "gov": "government",
    "cuz": "because",
    "abt": "about",
}


def _by_length(suffixes: Iterable[str]) -> dict[int, frozenset[str]]:
    """Suffixes grouped by length, longest first, so the longest one that fits is stripped."""
    suffixes = tuple(suffixes)
    return {size: frozenset(s for s in suffixes if len(s) == size) for size in sorted(set(map(len, suffixes)))[::-1]}


# Inflections folded by `stem`; the longest that fits goes, and a stem keeps at least three letters.
_SUFFIXES = _by_length(
    _word_list(
        """ations ation itions ition ions ion ements ement ments ment nesses ness ings ing ities ity ically
        ical ally ism isms ists ist ively ive ously ous ances ance ants ant ences ence ship ships ary aries
        ers er edly ed ly es s al ic e y"""
    )
)
_SECOND_SUFFIXES = _by_length(("ion", "at", "iz", "al", "er", "e", "y"))
_MIN_STEM = 3


def _roman_value(text: str) -> int | None:
    if not text or not _ROMAN.match(text):
        return None
    total = 0
    for current, following in zip(text, [*text[1:], ""], strict=True):
        value = _ROMAN_VALUES[current]
        total += -value if following and _ROMAN_VALUES[following] > value else value
    return total


def _fold(word: str) -> str:
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_word(raw: str) -> str:
    """One word in comparable form: `Stalin's` -> `stalin`; `XVIIth`, `17th`, `seventeenth` -> `17`."""
    if raw.isascii() and raw.isalpha() and not raw.isupper() and not raw.endswith(_ORDINAL_ENDINGS):
        word = raw.lower()  # most words: no apostrophe, number or roman numeral to look at
        word = _SHORTHAND.get(word, word)
        return _ORDINAL_WORDS.get(word, word)
    word = _fold(raw).replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "").replace("_", "")
    word = _SHORTHAND.get(word, word)
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


def _strip_suffix(word: str, suffixes: dict[int, frozenset[str]]) -> str:
    for size, endings in suffixes.items():
        if len(word) - size >= _MIN_STEM and word[-size:] in endings:
            return word[:-size]
    return word


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A crude common root so inflections meet: `tortured`/`tortures`, `annihilated`/`annihilation`."""
    if len(word) <= _MIN_STEM or not word.isalpha():
        return word
    if word.endswith(("ise", "ised", "ises", "ising", "isation", "isations")):
        head, _, tail = word.rpartition("is")
        word = f"{head}iz{tail}"  # British -ise spellings meet American -ize
    elif word.endswith(("yse", "ysed", "yses", "ysing")):
        head, _, tail = word.rpartition("ys")
        word = f"{head}yz{tail}"
    if word.endswith(("ies", "ied")) and len(word) > 4:
        word = word[:-3] + "y"  # spies -> spy, parties -> party, tried -> try
    return _strip_suffix(_strip_suffix(word, _SUFFIXES), _SECOND_SUFFIXES)


class _NormalForms(dict[str, str]):
    """Remembered normal forms: a library repeats its words, and indexing 10 MB meets each many times."""

    limit = 1 << 18

    def __missing__(self, raw: str) -> str:
        if len(self) >= self.limit:
            self.clear()  # bounded: a long-running bot also normalises every query it is sent
        word = self[raw] = normalize_word(raw)
        return word


_normal_forms = _NormalForms()


def words_with_spans(text: str) -> list[tuple[str, int, int]]:
    """Each word's normal form with its character span in `text`, for highlighting matches."""
    forms = _normal_forms
    return [(word, *match.span()) for match in _WORD.finditer(text) if (word := forms[match.group()])]


def normal_words(text: str) -> list[str]:
    """The text's words in normal form, in order (the fast path used for indexing and queries)."""
    return list(filter(None, map(_normal_forms.__getitem__, _WORD.findall(text))))


class _RawIds(dict[str, int]):
    """Word ids by the raw word, for tokenising many texts: -1 for a raw word without a normal form."""

    def __init__(self, vocabulary: defaultdict[str, int]) -> None:
        super().__init__()
        self.vocabulary = vocabulary
        self.blank = False  # whether some raw word had no normal form

    def __missing__(self, raw: str) -> int:
        word = _normal_forms[raw]
        if not word:
            self.blank = True
            self[raw] = -1
            return -1
        word_id = self[raw] = self.vocabulary[word]
        return word_id


def raw_words(texts: Iterable[str]) -> Iterator[list[str]]:
    """Each text's words as written (what normal_words normalises)."""
    for text in texts:
        # Without an apostrophe a word is a plain run of word characters, which a simpler pattern finds faster.
        yield _WORD.findall(text) if "'" in text or "’" in text else _PLAIN_WORD.findall(text)


_ASCII_NON_WORD = bytes(b for b in range(256) if not (chr(b).isascii() and (chr(b).isalnum() or chr(b) in "_'")))
_SPACED = bytes.maketrans(_ASCII_NON_WORD, b" " * len(_ASCII_NON_WORD))


def ascii_raw_words(text: bytes, starts: Sequence[int]) -> Iterator[list[str]]:
    """raw_words of the sentences of an ASCII text, sentence i at text[starts[i]:starts[i + 1] - 1].

    Every character but word characters and the apostrophe becomes a space in one pass over the whole text, so
    a sentence without an apostrophe is split by str.split, several times faster than a regex.
    """
    spaced = text.translate(_SPACED).decode("ascii")
    for start, end in pairwise(starts):
        piece = spaced[start : end - 1]
        yield _WORD.findall(piece) if "'" in piece else piece.split()


def word_ids(word_lists: Iterable[list[str]], vocabulary: defaultdict[str, int]) -> Iterator[list[int]]:
    """Each list of raw words (from raw_words) as the ids of their normal words, a new word getting the next id.

    The same as mapping normal_words over the texts, for less: each distinct raw word is normalised and
    given its id once, not once per occurrence.
    """
    raw_ids = _RawIds(vocabulary)
    known, lookup = raw_ids.get, raw_ids.__getitem__
    for words in word_lists:
        found = list(map(known, words))  # dict.get is the cheaper call; a word seen for the first time misses it
        ids = list(map(lookup, words)) if None in found else cast(list[int], found)
        if raw_ids.blank and -1 in ids:
            ids = [word_id for word_id in ids if word_id >= 0]
        yield ids


# British and American spellings of one word, folded to one key: honour/honor, organise/organize, centre/center.
_SPELLINGS = [
    (re.compile(r"^(\w{3,})our(s|ed|ing|able|ably|ite|ites|ful|less|er|ers|hood|hoods)?$"), r"\1or\2"),
    (re.compile(r"^(\w{3,})([iy])s(e|es|ed|ing|ation|ations|er|ers)$"), r"\1\2z\3"),
    (re.compile(r"^(\w{3,})tre(s)?$"), r"\1ter\2"),
    (re.compile(r"^(\w{3,})ogue(s)?$"), r"\1og\2"),
    (re.compile(r"^(\w{2,})fence(s)?$"), r"\1fense\2"),
    (re.compile(r"^(\w{3,})gramme(s)?$"), r"\1gram\2"),
]


_SPELLING_ENDINGS = tuple(
    _word_list(
        """our ours oured ouring ourable ourably ourite ourites ourful ourless ourer ourers ourhood ourhoods
        ise ises ised ising isation isations iser isers yse yses ysed ysing ysation ysations yser ysers
        tre tres ogue ogues fence fences gramme grammes"""
    )
)


def spelling_key(word: str) -> str:
    """One key for the British and American spellings of a word, so either finds the other."""
    if len(word) < 5 or not word.endswith(_SPELLING_ENDINGS) or not word.isalpha():
        return word
    for pattern, replacement in _SPELLINGS:
        folded = pattern.sub(replacement, word, count=1)
        if folded != word:
            return folded
    return word


def normalize_text(text: str) -> str:
    """The whole text as space-separated normal words."""
    return " ".join(normal_words(text))
