"""The scheduler with a fixed clock: on time, catch-up, no back-fill, exactly once, failures, plans, shards."""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core import Library, Passage
from bot.daily.delivery import PermanentDeliveryError, TransientDeliveryError
from bot.daily.scheduler import UNEXPECTED_ERROR_BACKOFF, Scheduler
from bot.daily.service import DailyService
from bot.daily.shards import discord_shard_filter
from bot.store import Store, Subscription, SubscriptionSpec, open_store
from tests.clocks import HandClock

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 3, 9, 23, 0, tzinfo=UTC)  # Tuesday 10 March 2026, 00:00 in Berlin


class Crash(BaseException):
    """Stands for the process dying (SIGKILL) in the middle of a delivery."""


@dataclass
class Posted:
    channel_id: str
    key: str
    ref: str
    at: datetime
    message_id: str


@dataclass
class FakePlatform:
    """A platform stand-in that records every post; it does NOT de-duplicate, so duplicates show."""

    clock: HandClock
    posted: list[Posted] = field(default_factory=list)
    failures: dict[str, list[BaseException]] = field(default_factory=dict)
    crash_after_post: set[str] = field(default_factory=set)
    hang_after_post: set[str] = field(default_factory=set)  # stored, then the answer never comes
    lookups: int = 0
    lookup_since: list[datetime] = field(default_factory=list)

    async def post(self, subscription: Subscription, passage: Passage, idempotency_key: str) -> str:
        queue = self.failures.get(subscription.channel_id)
        if queue:
            raise queue.pop(0)
        message_id = f"m{len(self.posted) + 1}"
        self.posted.append(Posted(subscription.channel_id, idempotency_key, passage.ref, self.clock(), message_id))
        if subscription.channel_id in self.crash_after_post:
            self.crash_after_post.discard(subscription.channel_id)
            raise Crash
        if subscription.channel_id in self.hang_after_post:
            self.hang_after_post.discard(subscription.channel_id)
            await asyncio.Event().wait()  # never set: only the scheduler's own bound ends this
        return message_id

    async def find_existing(self, subscription: Subscription, idempotency_key: str, *, since: datetime) -> str | None:
        self.lookups += 1
        self.lookup_since.append(since)
        for message in self.posted:
            if message.key == idempotency_key:
                return message.message_id
        return None

    def in_channel(self, channel_id: str) -> list[Posted]:
        return [p for p in self.posted if p.channel_id == channel_id]


@pytest.fixture(scope="module")
def library() -> Library:
    return Library.load()


@pytest.fixture
def clock() -> HandClock:
    return HandClock(START)


@pytest.fixture
def platform(clock: HandClock) -> FakePlatform:
    return FakePlatform(clock)


def make_scheduler(store: Store, library: Library, platform: FakePlatform, clock: HandClock, **kw: object) -> Scheduler:
    return Scheduler(store, library, {"discord": platform}, clock=clock, lease=timedelta(minutes=5), **kw)  # type: ignore[arg-type]


async def setup(
    store: Store,
    library: Library,
    clock: HandClock,
    channel: str = "100",
    time_text: str = "08:30",
    zone: str = "Europe/Berlin",
    guild: str = "900",
    **options: str,
) -> Subscription:
    result = await DailyService(store, library).setup(
        platform="discord",
        workspace_id=guild,
        channel_id=channel,
        time_text=time_text,
        zone_text=zone,
        set_up_by="42",
        now=clock(),
        **options,
    )
    assert result.subscription is not None
    return result.subscription


async def run_until(
    clock: HandClock, until: datetime, *schedulers: Scheduler, step: timedelta = timedelta(minutes=10)
) -> None:
    while clock.now < until:
        clock.now = min(clock.now + step, until)
        await asyncio.gather(*(s.tick() for s in schedulers))


def local(moment: datetime) -> datetime:
    return moment.astimezone(BERLIN)


async def test_post_goes_out_at_the_local_time_and_not_before(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform
) -> None:
    await setup(store, library, clock)
    scheduler = make_scheduler(store, library, platform, clock)
    await run_until(clock, datetime(2026, 3, 10, 7, 29, tzinfo=UTC), scheduler, step=timedelta(minutes=1))
    assert platform.posted == []
    await run_until(clock, datetime(2026, 3, 10, 7, 31, tzinfo=UTC), scheduler, step=timedelta(minutes=1))
    assert [local(p.at).strftime("%Y-%m-%d %H:%M") for p in platform.posted] == ["2026-03-10 08:30"]


