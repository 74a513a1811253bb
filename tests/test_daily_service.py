"""The platform-neutral daily commands: setup, status, preview, stop, post now."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core import Library, Passage, UserError
from bot.core.daily import nth_passage
from bot.daily.scheduler import Scheduler
from bot.daily.service import DailyService
from bot.store import Store, Subscription, open_store

NOW = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)  # 07:00 in Berlin
WHERE = {"platform": "slack", "workspace_id": "T1", "channel_id": "C1"}


class Recorder:
    """A platform stand-in that keeps what was posted."""

    def __init__(self) -> None:
        self.posted: list[tuple[str, str]] = []

    async def post(self, subscription: Subscription, passage: Passage, idempotency_key: str) -> str:
        self.posted.append((idempotency_key, passage.ref))
        return f"ts-{len(self.posted)}"

    async def find_existing(self, subscription: Subscription, idempotency_key: str, *, since: datetime) -> str | None:
        return next((f"ts-{i + 1}" for i, (key, _) in enumerate(self.posted) if key == idempotency_key), None)


@pytest.fixture(scope="module")
def library() -> Library:
    return Library.load()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(None, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def service(store: Store, library: Library, recorder: Recorder) -> DailyService:
    scheduler = Scheduler(store, library, {"slack": recorder}, clock=lambda: NOW)
    return DailyService(store, library, scheduler)


async def test_setup_confirms_the_plan_and_the_first_post_in_local_time(service: DailyService) -> None:
    result = await service.setup(**WHERE, time_text="8:30am", zone_text="berlin", set_up_by="U1", now=NOW)
    assert "every day at 08:30 (Europe/Berlin)" in result.message
    assert "First post: Tue 10 Mar 2026, 08:30 CET (Europe/Berlin)" in result.message
    assert result.subscription is not None
    assert result.subscription.set_up_by == "U1"


async def test_setup_with_a_bad_time_or_zone_explains_how_to_fix_it(service: DailyService) -> None:
    with pytest.raises(UserError, match="08:30"):
        await service.setup(**WHERE, time_text="half past eight", zone_text="berlin", set_up_by="U1", now=NOW)
    with pytest.raises(UserError, match="America/New_York"):
        await service.setup(**WHERE, time_text="08:30", zone_text="EST", set_up_by="U1", now=NOW)
    with pytest.raises(UserError, match="sequential"):
        await service.setup(**WHERE, time_text="08:30", zone_text="berlin", set_up_by="U1", now=NOW, mode="random-ish")
    with pytest.raises(UserError, match="weekdays"):
        await service.setup(**WHERE, time_text="08:30", zone_text="berlin", set_up_by="U1", now=NOW, days="sundays")


async def test_status_shows_next_post_in_the_channel_zone_then_the_last_post(
    service: DailyService, library: Library
) -> None:
    await service.setup(**WHERE, time_text="08:30", zone_text="new york", set_up_by="U1", now=NOW, days="weekdays")
    before = await service.status(**WHERE)
    assert "every weekday at 08:30 (America/New_York)" in before.message
    assert "Next post: Tue 10 Mar 2026, 08:30 EDT (America/New_York)" in before.message
    assert "Nothing posted yet" in before.message
    await service.post_now(**WHERE, now=NOW + timedelta(hours=8))
    after = await service.status(**WHERE)
    assert "Last post: §" in after.message
    assert "Next post: Wed 11 Mar 2026" in after.message


async def test_preview_is_the_passage_the_next_post_will_carry(
    service: DailyService, library: Library, recorder: Recorder
) -> None:
    setup = await service.setup(**WHERE, time_text="08:30", zone_text="UTC", set_up_by="U1", now=NOW)
    assert setup.subscription is not None
    for day in range(3):
        preview = await service.preview(**WHERE)
        assert preview.passage is not None
        await service.post_now(**WHERE, now=NOW + timedelta(days=day))
        assert recorder.posted[-1][1] == preview.passage.ref
    expected = [
        nth_passage(library.document(None), n, mode="shuffle", seed=str(setup.subscription.id)).ref for n in range(3)
    ]
    assert [ref for _, ref in recorder.posted] == expected


async def test_post_now_twice_on_one_day_posts_once(service: DailyService, recorder: Recorder) -> None:
    await service.setup(**WHERE, time_text="08:30", zone_text="berlin", set_up_by="U1", now=NOW)
    first = await service.post_now(**WHERE, now=NOW)
    second = await service.post_now(**WHERE, now=NOW + timedelta(minutes=1))
    assert first.message.startswith("Posted today's passage")
    assert "already posted" in second.message
    assert len(recorder.posted) == 1


async def test_stop_ends_posting_and_commands_then_say_nothing_is_set_up(service: DailyService) -> None:
    await service.setup(**WHERE, time_text="08:30", zone_text="berlin", set_up_by="U1", now=NOW)
    stopped = await service.stop(**WHERE)
    assert "stopped" in stopped.message
    for command in (service.status, service.preview, service.stop):
        with pytest.raises(UserError, match="No daily passage"):
            await command(**WHERE)


async def test_setup_again_after_stop_continues_the_plan_where_it_left_off(
    service: DailyService, recorder: Recorder
) -> None:
    await service.setup(**WHERE, time_text="08:30", zone_text="berlin", set_up_by="U1", now=NOW, mode="sequential")
    await service.post_now(**WHERE, now=NOW)
    await service.stop(**WHERE)
    again = await service.setup(
        **WHERE, time_text="09:00", zone_text="berlin", set_up_by="U2", now=NOW, mode="sequential"
    )
    assert again.subscription is not None
    assert again.subscription.posts_made == 1
    assert again.subscription.set_up_by == "U2"
