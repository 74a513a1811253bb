"""Latency of Discord interactions through the real discord.py client and the local fake Discord.

Measures, per interaction, the time from the fake sending INTERACTION_CREATE on the gateway to the bot's
callback arriving at the fake's REST endpoint: /search, /search autocomplete, and a bare command that only
answers "ok" (discord.py's own floor, for comparison).

Then, with a large synthetic library (bench/corpus_gen.py, --megabytes), how responsive the event loop stays
while searches and autocompletes arrive: a ticker on the bot's loop asks for a 5 ms sleep over and over and
records how late it wakes (the loop lag: what heartbeats and the 3-second reply deadline wait for). Both
ways are measured in the same run: "before", the library work run on the loop as the handlers once did, and
"after", the handlers as they are (the work in a thread).

Run: python bench/discord_bench.py [--interactions 400] [--concurrency 1] [--megabytes 30] [--large 200]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bot.discord.commands as discord_commands
from bench.corpus_gen import generate
from bot.core.library import Library
from bot.discord.client import AnyBot, build_bot
from tests.fakes.discord_api import TOKEN, FakeDiscord

P = ParamSpec("P")
R = TypeVar("R")
TICK = 0.005  # seconds the loop-lag ticker asks to sleep

QUERIES = [
    "enemy of the peopel",
    "stalin",
    "confessions physical pressures",
    "collegiality in leadership",
    "revolutionary legality",
    "lenin severe methods",
    "NKVD archive",
    "XVIIth Party Congress",
]


def add_bare_command(bot: AnyBot) -> None:
    """A command that does no work, to show what discord.py and the loopback cost on their own."""

    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", allowed_mentions=discord.AllowedMentions.none())

    bot.tree.add_command(app_commands.Command(name="ping", description="Answers ok", callback=ping))


async def measure(
    fake: FakeDiscord, make: Callable[[int], dict[str, Any]], count: int, concurrency: int
) -> list[float]:
    """Milliseconds from INTERACTION_CREATE to callback for `count` interactions."""
    results: list[float] = []
    semaphore = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with semaphore:
            payload = make(i)
            start = time.perf_counter()
            await fake.interact(payload, timeout=10)
            results.append((time.perf_counter() - start) * 1000)

    await asyncio.gather(*(one(i) for i in range(count)))
    return results


def report(name: str, millis: list[float]) -> None:
    """One line of figures."""
    ordered = sorted(millis)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    print(f"{name:<22} n={len(ordered):<5} p50={p50:6.2f} ms  p99={p99:6.2f} ms  max={ordered[-1]:6.2f} ms")


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@contextlib.asynccontextmanager
async def loop_lag() -> AsyncIterator[list[float]]:
    """Milliseconds each TICK-long sleep on this loop woke up late, while the body runs."""
    lags: list[float] = []
    loop = asyncio.get_running_loop()

    async def tick() -> None:
        while True:
            started = loop.time()
            await asyncio.sleep(TICK)
            lags.append(max(loop.time() - started - TICK, 0.0) * 1000)

    ticker = asyncio.create_task(tick())
    try:
        yield lags
    finally:
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker


async def on_the_loop(work: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """How the handlers ran library work before: inline, on the event loop."""
    return work(*args, **kwargs)


def large_queries(library: Library, count: int, seed: int = 9) -> tuple[list[str], list[str]]:
    """Search queries cut from the library's sentences (some with a typo), and autocomplete prefixes."""
    rng = random.Random(seed)
    sentences = [s.text for document in library.documents.values() for s in document.sentences]
    searches, prefixes = [], []
    for i in range(count):
        words = rng.choice(sentences).replace(",", "").replace(".", "").split()
        start = rng.randrange(max(len(words) - 6, 1))
        window = words[start : start + rng.randint(3, 12)]
        if i % 2 and window:
            word = window[-1]
            cut = rng.randrange(max(len(word), 1))
            window[-1] = word[:cut] + word[cut + 1 :] if len(word) > 3 else word  # one letter left out
        query = " ".join(window) or "stalin"
        searches.append(query[:300])
        prefixes.append(query[: rng.randint(3, max(3, min(len(query), 30)))])
    return searches, prefixes