async def test_post_missed_during_downtime_is_sent_late_once_the_same_day(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform
) -> None:
    await setup(store, library, clock)
    scheduler = make_scheduler(store, library, platform, clock)
    clock.now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # the bot was down from midnight until 16:00 Berlin
    await scheduler.tick()
    await scheduler.tick()
    assert len(platform.posted) == 1
    assert local(platform.posted[0].at).date() == date(2026, 3, 10)
    await run_until(clock, datetime(2026, 3, 11, 22, 0, tzinfo=UTC), scheduler)
    assert [local(p.at).strftime("%d %H:%M") for p in platform.posted] == ["10 16:00", "11 08:30"]


async def test_days_that_ended_during_downtime_are_not_back_filled(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform
) -> None:
    sub = await setup(store, library, clock)
    scheduler = make_scheduler(store, library, platform, clock)
    clock.now = datetime(2026, 3, 13, 6, 0, tzinfo=UTC)  # back on Friday 07:00 Berlin, before the post time
    report = await scheduler.tick()
    assert report["rescheduled"] == 1
    assert platform.posted == []
    after = store.subscription_by_id(sub.id)
    assert after is not None
    assert after.next_local_date == date(2026, 3, 13)
    await run_until(clock, datetime(2026, 3, 13, 12, 0, tzinfo=UTC), scheduler)
    assert [local(p.at).date() for p in platform.posted] == [date(2026, 3, 13)]
    assert [d.local_date for d in store.deliveries(sub.id)] == [date(2026, 3, 13)]


async def test_downtime_across_days_ending_after_post_time_sends_only_today_late(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform
) -> None:
    await setup(store, library, clock)
    scheduler = make_scheduler(store, library, platform, clock)
    clock.now = datetime(2026, 3, 13, 10, 0, tzinfo=UTC)  # three days later, after 08:30 Berlin
    await scheduler.tick()
    await scheduler.tick()
    assert [local(p.at).date() for p in platform.posted] == [date(2026, 3, 13)]


async def test_two_schedulers_on_one_database_post_each_day_exactly_once(
    url: str | None, tmp_path: Path, library: Library, clock: HandClock, platform: FakePlatform
) -> None:
    stores = [open_store(url, tmp_path), open_store(url, tmp_path)]
    for n in range(8):
        await setup(stores[0], library, clock, channel=str(n), time_text=f"{6 + n}:15")
    schedulers = [make_scheduler(s, library, platform, clock) for s in stores]
    await run_until(clock, START + timedelta(days=5), *schedulers)
    for store in stores:
        store.close()
    keys = [p.key for p in platform.posted]
    assert len(keys) == len(set(keys)) == 8 * 5


async def test_crash_after_post_is_confirmed_from_the_platform_not_posted_again(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform
) -> None:
    sub = await setup(store, library, clock)
    dying = make_scheduler(store, library, platform, clock)
    platform.crash_after_post.add("100")
    clock.now = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)
    with pytest.raises(Crash):
        await dying.tick()
    survivor = make_scheduler(store, library, platform, clock)
    clock.now += timedelta(minutes=4)
    assert (await survivor.tick())["busy"] == 1  # the dead worker's lease still holds
    clock.now += timedelta(minutes=2)
    report = await survivor.tick()
    assert report["found"] == 1
    assert len(platform.posted) == 1
    after = store.subscription_by_id(sub.id)
    assert after is not None
    assert (after.posts_made, after.last_message_id) == (1, platform.posted[0].message_id)
    assert after.next_local_date == date(2026, 3, 11)


async def test_crash_before_post_is_sent_once_after_the_lease_expires(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform
) -> None:
    await setup(store, library, clock)
    platform.failures["100"] = [Crash()]
    clock.now = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)
    with pytest.raises(Crash):
        await make_scheduler(store, library, platform, clock).tick()
    survivor = make_scheduler(store, library, platform, clock)
    clock.now += timedelta(minutes=6)
    assert (await survivor.tick())["sent"] == 1
    assert platform.lookups == 1  # looked before re-sending
    assert len(platform.posted) == 1


