"""Crash proof: two scheduler processes on one database, SIGKILLed at random, over a simulated month.

The processes share a simulated clock (a file the test rewrites) and post over HTTP into a recording server
on 127.0.0.1 that, like Discord, honours `nonce` + `enforce_nonce`, and sometimes fails with 503 (before
or after storing the message). At the end every (channel, local date) that was due must have exactly one
message, in the order of the channel's plan.

Run a worker by hand: python -m tests.test_scheduler_crash worker --help
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import sys
import time as wall
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientError, ClientSession, ClientTimeout, web

from bot.core import Library, Passage
from bot.core.daily import nth_passage
from bot.core.schedule import is_posting_day, local_date_of, run_at
from bot.daily_service import DailyService
from bot.scheduler import PermanentDeliveryError, Scheduler, TransientDeliveryError
from bot.store import Store, Subscription, open_store
from tests.store.backends import BACKENDS, database_url

REPO = Path(__file__).resolve().parent.parent
SIM_START = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)  # a month across US, EU and Sydney DST changes
SIM_DAYS = 30
STEP = timedelta(hours=1)
LEASE = timedelta(minutes=5)
CHANNELS = 30
ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC", "America/Los_Angeles"]


# --- the worker process ------------------------------------------------------------------------------------


class HttpDeliverer:
    """A minimal Discord-like client: POST with nonce + enforce_nonce, look messages up by nonce."""

    def __init__(self, http: ClientSession, base: str) -> None:
        self.http = http
        self.base = base

    async def post(self, subscription: Subscription, passage: Passage, idempotency_key: str) -> str:
        body = {"content": passage.ref, "nonce": idempotency_key, "enforce_nonce": True}
        try:
            async with self.http.post(f"{self.base}/channels/{subscription.channel_id}/messages", json=body) as r:
                if r.status >= 500:
                    raise TransientDeliveryError(f"HTTP {r.status}")
                if r.status >= 400:
                    raise PermanentDeliveryError(f"HTTP {r.status}")
                return str((await r.json())["id"])
        except ClientError as error:
            raise TransientDeliveryError(type(error).__name__) from error

    async def find_existing(self, subscription: Subscription, idempotency_key: str, *, since: datetime) -> str | None:
        url = f"{self.base}/channels/{subscription.channel_id}/messages"
        try:
            async with self.http.get(url, params={"nonce": idempotency_key}) as r:
                if r.status >= 400:
                    raise TransientDeliveryError(f"HTTP {r.status}")
                found = await r.json()
        except ClientError as error:
            raise TransientDeliveryError(type(error).__name__) from error
        return str(found[0]["id"]) if found else None


async def worker_main(args: argparse.Namespace) -> None:
    """One scheduler process: real store, real scheduler, the shared simulated clock."""
    clock_file = Path(args.clock)

    def clock() -> datetime:
        if os.getppid() != args.parent:
            os._exit(3)  # the test that started us is gone; never linger
        return datetime.fromtimestamp(float(clock_file.read_text()), UTC)

    async def sleep(_seconds: float) -> None:
        await asyncio.sleep(0.005)  # simulated time does not pass while we sleep; just yield a moment

    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {args.worker_id} %(name)s %(message)s")
    logging.getLogger("speechbot.crash").info("started")
    store = open_store(args.database_url or None, Path(args.data_dir))
    async with ClientSession(timeout=ClientTimeout(total=5)) as http:
        scheduler = Scheduler(
            store,
            Library.load(),
            {"discord": HttpDeliverer(http, args.server)},
            clock=clock,
            sleep=sleep,
            worker_id=args.worker_id,
            lease=LEASE,
            concurrency=8,
        )
        await scheduler.run()


# --- the recording server ----------------------------------------------------------------------------------


@dataclass
class RecordingServer:
    """Stores messages per channel; honours nonce + enforce_nonce; fails some requests with 503."""

    clock_file: Path
    rng: random.Random
    messages: list[dict[str, Any]] = field(default_factory=list)
    by_nonce: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    deduplicated_by_nonce: int = 0
    found_by_lookup: int = 0
    failed_before: int = 0
    failed_after: int = 0
    runner: web.AppRunner | None = None
    base: str = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/channels/{channel}/messages", self.create)
        app.router.add_get("/channels/{channel}/messages", self.lookup)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def create(self, request: web.Request) -> web.Response:
        channel = request.match_info["channel"]
        body = await request.json()
        await asyncio.sleep(self.rng.uniform(0, 0.01))  # latency, so kills land mid-request
        if self.rng.random() < 0.02:
            self.failed_before += 1
            return web.json_response({"message": "unavailable"}, status=503)
        key = (channel, str(body.get("nonce")))
        if body.get("enforce_nonce") and key in self.by_nonce:
            self.deduplicated_by_nonce += 1
            return web.json_response(self.by_nonce[key])
        message = {
            "id": str(len(self.messages) + 1),
            "channel": channel,
            "nonce": body.get("nonce"),
            "content": body["content"],
            "at": float(self.clock_file.read_text()),
        }
        self.messages.append(message)
        self.by_nonce[key] = message
        if self.rng.random() < 0.02:
            self.failed_after += 1  # stored, but the client hears an error: it must not post twice
            return web.json_response({"message": "gateway timeout"}, status=503)
        return web.json_response(message)

    async def lookup(self, request: web.Request) -> web.Response:
        found = self.by_nonce.get((request.match_info["channel"], request.query.get("nonce", "")))
        if found:
            self.found_by_lookup += 1
        return web.json_response([found] if found else [])


# --- the test ----------------------------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    with database_url(request.param, tmp_path) as found:
        yield found


def write_clock(path: Path, moment: datetime) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(repr(moment.timestamp()))
    os.replace(temporary, path)


@dataclass
class Fleet:
    """The worker processes; each start gets a new worker id so a dead one's leases are recognisable."""

    url: str | None
    data_dir: Path
    clock_file: Path
    server: str
    processes: dict[str, asyncio.subprocess.Process] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    born: dict[str, float] = field(default_factory=dict)
    starts: int = 0
    kills: int = 0
    unexpected_exits: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def start(self, name: str) -> None:
        self.starts += 1
        self.ids[name] = f"{name}-{self.starts}"
        self.born[name] = wall.monotonic()
        with (self.data_dir / f"worker-{name}.log").open("ab") as log:
            self.processes[name] = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.test_scheduler_crash",
                "worker",
                "--database-url",
                self.url or "",
                "--data-dir",
                str(self.data_dir),
                "--clock",
                str(self.clock_file),
                "--server",
                self.server,
                "--worker-id",
                self.ids[name],
                "--parent",
                str(os.getpid()),
                cwd=REPO,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )

    async def kill(self, name: str) -> None:
        async with self.lock:
            self.processes[name].kill()  # SIGKILL: no cleanup, no confirm, leases left behind
            await self.processes[name].wait()
            self.kills += 1
            await self.start(name)

    async def revive(self) -> None:
        async with self.lock:
            for name, process in list(self.processes.items()):
                if process.returncode is not None:
                    self.unexpected_exits += 1
                    await self.start(name)

    def grown_up(self, age: float) -> list[str]:
        """Workers that have run long enough to be doing work (a restart takes about half a second)."""
        return sorted(name for name, born in self.born.items() if wall.monotonic() - born >= age)

    def live_ids(self) -> set[str]:
        return {self.ids[name] for name, p in self.processes.items() if p.returncode is None}

    async def stop(self) -> None:
        async with self.lock:
            processes = list(self.processes.values())
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()