async def large_library(fake: FakeDiscord, data_dir: Path, megabytes: float, count: int, concurrency: int) -> None:
    """Loop lag and latency with a large library, with the library work on the loop and off it."""
    library_dir, cache_dir = data_dir / "library", data_dir / "cache"
    paths = generate(library_dir, megabytes=megabytes)
    size = sum(path.stat().st_size for path in paths) / 1e6
    library = Library.load([library_dir], cache_dir=cache_dir)
    sentences = sum(len(document.sentences) for document in library.documents.values())
    bot = build_bot(library, data_dir=data_dir / "large", guild_ready_timeout=0.01)
    await bot.login(TOKEN)
    task = asyncio.create_task(bot.connect(reconnect=False))
    await asyncio.wait_for(bot.wait_until_ready(), 30)

    def mixed(seed: int) -> Callable[[int], dict[str, Any]]:
        """Searches and autocompletes alternating, from a query set of their own (no cache helps a later way)."""
        searches, prefixes = large_queries(library, count, seed)

        def make(i: int) -> dict[str, Any]:
            if i % 2:
                return fake.command("search", {"query": searches[i]})
            return fake.autocomplete("search", "query", {"query": prefixes[i]})

        return make

    print(
        f"\nlarge library: {len(paths)} synthetic files + seed, {size:.1f} MB, {sentences} sentences;"
        f" {count} interactions each (searches cut from its sentences, half with a typo; autocomplete prefixes)"
    )
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; loop lag = lateness of a 5 ms sleep")
    await measure(fake, mixed(1), min(count, 50), 1)  # warm-up: the index's caches of common words
    real_off_loop = discord_commands.off_loop
    figures: dict[str, tuple[list[float], list[float]]] = {}
    ways = (("before (on the loop)", on_the_loop, 2), ("after (in a thread)", real_off_loop, 3))
    for name, runner, seed in ways:
        discord_commands.off_loop = runner
        try:
            async with loop_lag() as lags:
                latencies = await measure(fake, mixed(seed), count, concurrency)
        finally:
            discord_commands.off_loop = real_off_loop
        figures[name] = (lags, latencies)
        print(
            f"  {name:<21} loop lag p50 {percentile(lags, 0.5):6.2f} ms  p99 {percentile(lags, 0.99):6.2f} ms"
            f"  max {max(lags):6.2f} ms | interaction p50 {percentile(latencies, 0.5):6.2f} ms"
            f"  p99 {percentile(latencies, 0.99):6.2f} ms"
        )
    before, after = figures["before (on the loop)"][0], figures["after (in a thread)"][0]
    print(f"  loop lag p99 before/after: {percentile(before, 0.99):.2f} ms / {percentile(after, 0.99):.2f} ms")
    await bot.close()
    await task


async def main(count: int, concurrency: int, megabytes: float, large: int) -> None:
    """Start the fake and the bot, warm up, then measure each kind of interaction."""
    fake = FakeDiscord()
    await fake.start()
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    with tempfile.TemporaryDirectory() as data_dir:
        bot = build_bot(Library.load(), data_dir=Path(data_dir), guild_ready_timeout=0.01)
        add_bare_command(bot)
        await bot.login(TOKEN)
        task = asyncio.create_task(bot.connect(reconnect=False))
        await asyncio.wait_for(bot.wait_until_ready(), 10)

        def search(i: int) -> dict[str, Any]:
            return fake.command("search", {"query": QUERIES[i % len(QUERIES)]})

        def suggest(i: int) -> dict[str, Any]:
            query = QUERIES[i % len(QUERIES)]
            return fake.autocomplete("search", "query", {"query": query[: 3 + i % (len(query) - 2)]})

        def ping(i: int) -> dict[str, Any]:
            return fake.command("ping")

        await measure(fake, search, 20, 1)  # warm-up: caches, connection pool
        print(f"{count} interactions each, concurrency {concurrency}, loopback, one event loop")
        report("bare command (floor)", await measure(fake, ping, count, concurrency))
        report("/search", await measure(fake, search, count, concurrency))
        report("/search autocomplete", await measure(fake, suggest, count, concurrency))
        fake.requests.clear()
        await bot.close()
        await task
        if megabytes > 0 and large > 0:
            await large_library(fake, Path(data_dir), megabytes, large, concurrency)
    await fake.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--megabytes", type=float, default=30.0, help="size of the large library (0: skip it)")
    parser.add_argument("--large", type=int, default=200, help="interactions per way with the large library")
    args = parser.parse_args()
    asyncio.run(main(args.interactions, args.concurrency, args.megabytes, args.large))