async def test_crash_on_a_claim_just_before_midnight_is_resolved_not_back_filled(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform
) -> None:
    sub = await setup(store, library, clock, time_text="23:58")
    platform.crash_after_post.add("100")
    clock.now = datetime(2026, 3, 10, 22, 58, tzinfo=UTC)
    with pytest.raises(Crash):
        await make_scheduler(store, library, platform, clock).tick()
    clock.now = datetime(2026, 3, 10, 23, 10, tzinfo=UTC)  # 00:10 on the 11th in Berlin
    await make_scheduler(store, library, platform, clock).tick()
    delivery = store.delivery(sub.id, date(2026, 3, 10))
    assert delivery is not None
    assert delivery.status == "sent"
    assert len(platform.posted) == 1


async def test_deleted_channel_pauses_that_subscription_and_the_others_still_post(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform
) -> None:
    broken = await setup(store, library, clock, channel="1")
    await setup(store, library, clock, channel="2")
    platform.failures["1"] = [PermanentDeliveryError("Unknown Channel")]
    scheduler = make_scheduler(store, library, platform, clock)
    await run_until(clock, START + timedelta(days=2), scheduler)
    assert [p.channel_id for p in platform.posted] == ["2", "2"]
    paused = store.subscription_by_id(broken.id)
    assert paused is not None
    assert paused.paused_reason == "Unknown Channel"
    status = await DailyService(store, library).status(platform="discord", workspace_id="900", channel_id="1")
    assert "Paused: Unknown Channel" in status.message
    await setup(store, library, clock, channel="1")
    await run_until(clock, START + timedelta(days=3), scheduler)
    assert [p.channel_id for p in platform.posted].count("1") == 1


async def test_rate_limit_and_server_errors_are_retried_with_backoff(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform
) -> None:
    sub = await setup(store, library, clock)
    platform.failures["100"] = [TransientDeliveryError("HTTP 503"), TransientDeliveryError("HTTP 502")]
    scheduler = make_scheduler(store, library, platform, clock)
    clock.now = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)
    assert (await scheduler.tick())["retry"] == 1
    first = store.subscription_by_id(sub.id)
    assert first is not None
    assert (first.next_run_at, first.last_error) == (clock.now + timedelta(seconds=30), "HTTP 503")
    clock.now += timedelta(seconds=30)
    assert (await scheduler.tick())["retry"] == 1
    second = store.subscription_by_id(sub.id)
    assert second is not None
    assert second.next_run_at == clock.now + timedelta(seconds=60)
    clock.now += timedelta(seconds=60)
    assert (await scheduler.tick())["sent"] == 1
    assert len(platform.posted) == 1
    assert platform.lookups == 2  # each retry first looked for an earlier post


async def test_retry_after_from_the_platform_is_honoured(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform
) -> None:
    sub = await setup(store, library, clock)
    platform.failures["100"] = [TransientDeliveryError("rate limited", retry_after=7.0)]
    clock.now = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)
    await make_scheduler(store, library, platform, clock).tick()
    after = store.subscription_by_id(sub.id)
    assert after is not None
    assert after.next_run_at == clock.now + timedelta(seconds=7)


async def test_unexpected_errors_keep_the_loop_alive_and_stay_out_of_the_logs(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform, caplog: pytest.LogCaptureFixture
) -> None:
    await setup(store, library, clock)
    platform.failures["100"] = [RuntimeError("Authorization: Bot abc.def.ghi user text")]
    clock.now = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)
    with caplog.at_level(logging.DEBUG, logger="speechbot"):
        report = await make_scheduler(store, library, platform, clock).tick()
    assert report["retry"] == 1
    assert "abc.def.ghi" not in caplog.text
    assert "user text" not in caplog.text


