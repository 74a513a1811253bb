"""Requests/s of signed `/speech search` over loopback: our Slack app against a bare AsyncApp that only acks.

Run: python bench/slack_bench.py [--requests 1000] [--concurrency 20] [--rounds 5]
Everything (fake Slack, both servers, the client) shares one event loop, as in `speechbot run`.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import hmac
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core import Library, commands
from bot.core.replies import QuoteReply
from bot.slack import blocks
from bot.slack.runner import build_web_app, start_slack_http
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import LONG_PARAGRAPHS, LONG_TEXT_ID, write_long_text

SECRET = "fake-signing-secret-bench"  # noqa: S105 - a fake for loopback only
TOKEN = "xoxb-fake-bench-token"  # noqa: S105 - a fake for loopback only
QUERY = "enemy of the peopel"


def signed(body: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


def slash_body(fake: FakeSlack, n: int) -> str:
    fields = {
        "team_id": "T0FAKETEAM",
        "channel_id": "C0FAKECHAN",
        "user_id": "U0FAKEUSER",
        "command": "/speech",
        "text": f"search {QUERY}",
        "api_app_id": "A0FAKEAPP",
        "response_url": fake.response_url(f"bench-{n}"),
        "trigger_id": f"bench.{n}",
    }
    return urlencode(fields)


async def hammer(url: str, fake: FakeSlack, requests: int, concurrency: int, *, answered: bool) -> float:
    """Send `requests` signed slash commands, `concurrency` at a time; returns requests per second.

    With `answered`, every ack must carry the answer (our app answers in the ack's body).
    """
    bodies = [slash_body(fake, n) for n in range(requests)]
    queue: asyncio.Queue[str] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            body = queue.get_nowait()
            async with session.post(url, data=body.encode(), headers=signed(body)) as response:
                assert response.status == 200, response.status
                text = await response.text()
                assert not answered or '"blocks"' in text, text[:200]

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        return requests / (time.perf_counter() - started)


async def serve_bare(fake: FakeSlack) -> tuple[web.AppRunner, str]:
    """A bare slack-bolt AsyncApp (same signature check and auth) whose listener only acks."""
    app = AsyncApp(signing_secret=SECRET, client=AsyncWebClient(token=TOKEN, base_url=fake.base_url))

    async def only_ack(ack):  # type: ignore[no-untyped-def]
        await ack()

    app.command("/speech")(only_ack)
    runner = web.AppRunner(build_web_app(app), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"


def core_cost_ms(library: Library, rounds: int = 300) -> float:
    """Milliseconds per `/speech search` spent in the core and in Block Kit rendering, without any I/O."""
    rng = random.Random(0)
    started = time.perf_counter()
    for _ in range(rounds):
        reply = commands.answer(library, f"search {QUERY}", today=dt.date(2026, 1, 1), rng=rng, prefix="/speech ")
        blocks.render(reply)
    return (time.perf_counter() - started) * 1000 / rounds


def long_quote_cost(rounds: int = 20) -> tuple[int, int, float]:
    """Characters, messages and milliseconds to render a passage far longer than one Slack message into parts."""
    with tempfile.TemporaryDirectory() as folder:
        library = Library.load([write_long_text(Path(folder))])
    rng = random.Random(0)
    line = f"quote 1-{LONG_PARAGRAPHS} in:{LONG_TEXT_ID}"
    started = time.perf_counter()
    for _ in range(rounds):
        reply = commands.answer(library, line, today=dt.date(2026, 1, 1), rng=rng, prefix="/speech ")
        parts = blocks.render(reply).parts()
    elapsed = (time.perf_counter() - started) * 1000 / rounds
    assert isinstance(reply, QuoteReply)
    return len(reply.quotation.text), len(parts), elapsed


async def main(requests: int, concurrency: int, rounds: int) -> None:
    fake = await FakeSlack().start()
    library = Library.load()
    ours = await start_slack_http(
        library, signing_secret=SECRET, bot_token=TOKEN, port=0, client_base_url=fake.base_url
    )
    bare_runner, bare_url = await serve_bare(fake)
    bare_rates: list[float] = []
    our_rates: list[float] = []
    try:
        ours_url = f"{ours.url}/slack/events"
        await hammer(bare_url, fake, 100, concurrency, answered=False)  # warm up both
        await hammer(ours_url, fake, 100, concurrency, answered=True)
        for _ in range(rounds):  # alternate, so both see the same machine load
            bare_rates.append(await hammer(bare_url, fake, requests, concurrency, answered=False))
            our_rates.append(await hammer(ours_url, fake, requests, concurrency, answered=True))
        after_ack = len(fake.responses)
    finally:
        await ours.close()
        await bare_runner.cleanup()
        await fake.stop()

    core_ms = core_cost_ms(library)
    bare_rate, our_rate = statistics.median(bare_rates), statistics.median(our_rates)
    print(f"requests: {requests} x {rounds} rounds, concurrency: {concurrency}, query: {QUERY!r}")
    print(f"bare AsyncApp (ack only):               {bare_rate:8.0f} req/s  (rounds: {_rates(bare_rates)})")
    print(f"speechbot (search answered in the ack): {our_rate:8.0f} req/s  (rounds: {_rates(our_rates)})")
    overhead = bare_rate / our_rate - 1
    print(f"overhead: {overhead:.0%} (target < 25%); ratio bare/ours {bare_rate / our_rate:.2f}x")
    extra_ms = 1000 / our_rate - 1000 / bare_rate
    print(f"extra time per request: {extra_ms:.2f} ms; core answer + Block Kit alone: {core_ms:.2f} ms")
    print(f"answers sent through response_url: {after_ack} (all answers rode on the ack)")
    chars, messages, long_ms = long_quote_cost()
    print(f"long quote: {chars} characters -> {messages} messages within Slack's limits in {long_ms:.1f} ms")


def _rates(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.concurrency, args.rounds))
