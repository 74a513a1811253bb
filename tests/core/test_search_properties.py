"""No input crashes search: empty, whitespace, huge, control, zero-width, right-to-left and emoji text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import Hit, Library

_LIBRARY = Library.load()

NASTY = [
    "",
    " ",
    "\t\n\r  \u3000",
    "a" * 10_000,
    "enemy " * 2_000,
    "\x00\x01\x02\x1b[31m\x7f",
    "\u200b\u200c\u200d\ufeff",
    "enemy\u200b of the\u200d people",
    "\u202eelpoep eht fo ymene\u202c",
    "עם האויב של העם",
    "عدو الشعب",
    "😀🎉👍🏽🇺🇦",
    "enemy 😀 of the people",
    "'''\"\"\"[[[]]]((()))---...",
    "%s %d {0} {} \\n \\x00",
    "ﬁnal ＦＵＬＬＷＩＤＴＨ ①②③ Ⅻ",
    "\ud800",
    "XVIIth" * 500,
]


def _check(hits: list[Hit]) -> None:
    assert isinstance(hits, list)
    for hit in hits:
        assert 0 <= hit.score <= 100
        start, end = hit.match
        assert 0 <= start <= end <= len(hit.text)


@pytest.mark.parametrize("query", NASTY)
@pytest.mark.parametrize("prefix", [False, True])
def test_nasty_queries_never_raise(query: str, prefix: bool) -> None:
    _check(_LIBRARY.search(query, prefix=prefix))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=st.text(max_size=400), prefix=st.booleans(), limit=st.integers(-3, 30), offset=st.integers(-3, 30))
def test_any_text_is_a_safe_query(query: str, prefix: bool, limit: int, offset: int) -> None:
    _check(_LIBRARY.search(query, limit=limit, offset=offset, prefix=prefix))


@settings(max_examples=100, deadline=None)
@given(chunk=st.text(min_size=1, max_size=300))
def test_ten_thousand_characters_are_a_safe_query(chunk: str) -> None:
    query = (chunk * (10_000 // len(chunk) + 1))[:10_000]
    _check(_LIBRARY.search(query))
    _check(_LIBRARY.search(query, prefix=True))


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(["enemy", "people", "Stalin", "XVIIth", "17th", "tortues", "the", "of", "", "'s", "[1934]"]),
        max_size=12,
    ),
    junk=st.sampled_from(["", " ", "\u200b", "\u202e", "😀", "\x00", "-", "’"]),
)
def test_mixed_words_and_junk_are_safe(words: list[str], junk: str) -> None:
    _check(_LIBRARY.search(junk.join(words)))
    _check(_LIBRARY.search(junk.join(words), prefix=True))