async def test_a_subscription_that_breaks_unexpectedly_is_retried_later_not_on_every_tick(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform, caplog: pytest.LogCaptureFixture
) -> None:
    spec = SubscriptionSpec("discord", "900", "100", "secret-speech", "08:30", "Nowhere/Gone-From-Tzdata")
    broken = store.save_subscription(spec, now=clock(), next_run_at=clock.now, next_local_date=date(2026, 3, 9))
    scheduler = make_scheduler(store, library, platform, clock)
    with caplog.at_level(logging.DEBUG, logger="speechbot"):
        first = await scheduler.tick()
        second = await scheduler.tick()
    assert first["failed"] == 1
    assert second["failed"] == 0  # postponed, so the log is not flooded every second
    after = store.subscription_by_id(broken.id)
    assert after is not None and after.next_run_at == clock.now + UNEXPECTED_ERROR_BACKOFF
    assert "Nowhere" not in caplog.text


async def test_shuffle_plan_uses_every_passage_once_per_cycle_in_an_order_per_channel(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform
) -> None:
    passages = {p.ref for p in library.document(None).daily_passages}
    await setup(store, library, clock, channel="1")
    await setup(store, library, clock, channel="2")
    scheduler = make_scheduler(store, library, platform, clock)
    await run_until(clock, START + timedelta(days=2 * len(passages)), scheduler, step=timedelta(hours=1))
    orders = []
    for channel in ("1", "2"):
        refs = [p.ref for p in platform.in_channel(channel)]
        assert len(refs) == 2 * len(passages)
        assert set(refs[: len(passages)]) == passages
        assert set(refs[len(passages) :]) == passages
        assert all(a != b for a, b in itertools.pairwise(refs))
        orders.append(refs)
    assert orders[0] != orders[1]


async def test_sequential_plan_walks_the_text_in_order_from_the_start(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform
) -> None:
    in_order = [p.ref for p in library.document(None).daily_passages]
    await setup(store, library, clock, mode="sequential")
    scheduler = make_scheduler(store, library, platform, clock)
    await run_until(clock, START + timedelta(days=len(in_order) + 2), scheduler, step=timedelta(hours=1))
    assert [p.ref for p in platform.posted] == in_order + in_order[:2]


async def test_weekday_subscription_is_silent_at_the_weekend(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform
) -> None:
    await setup(store, library, clock, days="weekdays")
    scheduler = make_scheduler(store, library, platform, clock)
    await run_until(clock, START + timedelta(days=7), scheduler, step=timedelta(hours=1))
    assert [local(p.at).strftime("%a") for p in platform.posted] == ["Tue", "Wed", "Thu", "Fri", "Mon"]


