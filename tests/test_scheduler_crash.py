"""Fault soak: three scheduler processes on one database, SIGKILLed at random, over a simulated month.

The processes share a simulated clock (a file the test rewrites) and post to two stand-ins on 127.0.0.1:
a Discord-like recording server that honours `nonce` + `enforce_nonce` for a few (simulated) minutes as
Discord does, and the Slack stand-in in tests/fakes driven by the real SlackDeliverer and slack-sdk
(no nonce there: only looking before a re-send prevents a second post). Both inject faults at random:
429 with Retry-After, 5xx before and after storing the message, proxies' HTML error pages, hangs past
the client timeout, and connections dropped after the message was stored ("stored, response lost").
At the end every (channel, local date) that was due must have exactly one message, in the plan's order.

The clock only moves on once the live workers finished what is due, and a worker is only killed after it
has done some work: on a loaded machine the test gets slower, never wrong. A stall is reported when every
live worker ticked many times at the same simulated time and work is still open (a real bug), not when
the machine is merely slow.

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
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import Library, Passage
from bot.core.daily import nth_passage
from bot.core.schedule import is_posting_day, local_date_of, run_at
from bot.daily.delivery import PermanentDeliveryError, TransientDeliveryError
from bot.daily.scheduler import Scheduler, TickReport
from bot.daily.service import DailyService
from bot.slack.daily import METADATA_EVENT, SlackDeliverer
from bot.store import Store, Subscription, open_store
from tests.fakes.slack_api import FAKE_TEAM_ID, FakeSlack
from tests.slack.conftest import BOT_TOKEN
from tests.store.backends import BACKENDS, database_url

REPO = Path(__file__).resolve().parent.parent
SIM_START = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)  # a month across US, EU and Sydney DST changes
SIM_DAYS = 30
STEP = timedelta(hours=3)
LEASE = timedelta(minutes=5)
WORKERS = ("a", "b", "c")
CHANNELS = 12  # per platform
ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC", "America/Los_Angeles"]
CLIENT_TIMEOUT = 1  # seconds (wall): the workers' HTTP clients give up on a request after this
HANG = 2.0  # seconds (wall) a hanging request takes, longer than the client timeout
NONCE_WINDOW = timedelta(minutes=5)  # Discord drops a repeated nonce only for a few minutes
READY_TICKS = 3  # a worker is killed only after it completed this many ticks since it started
STALL_TICKS = 300  # every live worker ticked this often at one simulated time and work is still open: a bug
HARD_LIMIT = 600.0  # seconds (wall) one simulated step may take before the test gives up on it


# --- the worker process ------------------------------------------------------------------------------------


class HttpDeliverer:
    """A minimal Discord-like client: POST with nonce + enforce_nonce, look messages up by nonce since a time."""

    def __init__(self, http: ClientSession, base: str) -> None:
        self.http = http
        self.base = base

    async def post(self, subscription: Subscription, passage: Passage, idempotency_key: str) -> str:
        body = {"content": passage.ref, "nonce": idempotency_key, "enforce_nonce": True}
        try:
            async with self.http.post(f"{self.base}/channels/{subscription.channel_id}/messages", json=body) as r:
                if r.status == 429:
                    raise TransientDeliveryError("HTTP 429", float((await r.json())["retry_after"]))
                if r.status >= 500:
                    raise TransientDeliveryError(f"HTTP {r.status}")
                if r.status >= 400:
                    raise PermanentDeliveryError(f"HTTP {r.status}")
                return str((await r.json())["id"])
        except (ClientError, TimeoutError) as error:
            raise TransientDeliveryError(type(error).__name__) from error

    async def find_existing(self, subscription: Subscription, idempotency_key: str, *, since: datetime) -> str | None:
        url = f"{self.base}/channels/{subscription.channel_id}/messages"
        try:
            async with self.http.get(url, params={"nonce": idempotency_key, "after": str(since.timestamp())}) as r:
                if r.status >= 400:
                    raise TransientDeliveryError(f"HTTP {r.status}")
                found = await r.json()
        except (ClientError, TimeoutError) as error:
            raise TransientDeliveryError(type(error).__name__) from error
        return str(found[0]["id"]) if found else None


class BeatingScheduler(Scheduler):
    """The real scheduler, which also writes down each finished tick and the simulated time it started at."""

    beat_file: Path
    ticks = 0

    async def tick(self) -> TickReport:
        started = self.clock()
        report = await super().tick()
        self.ticks += 1
        temporary = self.beat_file.with_suffix(".tmp")
        temporary.write_text(f"{self.ticks} {started.timestamp()!r}")
        os.replace(temporary, self.beat_file)
        return report


async def worker_main(args: argparse.Namespace) -> None:
    """One scheduler process: real store, real scheduler, real Slack deliverer, the shared simulated clock."""
    clock_file = Path(args.clock)

    def clock() -> datetime:
        if os.getppid() != args.parent:
            os._exit(3)  # the test that started us is gone; never linger
        return datetime.fromtimestamp(float(clock_file.read_text()), UTC)

    async def sleep(_seconds: float) -> None:
        await asyncio.sleep(0.03)  # simulated time does not pass while we sleep; just yield a moment

    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {args.worker_id} %(name)s %(message)s")
    logging.getLogger("speechbot.crash").info("started")
    store = open_store(args.database_url or None, Path(args.data_dir))
    slack = SlackDeliverer(AsyncWebClient(token=BOT_TOKEN, base_url=args.slack), timeout=CLIENT_TIMEOUT)
    async with ClientSession(timeout=ClientTimeout(total=CLIENT_TIMEOUT)) as http:
        scheduler = BeatingScheduler(
            store,
            Library.load(),
            {"discord": HttpDeliverer(http, args.discord), "slack": slack},
            clock=clock,
            sleep=sleep,
            worker_id=args.worker_id,
            lease=LEASE,
            concurrency=8,
        )
        scheduler.beat_file = Path(args.data_dir) / f"beat-{args.worker_id}"
        await scheduler.run()


# --- the stand-ins -----------------------------------------------------------------------------------------


DISCORD_FAULTS_BEFORE = [("429", 0.02), ("503", 0.02), ("hang", 0.005), ("drop", 0.005)]
DISCORD_FAULTS_AFTER = [("stored-then-503", 0.02), ("stored-then-drop", 0.015), ("stored-then-hang", 0.005)]
SLACK_POST_FAULTS = [
    ("ratelimited", 0.02),
    ("html-502", 0.01),
    ("text-503", 0.01),
    ("drop", 0.005),
    ("stored-then-drop", 0.02),
    ("stored-then-500", 0.015),
    ("stored-then-hang", 0.005),
    ("hang", 0.005),
]
SLACK_HISTORY_FAULTS = [("ratelimited", 0.02), ("html-503-as-json", 0.02), ("hang", 0.005)]


def pick(rng: random.Random, table: list[tuple[str, float]]) -> str | None:
    """One fault drawn from a table of (fault, chance), or None for a request that goes through."""
    roll = rng.random()
    for name, chance in table:
        if roll < chance:
            return name
        roll -= chance
    return None


def drop(request: web.Request) -> web.Response:
    """Close the client's connection without an answer."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=500)  # never arrives