def expected_days(sub: Subscription, start: datetime, end: datetime) -> set[date]:
    """Every local date whose post time falls inside the simulated window."""
    days = set()
    day = local_date_of(start, sub.timezone) - timedelta(days=1)
    local_time = datetime.strptime(sub.local_time, "%H:%M").time()  # noqa: DTZ007 - a wall time, no zone
    while day <= local_date_of(end, sub.timezone):
        if is_posting_day(day, sub.days) and start < run_at(day, local_time, sub.timezone) <= end:
            days.add(day)
        day += timedelta(days=1)
    return days


def open_work(store: Store, now: datetime, live: set[str]) -> int:
    """Due subscriptions still to be done by a live worker (free, or leased to a worker still running)."""
    count = 0
    for sub in store.due_subscriptions(now, platform="discord"):
        held = sub.next_local_date and store.delivery(sub.id, sub.next_local_date)
        leased_to_the_dead = (
            held and held.status == "claimed" and held.lease_until > now and held.claimed_by not in live
        )
        if not leased_to_the_dead:
            count += 1
    return count


async def settle(store: Store, fleet: Fleet, now: datetime, timeout: float) -> bool:
    """Hold simulated time until live workers finished the due work, so kills delay posts but days don't fly by.

    Work leased by a killed worker does not hold the clock: its lease runs out as simulated time moves on.
    """
    deadline = wall.monotonic() + timeout
    while wall.monotonic() < deadline:
        await fleet.revive()
        if not await asyncio.to_thread(open_work, store, now, fleet.live_ids()):
            return True
        await asyncio.sleep(0.02)
    for sub in await asyncio.to_thread(store.due_subscriptions, now, platform="discord"):
        held = sub.next_local_date and store.delivery(sub.id, sub.next_local_date)
        print(f"stalled at {now}: subscription {sub.id} due {sub.next_local_date} {held} live={fleet.live_ids()}")
    return False


