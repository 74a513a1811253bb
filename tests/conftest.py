"""Shared fixtures: the real seed text, loaded once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.library import Library
from bot.store import Store, open_store
from tests.store.backends import BACKENDS, database_url

FIXTURE_TEXTS = Path(__file__).parent / "fixtures" / "texts"


@pytest.fixture(scope="session")
def library() -> Library:
    """The library as a newcomer gets it: just the seed text."""
    return Library.load()


@pytest.fixture(scope="session")
def two_texts() -> Library:
    """The seed plus a second, hard-wrapped Markdown text."""
    return Library.load([FIXTURE_TEXTS])


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """The database each store test runs on: SQLite (None) and, when configured, a throwaway PostgreSQL schema."""
    with database_url(request.param, tmp_path) as found:
        yield found


@pytest.fixture
def store(url: str | None, tmp_path: Path) -> Iterator[Store]:
    """An open, migrated store on `url`; test files that need SQLite only define their own."""
    opened = open_store(url, tmp_path)
    yield opened
    opened.close()
