"""Shared fixtures: the real seed text, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.library import Library

FIXTURE_TEXTS = Path(__file__).parent / "fixtures" / "texts"


@pytest.fixture(scope="session")
def library() -> Library:
    """The library as a newcomer gets it: just the seed text."""
    return Library.load()


@pytest.fixture(scope="session")
def two_texts() -> Library:
    """The seed plus a second, hard-wrapped Markdown text."""
    return Library.load([FIXTURE_TEXTS])