async def test_two_processes_killed_at_random_post_every_day_exactly_once(url: str | None, tmp_path: Path) -> None:
    began = wall.monotonic()
    rng = random.Random(20260306)
    library = Library.load()
    clock_file = tmp_path / "clock"
    write_clock(clock_file, SIM_START)
    store = open_store(url, tmp_path)
    service = DailyService(store, library)
    subs: list[Subscription] = []
    for n in range(CHANNELS):
        result = await service.setup(
            platform="discord",
            workspace_id=str((1000 + n) << 22),
            channel_id=str(5000 + n),
            time_text=f"{rng.randint(6, 17)}:{rng.choice(['00', '15', '30', '45', '07'])}",
            zone_text=ZONES[n % len(ZONES)],
            set_up_by="1",
            now=SIM_START,
            mode="sequential" if n % 3 == 0 else "shuffle",
            days="weekdays" if n % 5 == 0 else "daily",
        )
        assert result.subscription is not None
        subs.append(result.subscription)

    server = RecordingServer(clock_file, random.Random(7))
    await server.start()
    fleet = Fleet(url, tmp_path, clock_file, server.base)
    killing = True
    stalls = 0

    async def killer() -> None:
        while killing:
            await asyncio.sleep(rng.uniform(0.1, 0.8))
            victims = fleet.grown_up(age=1.5)
            if killing and victims:
                await fleet.kill(rng.choice(victims))

    try:
        for name in ("a", "b"):
            await fleet.start(name)
        chaos = asyncio.create_task(killer())
        now = SIM_START
        end = SIM_START + timedelta(days=SIM_DAYS)
        while now < end:
            now += STEP
            write_clock(clock_file, now)
            stalls += not await settle(store, fleet, now, timeout=30)
        killing = False
        await chaos
        # Let leases left by the last kills run out, then wait for the survivors to finish.
        for _ in range(3):
            now += STEP
            write_clock(clock_file, now)
            stalls += not await settle(store, fleet, now, timeout=30)
    finally:
        await fleet.stop()
        await server.close()

    document = library.document(None)
    posted: dict[str, list[dict[str, Any]]] = {}
    for message in server.messages:
        posted.setdefault(message["channel"], []).append(message)
    duplicates = 0
    misses = 0
    problems: list[str] = []
    for sub in subs:
        messages = posted.get(sub.channel_id, [])
        per_day = Counter(m["nonce"] for m in messages)
        duplicates += sum(count - 1 for count in per_day.values())
        wanted = {f"sb{sub.id}-{day:%Y%m%d}" for day in expected_days(sub, SIM_START, now)}
        misses += len(wanted - set(per_day))
        if not set(per_day) <= wanted:
            problems.append(f"channel {sub.channel_id}: posts for days not due {sorted(set(per_day) - wanted)}")
        if wanted - set(per_day):
            problems.append(f"channel {sub.channel_id}: missed {sorted(wanted - set(per_day))}")
        in_order = sorted(messages, key=lambda m: m["nonce"])
        plan = [nth_passage(document, k, mode=sub.mode, seed=str(sub.id)).ref for k in range(len(in_order))]
        if [m["content"] for m in in_order] != plan:
            problems.append(f"channel {sub.channel_id}: skipped or repeated a passage of its plan")
        problems += [
            f"channel {sub.channel_id}: {d.local_date} left {d.status}"
            for d in store.deliveries(sub.id)
            if d.status != "sent"
        ]
    store.close()
    duration = wall.monotonic() - began
    figures = (
        f"crash test [{'postgres' if url else 'sqlite'}]: {len(server.messages)} posts to {CHANNELS} channels over "
        f"{SIM_DAYS} simulated days, {fleet.kills} SIGKILLs, {duplicates} duplicates, {misses} misses; "
        f"{server.found_by_lookup} found by lookup after a lost confirm, {server.deduplicated_by_nonce} stopped by "
        f"nonce, {server.failed_before + server.failed_after} injected 503s ({server.failed_after} after storing); "
        f"{fleet.unexpected_exits} unexpected exits, {stalls} stalls; {duration:.1f} s"
    )
    print(f"\n{figures}")
    if fleet.unexpected_exits:
        problems += [f"worker {name} log: {(tmp_path / f'worker-{name}.log').read_text()[-2000:]}" for name in "ab"]
    assert problems == [], figures
    assert (duplicates, misses, stalls, fleet.unexpected_exits) == (0, 0, 0, 0), figures
    assert fleet.kills >= 5, figures
    assert len(server.messages) > CHANNELS * SIM_DAYS * 0.7


def main(argv: list[str]) -> None:
    """Entry point for the worker processes the test starts."""
    parser = argparse.ArgumentParser(prog="python -m tests.test_scheduler_crash")
    sub = parser.add_subparsers(dest="command", required=True)
    worker = sub.add_parser("worker", help="run one scheduler process against the shared clock")
    worker.add_argument("--database-url", default="")
    worker.add_argument("--data-dir", required=True)
    worker.add_argument("--clock", required=True)
    worker.add_argument("--server", required=True)
    worker.add_argument("--worker-id", required=True)
    worker.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)
    asyncio.run(worker_main(args))


if __name__ == "__main__":
    main(sys.argv[1:])