async def test_posts_stay_at_local_time_through_the_spring_dst_change(
    store: Store, library: Library, platform: FakePlatform
) -> None:
    clock = HandClock(datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    platform.clock = clock
    await setup(store, library, clock)
    scheduler = make_scheduler(store, library, platform, clock)
    await run_until(clock, datetime(2026, 3, 31, 12, 0, tzinfo=UTC), scheduler, step=timedelta(minutes=5))
    assert [p.at.strftime("%d %H:%M") for p in platform.posted] == ["28 07:30", "29 06:30", "30 06:30", "31 06:30"]
    assert {local(p.at).strftime("%H:%M") for p in platform.posted} == {"08:30"}


async def test_each_shard_process_posts_only_for_its_own_guilds(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform
) -> None:
    guilds = {shard: [str(((1000 + i) * 2 + shard) << 22) for i in range(3)] for shard in (0, 1)}
    for ids in guilds.values():
        for guild in ids:
            await setup(store, library, clock, channel=f"c{guild}", guild=guild)
    by_shard = {shard: FakePlatform(clock) for shard in (0, 1)}
    schedulers = [
        Scheduler(
            store,
            library,
            {"discord": by_shard[shard]},
            clock=clock,
            shard_filter=discord_shard_filter([shard], 2),
        )
        for shard in (0, 1)
    ]
    await run_until(clock, START + timedelta(days=1), *schedulers)
    for shard, ids in guilds.items():
        assert sorted(p.channel_id for p in by_shard[shard].posted) == sorted(f"c{g}" for g in ids)


async def test_loop_sleeps_until_the_next_post_but_never_more_than_30_seconds(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform
) -> None:
    await setup(store, library, clock)
    waits: list[float] = []
    stop = asyncio.Event()

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.now += timedelta(seconds=seconds)
        if clock.now > datetime(2026, 3, 10, 8, 0, tzinfo=UTC):
            stop.set()

    await make_scheduler(store, library, platform, clock, sleep=sleep).run(stop)
    assert max(waits) <= 30.0
    assert len(platform.posted) == 1
    assert abs((platform.posted[0].at - datetime(2026, 3, 10, 7, 30, tzinfo=UTC)).total_seconds()) <= 1


async def test_post_now_posts_todays_passage_once_and_the_schedule_moves_to_tomorrow(
    store: Store, library: Library, clock: HandClock, platform: FakePlatform
) -> None:
    await setup(store, library, clock)
    scheduler = make_scheduler(store, library, platform, clock)
    service = DailyService(store, library, scheduler)
    clock.now = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
    preview = await service.preview(platform="discord", workspace_id="900", channel_id="100")
    posted = await service.post_now(platform="discord", workspace_id="900", channel_id="100", now=clock())
    assert posted.message.startswith("Posted today's passage")
    assert preview.passage is not None
    assert platform.posted[0].ref == preview.passage.ref
    again = await service.post_now(platform="discord", workspace_id="900", channel_id="100", now=clock())
    assert "already posted" in again.message
    await run_until(clock, datetime(2026, 3, 10, 22, 0, tzinfo=UTC), scheduler)
    assert len(platform.posted) == 1


async def test_a_post_that_hangs_is_cut_off_inside_the_lease_and_the_retry_finds_it(
    store: Store, library: Library, platform: FakePlatform, clock: HandClock
) -> None:
    sub = await setup(store, library, clock)
    platform.hang_after_post.add("100")
    scheduler = make_scheduler(store, library, platform, clock, attempt_timeout=timedelta(seconds=0.05))
    await run_until(clock, datetime(2026, 3, 10, 7, 40, tzinfo=UTC), scheduler)
    held = store.delivery(sub.id, date(2026, 3, 10))
    assert held is not None
    assert held.status == "sent"
    assert len(platform.in_channel("100")) == 1  # the hung post was found, not sent again
    assert held.attempts == 2


async def test_the_look_for_an_earlier_post_reads_back_to_the_days_first_claim(
    store: Store, library: Library, platform: FakePlatform, clock: HandClock
) -> None:
    await setup(store, library, clock)
    platform.failures["100"] = [TransientDeliveryError("HTTP 503"), TransientDeliveryError("HTTP 503")]
    scheduler = make_scheduler(store, library, platform, clock)
    await run_until(clock, datetime(2026, 3, 10, 9, 0, tzinfo=UTC), scheduler, step=timedelta(minutes=1))
    first_claim = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)  # 08:30 in Berlin
    assert len(platform.lookup_since) == 2
    assert all(since <= first_claim - timedelta(minutes=5) for since in platform.lookup_since)
    assert all(since >= first_claim - timedelta(hours=1) for since in platform.lookup_since)


def test_an_attempt_may_not_last_as_long_as_the_lease(store: Store, library: Library, platform: FakePlatform) -> None:
    with pytest.raises(ValueError, match="shorter than the lease"):
        make_scheduler(store, library, platform, HandClock(START), attempt_timeout=timedelta(minutes=5))


async def test_a_delivery_that_waited_its_turn_takes_a_lease_from_the_current_time(
    store: Store, library: Library, platform: FakePlatform, clock: HandClock
) -> None:
    # A tick that began at 08:30 reached this channel only ten minutes later (behind many others): its lease
    # must run from 08:40, or a second worker could take the day over while the first is still sending.
    sub = await setup(store, library, clock)
    tick_began = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)
    clock.now = tick_began + timedelta(minutes=10)
    platform.crash_after_post.add("100")  # the first worker is "still sending": its claim stays open
    first = make_scheduler(store, library, platform, clock, worker_id="first")
    with pytest.raises(Crash):
        await first.deliver(sub, date(2026, 3, 10), tick_began)
    second = make_scheduler(store, library, platform, clock, worker_id="second")
    await second.tick()
    assert len(platform.in_channel("100")) == 1
    held = store.delivery(sub.id, date(2026, 3, 10))
    assert held is not None
    assert (held.claimed_by, held.lease_until) == ("first", clock.now + timedelta(minutes=5))
