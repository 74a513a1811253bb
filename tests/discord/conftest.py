"""Fixtures that log the real discord.py client in against the local fake Discord."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from bot.core.library import Library
from bot.daily.service import DailyService
from bot.discord.client import AnyBot, build_bot
from bot.store import Store, open_store
from tests.fakes.discord_api import TOKEN, FakeDiscord

Starter = Callable[..., Awaitable[AnyBot]]


@pytest.fixture(scope="session")
def library() -> Library:
    """The seed text, loaded once for the whole module."""
    return Library.load()


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A fake Discord on 127.0.0.1 that discord.py is pointed at."""
    server = FakeDiscord()
    await server.start()
    server.patch(monkeypatch)
    yield server
    await server.close()


@pytest.fixture
async def start_bot(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[Starter]:
    """Start bots against the fake (same data dir unless given) and close them all at the end."""
    running: list[tuple[AnyBot, asyncio.Task[None]]] = []

    async def start(
        library: Library,
        *,
        data_dir: Path | None = None,
        prepare: Callable[[AnyBot], None] | None = None,
        **options: object,
    ) -> AnyBot:
        bot = build_bot(library, data_dir=data_dir or tmp_path / "data", guild_ready_timeout=0.01, **options)  # type: ignore[arg-type]
        if prepare is not None:
            prepare(bot)
        await bot.login(TOKEN)
        task = asyncio.create_task(bot.connect(reconnect=False))
        running.append((bot, task))
        await asyncio.wait_for(bot.wait_until_ready(), 5)
        return bot

    yield start
    for bot, task in running:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, 5)


@pytest.fixture
async def bot(start_bot: Starter, library: Library) -> AnyBot:
    """One running bot with the seed text."""
    return await start_bot(library)


@pytest.fixture
def subscriptions(tmp_path: Path) -> Iterator[Store]:
    """A fresh SQLite store for the daily subscriptions."""
    opened = open_store(None, tmp_path / "subscriptions")
    yield opened
    opened.close()


@pytest.fixture
async def bot_with_daily(start_bot: Starter, library: Library, subscriptions: Store) -> AnyBot:
    """A running bot with the /daily-* commands, as `run` starts it (no scheduler: nothing is posted)."""
    return await start_bot(library, daily=DailyService(subscriptions, library))
