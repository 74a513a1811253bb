"""Latency of Discord interactions through the real discord.py client and the local fake Discord.

Measures, per interaction, the time from the fake sending INTERACTION_CREATE on the gateway to the bot's
callback arriving at the fake's REST endpoint: /search, /search autocomplete, and a bare command that only
answers "ok" (discord.py's own floor, for comparison).

Run: python bench/discord_bench.py [--interactions 400] [--concurrency 1]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.library import Library
from bot.discord.client import AnyBot, build_bot
from tests.fakes.discord_api import TOKEN, FakeDiscord

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


async def main(count: int, concurrency: int) -> None:
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
    await fake.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(main(args.interactions, args.concurrency))
