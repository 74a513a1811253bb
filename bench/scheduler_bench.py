"""Scheduler throughput and due-query speed; prints figures, not run by the tests.

    python bench/scheduler_bench.py                       # SQLite in a temporary folder
    python bench/scheduler_bench.py --database-url postgresql://postgres@127.0.0.1:5432/test

1. 10,000 subscriptions due at the same minute, delivered over HTTP to a local stand-in on 127.0.0.1
   (claim, post with an idempotency key, confirm): deliveries per second.
2. 100,000 subscriptions spread over the day: time of the indexed due query at one minute.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core import Library, Passage
from bot.daily.scheduler import Scheduler
from bot.store import Store, Subscription, SubscriptionSpec, open_store

NOW = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)


class StandIn:
    """A local HTTP endpoint that stores messages and answers like a chat API."""

    def __init__(self) -> None:
        self.count = 0
        self.runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/channels/{channel}/messages", self.create)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"

    async def create(self, request: web.Request) -> web.Response:
        await request.json()
        self.count += 1
        return web.json_response({"id": str(self.count)})


class HttpDeliverer:
    """Posts to the stand-in with the idempotency key as a nonce."""

    def __init__(self, http: ClientSession, base: str) -> None:
        self.http = http
        self.base = base

    async def post(self, subscription: Subscription, passage: Passage, idempotency_key: str) -> str:
        body: dict[str, Any] = {"content": passage.ref, "nonce": idempotency_key, "enforce_nonce": True}
        async with self.http.post(f"{self.base}/channels/{subscription.channel_id}/messages", json=body) as r:
            return str((await r.json())["id"])

    async def find_existing(self, subscription: Subscription, idempotency_key: str, *, since: datetime) -> str | None:
        return None


def fill(store: Store, count: int, spread: bool) -> None:
    """Insert subscriptions; all due at NOW, or spread one per 0.864 s over a day."""
    for n in range(count):
        at = NOW + timedelta(seconds=(n * 86400 // count) if spread else 0)
        store.save_subscription(
            SubscriptionSpec("discord", str(n // 50), str(n), "secret-speech", "08:30", "Europe/Berlin"),
            now=NOW,
            next_run_at=at,
            next_local_date=at.date(),
        )


def fresh_url(base: str | None) -> tuple[str | None, Any]:
    """A schema of its own on PostgreSQL (dropped afterwards); SQLite needs nothing."""
    if not base:
        return None, None
    import psycopg
    from psycopg import sql

    schema = f"speechbot_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(base, autocommit=True)
    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}", (admin, schema)


def drop(handle: Any) -> None:
    if handle is not None:
        from psycopg import sql

        admin, schema = handle
        admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        admin.close()


async def deliveries_per_second(base_url: str | None, count: int, concurrency: int) -> None:
    url, handle = fresh_url(base_url)
    try:
        with tempfile.TemporaryDirectory() as folder:
            store = open_store(url, Path(folder))
            started = time.perf_counter()
            fill(store, count, spread=False)
            print(f"inserted {count:,} subscriptions in {time.perf_counter() - started:.1f} s")
            server = StandIn()
            await server.start()
            async with ClientSession() as http:
                scheduler = Scheduler(
                    store,
                    Library.load(),
                    {"discord": HttpDeliverer(http, server.base)},
                    clock=lambda: NOW,
                    concurrency=concurrency,
                )
                started = time.perf_counter()
                report = await scheduler.tick()
                elapsed = time.perf_counter() - started
            assert server.runner is not None
            await server.runner.cleanup()
            store.close()
            print(
                f"delivered {report['sent']:,} posts due at the same minute in {elapsed:.2f} s: "
                f"{report['sent'] / elapsed:,.0f} deliveries/s (concurrency {concurrency}, stand-in over 127.0.0.1)"
            )
    finally:
        drop(handle)


def due_query_time(base_url: str | None, count: int) -> None:
    url, handle = fresh_url(base_url)
    try:
        with tempfile.TemporaryDirectory() as folder:
            store = open_store(url, Path(folder))
            started = time.perf_counter()
            fill(store, count, spread=True)
            print(f"inserted {count:,} subscriptions in {time.perf_counter() - started:.1f} s")
            for label, at in (
                ("one minute due", NOW + timedelta(minutes=1)),
                ("half a day due", NOW + timedelta(hours=12)),
            ):
                timings = []
                for _ in range(50):
                    started = time.perf_counter()
                    due = store.due_subscriptions(at, platform="discord", limit=500)
                    timings.append(time.perf_counter() - started)
                print(
                    f"due query at {count:,} subscriptions, {label} ({len(due)} rows returned, batch limit 500): "
                    f"median {statistics.median(timings) * 1000:.2f} ms, max {max(timings) * 1000:.2f} ms"
                )
            store.close()
    finally:
        drop(handle)


def main() -> None:
    """Run both measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="postgresql://... (default: SQLite in a temp dir)")
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--query-subscriptions", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"backend: {backend}")
    asyncio.run(deliveries_per_second(args.database_url, args.subscriptions, args.concurrency))
    due_query_time(args.database_url, args.query_subscriptions)


if __name__ == "__main__":
    main()