@dataclass
class RecordingServer:
    """A Discord-like channel API: stores messages, honours nonce + enforce_nonce briefly, injects faults."""

    clock_file: Path
    rng: random.Random
    messages: list[dict[str, Any]] = field(default_factory=list)
    by_nonce: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    faults: Counter[str] = field(default_factory=Counter)
    deduplicated_by_nonce: int = 0
    found_by_lookup: int = 0
    runner: web.AppRunner | None = None
    base: str = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/channels/{channel}/messages", self.create)
        app.router.add_get("/channels/{channel}/messages", self.lookup)
        self.runner = web.AppRunner(app, handle_signals=False)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    async def close(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    def now(self) -> float:
        return float(self.clock_file.read_text())

    async def create(self, request: web.Request) -> web.StreamResponse:
        channel = request.match_info["channel"]
        body = await request.json()
        await asyncio.sleep(self.rng.uniform(0, 0.01))  # latency, so kills land mid-request
        fault = pick(self.rng, DISCORD_FAULTS_BEFORE)
        if fault:
            self.faults[fault] += 1
            if fault == "429":
                return web.json_response({"message": "slow down", "retry_after": 2.5, "global": False}, status=429)
            if fault == "503":
                return web.json_response({"message": "unavailable"}, status=503)
            if fault == "hang":
                await asyncio.sleep(HANG)
            return drop(request)
        key = (channel, str(body.get("nonce")))
        earlier = self.by_nonce.get(key)
        if body.get("enforce_nonce") and earlier and self.now() - earlier["at"] < NONCE_WINDOW.total_seconds():
            self.deduplicated_by_nonce += 1
            return web.json_response(earlier)
        message = {
            "id": str(len(self.messages) + 1),
            "channel": channel,
            "nonce": body.get("nonce"),
            "content": body["content"],
            "at": self.now(),
        }
        self.messages.append(message)
        self.by_nonce[key] = message
        after = pick(self.rng, DISCORD_FAULTS_AFTER)
        if after:  # stored, but the client never hears so: it must not post twice
            self.faults[after] += 1
            if after == "stored-then-503":
                return web.json_response({"message": "gateway timeout"}, status=503)
            if after == "stored-then-hang":
                await asyncio.sleep(HANG)
                return web.json_response(message)
            return drop(request)
        return web.json_response(message)

    async def lookup(self, request: web.Request) -> web.Response:
        found = self.by_nonce.get((request.match_info["channel"], request.query.get("nonce", "")))
        if found and found["at"] >= float(request.query.get("after", "0")):
            self.found_by_lookup += 1
            return web.json_response([found])
        return web.json_response([])


class SlackFaults:
    """Decides, call by call, which fault the Slack stand-in plays, and counts them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.played: Counter[str] = Counter()

    def __call__(self, method: str) -> str | None:
        table = {"chat.postMessage": SLACK_POST_FAULTS, "conversations.history": SLACK_HISTORY_FAULTS}.get(method, [])
        fault = pick(self.rng, table)
        if fault is not None:
            self.played[fault] += 1
        return fault


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
    discord: str
    slack: str
    processes: dict[str, asyncio.subprocess.Process] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    starts: int = 0
    kills: int = 0
    unexpected_exits: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def start(self, name: str) -> None:
        self.starts += 1
        self.ids[name] = f"{name}-{self.starts}"
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
                "--discord",
                self.discord,
                "--slack",
                self.slack,
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

    def beat(self, name: str) -> tuple[int, float]:
        """(ticks finished, simulated time the last one started at) of a worker's current process."""
        try:
            ticks, started = (self.data_dir / f"beat-{self.ids[name]}").read_text().split()
        except (FileNotFoundError, ValueError):
            return 0, 0.0
        return int(ticks), float(started)

    def working(self) -> list[str]:
        """Workers that have done some work since they (re)started: only those are worth killing."""
        return sorted(name for name in self.processes if self.beat(name)[0] >= READY_TICKS)

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
    for platform in ("discord", "slack"):
        for sub in store.due_subscriptions(now, platform=platform):
            held = sub.next_local_date and store.delivery(sub.id, sub.next_local_date)
            leased_to_the_dead = (
                held and held.status == "claimed" and held.lease_until > now and held.claimed_by not in live
            )
            if not leased_to_the_dead:
                count += 1
    return count


def next_moment(store: Store, now: datetime) -> datetime:
    """Where simulated time goes next: a step on, or sooner to the next retry or the end of a dead worker's lease.

    Retries then come at the times the scheduler asked for, as they would in real time, instead of an hour
    later each: a channel hit by several faults in a row still gets the retries a real day gives it.
    """
    moments = [now + STEP]
    for platform in ("discord", "slack"):
        due = store.next_due_at(platform=platform)
        if due is not None and due > now:
            moments.append(due)
        for sub in store.due_subscriptions(now, platform=platform):
            held = sub.next_local_date and store.delivery(sub.id, sub.next_local_date)
            if held and held.status == "claimed" and held.lease_until > now:
                moments.append(held.lease_until)
    return max(min(moments), now + timedelta(seconds=1))


async def settle(store: Store, fleet: Fleet, now: datetime) -> bool:
    """Hold simulated time until live workers finished the due work, so kills delay posts but days don't fly by.

    Work leased by a killed worker does not hold the clock: its lease runs out as simulated time moves on.
    Returns False (a stall) only when every live worker kept ticking at this time and the work stayed open.
    """
    fresh: dict[str, int] = {}  # worker id -> its tick count when it first ticked at this simulated time
    deadline = wall.monotonic() + HARD_LIMIT
    while wall.monotonic() < deadline:
        await fleet.revive()
        if not await asyncio.to_thread(open_work, store, now, fleet.live_ids()):
            return True
        progress = []
        for name in fleet.processes:
            ticks, started = fleet.beat(name)
            if started >= now.timestamp():
                progress.append(ticks - fresh.setdefault(fleet.ids[name], ticks))
            else:
                progress.append(0)
        if progress and min(progress) >= STALL_TICKS:
            break
        await asyncio.sleep(0.03)
    for platform in ("discord", "slack"):
        for sub in await asyncio.to_thread(store.due_subscriptions, now, platform=platform):
            held = sub.next_local_date and store.delivery(sub.id, sub.next_local_date)
            print(f"stalled at {now}: subscription {sub.id} due {sub.next_local_date} {held} live={fleet.live_ids()}")
    return False


async def subscribe(service: DailyService, rng: random.Random, platform: str, n: int) -> Subscription:
    result = await service.setup(
        platform=platform,
        workspace_id=str((1000 + n) << 22) if platform == "discord" else FAKE_TEAM_ID,
        channel_id=str(5000 + n) if platform == "discord" else f"C0SOAK{n:03d}",
        time_text=f"{rng.randint(6, 17)}:{rng.choice(['00', '15', '30', '45', '07'])}",
        zone_text=ZONES[n % len(ZONES)],
        set_up_by="1",
        now=SIM_START,
        mode="sequential" if n % 3 == 0 else "shuffle",
        days="weekdays" if n % 5 == 0 else "daily",
    )
    assert result.subscription is not None
    return result.subscription


@pytest.mark.slow
async def test_three_processes_killed_at_random_under_platform_faults_post_every_day_exactly_once(
    url: str | None, tmp_path: Path
) -> None:
    began = wall.monotonic()
    rng = random.Random(20260306)
    library = Library.load()
    clock_file = tmp_path / "clock"
    write_clock(clock_file, SIM_START)
    store = open_store(url, tmp_path)
    service = DailyService(store, library)
    subs = [await subscribe(service, rng, platform, n) for platform in ("discord", "slack") for n in range(CHANNELS)]

    discord = RecordingServer(clock_file, random.Random(7))
    await discord.start()
    faults = SlackFaults(random.Random(11))
    slack = await FakeSlack(clock=lambda: float(clock_file.read_text()), hang_seconds=HANG, fault_for=faults).start()
    fleet = Fleet(url, tmp_path, clock_file, discord.base, slack.base_url)
    killing = True
    stalls = 0
    moves = 0

    async def killer() -> None:
        # Paced by simulated progress, not wall time, so a slow machine sees the same number of kills; the
        # short random wait after a clock move lands each kill somewhere in the middle of the work.
        kill_at = rng.randint(5, 25)
        while killing:
            await asyncio.sleep(0.01)
            victims = fleet.working()
            if moves < kill_at or not victims:
                continue
            await asyncio.sleep(rng.uniform(0, 0.3))
            if killing:
                await fleet.kill(rng.choice(victims))
            kill_at = moves + rng.randint(5, 25)

    try:
        for name in WORKERS:
            await fleet.start(name)
        chaos = asyncio.create_task(killer())
        now = SIM_START
        end = SIM_START + timedelta(days=SIM_DAYS)
        while now < end:
            now = min(await asyncio.to_thread(next_moment, store, now), end)
            moves += 1
            write_clock(clock_file, now)
            stalls += not await settle(store, fleet, now)
        killing = False
        await chaos
        # Let leases left by the last kills run out, then wait for the survivors to finish.
        for _ in range(3):
            now += STEP
            write_clock(clock_file, now)
            stalls += not await settle(store, fleet, now)
    finally:
        await fleet.stop()
        await discord.close()
        await slack.stop()

    document = library.document(None)
    posted: dict[str, list[tuple[str, str]]] = {}  # channel -> (idempotency key, passage ref) per message
    for message in discord.messages:
        posted.setdefault(message["channel"], []).append((message["nonce"], message["content"]))
    for channel, messages in slack.messages.items():
        for message in messages:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if (message.get("metadata") or {}).get("event_type") == METADATA_EVENT:
                posted.setdefault(channel, []).append((payload["key"], payload["ref"]))
    duplicates: dict[str, int] = {}
    misses: list[str] = []
    problems: list[str] = []
    channel_days = 0
    for sub in subs:
        messages = posted.get(sub.channel_id, [])
        per_day = Counter(key for key, _ in messages)
        wanted = {f"sb{sub.id}-{day:%Y%m%d}" for day in expected_days(sub, SIM_START, now)}
        channel_days += len(wanted)
        duplicates |= {f"{sub.platform} {sub.channel_id} {key}": n - 1 for key, n in per_day.items() if n > 1}
        misses += [f"{sub.platform} {sub.channel_id} {key}" for key in sorted(wanted - set(per_day))]
        if not set(per_day) <= wanted:
            problems.append(f"channel {sub.channel_id}: posts for days not due {sorted(set(per_day) - wanted)}")
        in_order = [ref for _, ref in sorted(set(messages))]
        plan = [nth_passage(document, k, mode=sub.mode, seed=str(sub.id)).ref for k in range(len(in_order))]
        if in_order != plan:
            problems.append(f"channel {sub.channel_id}: skipped or repeated a passage of its plan")
        problems += [
            f"channel {sub.channel_id}: {d.local_date} left {d.status}"
            for d in store.deliveries(sub.id)
            if d.status != "sent"
        ]
    store.close()
    for where, extra in sorted(duplicates.items()):
        print(f"duplicate: {where} posted {extra + 1} times")
    for where in misses:
        print(f"miss: {where}")
    posts = sum(len(m) for m in posted.values())
    discord_faults = ", ".join(f"{n} {name}" for name, n in sorted(discord.faults.items()))
    slack_faults = ", ".join(f"{n} {name}" for name, n in sorted(faults.played.items()))
    figures = (
        f"fault soak [{'postgres' if url else 'sqlite'}]: {len(WORKERS)} processes, {posts} posts for "
        f"{channel_days} channel-days ({CHANNELS} Discord + {CHANNELS} Slack channels, {SIM_DAYS} simulated days "
        f"in {moves} clock moves), "
        f"{fleet.kills} SIGKILLs; {sum(duplicates.values())} duplicates, {len(misses)} misses; "
        f"Discord faults: {discord_faults}; {discord.found_by_lookup} found by lookup, "
        f"{discord.deduplicated_by_nonce} stopped by nonce; Slack faults: {slack_faults}; "
        f"{fleet.unexpected_exits} unexpected exits, {stalls} stalls; {wall.monotonic() - began:.1f} s"
    )
    print(f"\n{figures}")
    if fleet.unexpected_exits:
        problems += [f"worker {name} log: {(tmp_path / f'worker-{name}.log').read_text()[-2000:]}" for name in WORKERS]
    assert problems == [], figures
    assert (sum(duplicates.values()), len(misses), stalls, fleet.unexpected_exits) == (0, 0, 0, 0), figures
    assert fleet.kills >= 5, figures
    assert posts == channel_days
    assert discord.faults["stored-then-drop"] and faults.played["stored-then-drop"], figures


def main(argv: list[str]) -> None:
    """Entry point for the worker processes the test starts."""
    parser = argparse.ArgumentParser(prog="python -m tests.test_scheduler_crash")
    sub = parser.add_subparsers(dest="command", required=True)
    worker = sub.add_parser("worker", help="run one scheduler process against the shared clock")
    worker.add_argument("--database-url", default="")
    worker.add_argument("--data-dir", required=True)
    worker.add_argument("--clock", required=True)
    worker.add_argument("--discord", required=True)
    worker.add_argument("--slack", required=True)
    worker.add_argument("--worker-id", required=True)
    worker.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)
    asyncio.run(worker_main(args))


if __name__ == "__main__":
    main(sys.argv[1:])
