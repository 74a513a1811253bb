"""One store suite, run against SQLite and (when SPEECHBOT_TEST_POSTGRES_URL is set) PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import Store, Subscription, SubscriptionSpec, open_store, upgrade
from bot.store.base import DUE_QUERY, load_migrations
from bot.store.sqlite import DATABASE_FILE

NOW = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def spec(channel: str = "100", **changes: object) -> SubscriptionSpec:
    base = SubscriptionSpec(
        platform="discord",
        workspace_id="900",
        channel_id=channel,
        document_id="secret-speech",
        local_time="08:30",
        timezone="Europe/Berlin",
        set_up_by="42",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def add(store: Store, channel: str = "100", at: datetime = NOW, **changes: object) -> Subscription:
    return store.save_subscription(spec(channel, **changes), now=NOW, next_run_at=at, next_local_date=at.date())


def test_migrations_apply_once_and_record_their_number(store: Store) -> None:
    newest = load_migrations("sqlite")[-1][0]  # both dialects number their files alike
    assert store.schema_version() == newest
    assert store.migrate() == []
    assert store.schema_version() == newest


def test_upgrade_applies_numbered_migrations_to_an_empty_database(url: str | None, tmp_path: Path) -> None:
    names = [name for _, name, _ in load_migrations("sqlite")]
    assert names[:3] == ["0001_subscriptions.sql", "0002_due_index_by_platform.sql", "0003_slack_installations.sql"]
    assert upgrade(url, tmp_path) == names
    assert upgrade(url, tmp_path) == []
    store = open_store(url, tmp_path, migrate=False)
    assert store.schema_version() == load_migrations("sqlite")[-1][0]
    store.close()


def test_saving_a_channel_twice_updates_one_subscription_and_keeps_progress(store: Store) -> None:
    first = add(store)
    claim = store.claim(first, NOW.date(), worker="w", now=NOW, lease=LEASE)
    assert claim is not None
    store.confirm(claim, message_id="m1", passage_ref="1.1", now=NOW, next_run_at=None, next_local_date=None)
    second = add(store, local_time="09:15", mode="sequential", days="weekdays", role_id="77")
    assert second.id == first.id
    assert second.settings_version == first.settings_version + 1
    assert (second.local_time, second.mode, second.days, second.role_id) == ("09:15", "sequential", "weekdays", "77")
    assert second.posts_made == 1


def test_setting_up_again_lifts_a_pause(store: Store) -> None:
    sub = add(store)
    store.pause(sub.id, reason="Missing Access", now=NOW)
    paused = store.subscription_by_id(sub.id)
    assert paused is not None
    assert paused.paused_reason == "Missing Access"
    assert paused.next_run_at is None
    again = add(store)
    assert again.paused_reason is None
    assert again.next_run_at == NOW


def test_stopped_subscription_is_no_longer_due_but_keeps_its_progress(store: Store) -> None:
    sub = add(store)
    assert store.stop_subscription("discord", "900", "100") is True
    assert store.stop_subscription("discord", "900", "100") is False
    assert store.due_subscriptions(NOW + timedelta(days=1), platform="discord") == []
    stopped = store.subscription("discord", "900", "100")
    assert stopped is not None
    assert not stopped.active
    assert stopped.id == sub.id


def test_due_query_returns_only_due_rows_of_the_platform_oldest_first(store: Store) -> None:
    add(store, "1", at=NOW + timedelta(minutes=2))
    add(store, "2", at=NOW - timedelta(hours=1))
    add(store, "3", at=NOW + timedelta(hours=1))
    add(store, "4", at=NOW, platform="slack")
    due = store.due_subscriptions(NOW + timedelta(minutes=2), platform="discord")
    assert [s.channel_id for s in due] == ["2", "1"]
    assert [s.channel_id for s in store.due_subscriptions(NOW, platform="slack")] == ["4"]
    assert store.next_due_at(platform="discord") == NOW - timedelta(hours=1)


def test_due_query_pages_through_many_rows_at_the_same_minute(store: Store) -> None:
    for n in range(25):
        add(store, str(n))
    seen: list[str] = []
    after = None
    while True:
        page = store.due_subscriptions(NOW, platform="discord", limit=10, after=after)
        seen += [s.channel_id for s in page]
        if len(page) < 10:
            break
        last = page[-1]
        assert last.next_run_at is not None
        after = (last.next_run_at, last.id)
    assert sorted(seen, key=int) == [str(n) for n in range(25)]


def test_due_query_reads_through_the_platform_next_run_index_without_sorting(
    url: str | None, store: Store, tmp_path: Path
) -> None:
    for n in range(50):
        add(store, str(n), at=NOW + timedelta(minutes=n))
    params = ("discord", int(NOW.timestamp()) + 600, -1, -1, 500)
    if url is None:
        with sqlite3.connect(tmp_path / DATABASE_FILE) as conn:
            plan = " ".join(str(row) for row in conn.execute(f"EXPLAIN QUERY PLAN {DUE_QUERY}", params))
        assert "TEMP B-TREE" not in plan
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET enable_seqscan = off")
            explain = f"EXPLAIN {DUE_QUERY}".replace("?", "%s")
            plan = " ".join(str(row) for row in conn.execute(explain.encode(), params))
        assert "Sort" not in plan
    assert "subscriptions_due_by_platform" in plan


def test_only_one_of_two_workers_claims_a_day(store: Store) -> None:
    sub = add(store)
    first = store.claim(sub, NOW.date(), worker="a", now=NOW, lease=LEASE)
    second = store.claim(sub, NOW.date(), worker="b", now=NOW, lease=LEASE)
    assert first is not None
    assert first.attempts == 1
    assert first.idempotency_key == f"sb{sub.id}-20260310"
    assert second is None


def test_a_posted_day_can_never_be_claimed_again(store: Store) -> None:
    sub = add(store)
    claim = store.claim(sub, NOW.date(), worker="a", now=NOW, lease=LEASE)
    assert claim is not None
    assert store.confirm(claim, message_id="m", passage_ref="2", now=NOW, next_run_at=None, next_local_date=None)
    assert store.claim(sub, NOW.date(), worker="b", now=NOW + timedelta(days=2), lease=LEASE) is None
    assert store.reclaim_expired(sub, NOW.date(), worker="b", now=NOW + timedelta(days=2), lease=LEASE) is None


def test_expired_lease_is_taken_over_with_the_same_key_and_passage(store: Store) -> None:
    sub = add(store)
    first = store.claim(sub, NOW.date(), worker="a", now=NOW, lease=LEASE)
    assert first is not None
    assert store.claim(sub, NOW.date(), worker="b", now=NOW + LEASE - timedelta(seconds=1), lease=LEASE) is None
    taken = store.claim(sub, NOW.date(), worker="b", now=NOW + LEASE, lease=LEASE)
    assert taken is not None
    assert taken.is_retry
    assert (taken.idempotency_key, taken.n) == (first.idempotency_key, first.n)
    delivery = store.delivery(sub.id, NOW.date())
    assert delivery is not None
    assert (delivery.claimed_by, delivery.attempts, delivery.status) == ("b", 2, "claimed")


def test_reclaiming_a_stale_day_never_creates_a_new_claim(store: Store) -> None:
    sub = add(store)
    assert store.reclaim_expired(sub, NOW.date(), worker="a", now=NOW, lease=LEASE) is None
    assert store.delivery(sub.id, NOW.date()) is None


def test_confirm_counts_the_post_once_and_moves_the_schedule_on(store: Store) -> None:
    sub = add(store)
    claim = store.claim(sub, NOW.date(), worker="a", now=NOW, lease=LEASE)
    assert claim is not None
    tomorrow = NOW + timedelta(days=1)
    assert store.confirm(
        claim, message_id="m1", passage_ref="3.2", now=NOW, next_run_at=tomorrow, next_local_date=tomorrow.date()
    )
    assert not store.confirm(
        claim, message_id="m2", passage_ref="3.2", now=NOW, next_run_at=tomorrow, next_local_date=tomorrow.date()
    )
    after = store.subscription_by_id(sub.id)
    assert after is not None
    assert (after.posts_made, after.last_message_id, after.last_post_ref) == (1, "m1", "3.2")
    assert (after.next_run_at, after.next_local_date) == (tomorrow, tomorrow.date())
    claim2 = store.claim(after, tomorrow.date(), worker="a", now=tomorrow, lease=LEASE)
    assert claim2 is not None
    assert claim2.n == 1


def test_confirm_keeps_a_schedule_that_setup_changed_meanwhile(store: Store) -> None:
    sub = add(store)
    claim = store.claim(sub, NOW.date(), worker="a", now=NOW, lease=LEASE)
    assert claim is not None
    changed_to = NOW + timedelta(hours=3)
    add(store, at=changed_to, local_time="11:30")
    store.confirm(
        claim,
        message_id="m",
        passage_ref="1",
        now=NOW,
        next_run_at=NOW + timedelta(days=1),
        next_local_date=date(2026, 3, 11),
    )
    after = store.subscription_by_id(sub.id)
    assert after is not None
    assert after.next_run_at == changed_to
    assert after.posts_made == 1


def test_transient_failure_releases_the_claim_and_schedules_the_retry(store: Store) -> None:
    sub = add(store)
    claim = store.claim(sub, NOW.date(), worker="a", now=NOW, lease=LEASE)
    assert claim is not None
    retry_at = NOW + timedelta(seconds=30)
    store.release_for_retry(claim, reason="HTTP 503", now=NOW, retry_at=retry_at)
    after = store.subscription_by_id(sub.id)
    assert after is not None
    assert (after.next_run_at, after.last_error, after.last_error_at) == (retry_at, "HTTP 503", NOW)
    again = store.claim(after, NOW.date(), worker="b", now=retry_at, lease=LEASE)
    assert again is not None
    assert again.is_retry


def test_pause_records_the_reason_and_frees_the_day(store: Store) -> None:
    sub = add(store)
    claim = store.claim(sub, NOW.date(), worker="a", now=NOW, lease=LEASE)
    assert claim is not None
    store.pause(sub.id, reason="Unknown Channel", now=NOW, claim=claim)
    assert store.delivery(sub.id, NOW.date()) is None
    paused = store.subscription_by_id(sub.id)
    assert paused is not None
    assert store.claim(paused, NOW.date(), worker="a", now=NOW, lease=LEASE) is None
    assert store.due_subscriptions(NOW + timedelta(days=9), platform="discord") == []


def test_abandoned_day_is_marked_missed(store: Store) -> None:
    sub = add(store)
    claim = store.claim(sub, NOW.date(), worker="a", now=NOW, lease=LEASE)
    assert claim is not None
    store.abandon(claim)
    delivery = store.delivery(sub.id, NOW.date())
    assert delivery is not None
    assert delivery.status == "missed"


def test_a_worker_whose_lease_ran_out_cannot_free_the_claim_that_replaced_it(store: Store) -> None:
    # The sequence: A hangs past its lease, B reclaims the day, A times out and gives the day back,
    # then C tries to claim while B is still sending.
    sub = add(store)
    a = store.claim(sub, NOW.date(), worker="a", now=NOW, lease=LEASE)
    assert a is not None
    b = store.claim(sub, NOW.date(), worker="b", now=NOW + LEASE, lease=LEASE)
    assert b is not None
    assert b.token != a.token
    late = NOW + LEASE + timedelta(seconds=10)
    assert store.release_for_retry(a, reason="timed out", now=late, retry_at=late + timedelta(seconds=30)) is False
    assert store.claim(sub, NOW.date(), worker="c", now=late, lease=LEASE) is None
    held = store.delivery(sub.id, NOW.date())
    assert held is not None
    assert (held.status, held.claimed_by, held.lease_until) == ("claimed", "b", NOW + 2 * LEASE)
    after = store.subscription_by_id(sub.id)
    assert after is not None
    assert (after.next_run_at, after.last_error) == (sub.next_run_at, None)  # A did not move B's schedule
    assert store.confirm(b, message_id="mb", passage_ref="1", now=late, next_run_at=None, next_local_date=None)


def test_a_lost_claim_can_neither_confirm_nor_abandon_nor_pause(store: Store) -> None:
    sub = add(store)
    a = store.claim(sub, NOW.date(), worker="a", now=NOW, lease=LEASE)
    assert a is not None
    b = store.reclaim_expired(sub, NOW.date(), worker="b", now=NOW + LEASE, lease=LEASE)
    assert b is not None
    late = NOW + LEASE
    assert store.confirm(a, message_id="ma", passage_ref="1", now=late, next_run_at=None, next_local_date=None) is False
    assert store.abandon(a) is False
    assert store.pause(sub.id, reason="Unknown Channel", now=late, claim=a) is False
    held = store.delivery(sub.id, NOW.date())
    assert held is not None
    assert (held.status, held.claimed_by, held.message_id) == ("claimed", "b", None)
    untouched = store.subscription_by_id(sub.id)
    assert untouched is not None
    assert (untouched.paused_reason, untouched.posts_made) == (None, 0)
    assert store.abandon(b) is True


def test_the_callers_own_claim_is_released_paused_and_confirmed(store: Store) -> None:
    sub = add(store)
    a = store.claim(sub, NOW.date(), worker="a", now=NOW, lease=LEASE)
    assert a is not None
    assert store.release_for_retry(a, reason="HTTP 503", now=NOW, retry_at=NOW + timedelta(seconds=30)) is True
    assert store.release_for_retry(a, reason="HTTP 503", now=NOW, retry_at=NOW + timedelta(seconds=30)) is False
    b = store.claim(sub, NOW.date(), worker="b", now=NOW + timedelta(seconds=30), lease=LEASE)
    assert b is not None
    assert store.pause(sub.id, reason="Unknown Channel", now=NOW, claim=b) is True
    assert store.delivery(sub.id, NOW.date()) is None


def test_the_first_claim_time_of_a_day_survives_every_reclaim(store: Store) -> None:
    sub = add(store)
    first = store.claim(sub, NOW.date(), worker="a", now=NOW, lease=LEASE)
    assert first is not None
    assert first.first_claimed_at == NOW
    second = store.claim(sub, NOW.date(), worker="b", now=NOW + LEASE, lease=LEASE)
    third = store.reclaim_expired(sub, NOW.date(), worker="c", now=NOW + 3 * LEASE, lease=LEASE)
    assert second is not None
    assert third is not None
    assert second.first_claimed_at == third.first_claimed_at == NOW


def test_a_day_claimed_before_the_token_migration_can_still_be_taken_over(
    url: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.store.base as base

    every = base.load_migrations
    monkeypatch.setattr(base, "load_migrations", lambda dialect: [m for m in every(dialect) if m[0] <= 3])
    old = open_store(url, tmp_path)
    sub = add(old)
    lease_until = int((NOW + LEASE).timestamp())
    old._count(  # type: ignore[attr-defined]  # a claim as the previous version wrote it
        "INSERT INTO deliveries (subscription_id, local_date, status, n, idempotency_key, claimed_by, lease_until) "
        "VALUES (?, ?, 'claimed', 0, ?, 'old-worker', ?)",
        (sub.id, NOW.date().isoformat(), f"sb{sub.id}-20260310", lease_until),
    )
    old.close()
    monkeypatch.setattr(base, "load_migrations", every)
    store = open_store(url, tmp_path)
    try:
        assert store.schema_version() == every("sqlite")[-1][0]  # brought up to date
        taken = store.claim(sub, NOW.date(), worker="new", now=NOW + LEASE, lease=LEASE)
        assert taken is not None
        assert taken.first_claimed_at == NOW + LEASE - timedelta(days=2)  # looks back far enough
        assert store.confirm(taken, message_id="m", passage_ref="1", now=NOW, next_run_at=None, next_local_date=None)
    finally:
        store.close()


def test_reschedule_is_refused_when_another_worker_moved_it_first(store: Store) -> None:
    sub = add(store)
    later = NOW + timedelta(days=1)
    assert store.reschedule(sub, next_run_at=later, next_local_date=later.date())
    assert not store.reschedule(sub, next_run_at=NOW + timedelta(days=2), next_local_date=date(2026, 3, 12))
    after = store.subscription_by_id(sub.id)
    assert after is not None
    assert after.next_run_at == later


def test_racing_threads_on_two_connections_claim_each_day_exactly_once(url: str | None, tmp_path: Path) -> None:
    stores = [open_store(url, tmp_path), open_store(url, tmp_path)]
    subs = [add(stores[0], str(n)) for n in range(30)]
    wins: list[tuple[int, str]] = []
    lock = threading.Lock()

    def race(worker: str, store: Store) -> None:
        for sub in subs:
            if store.claim(sub, NOW.date(), worker=worker, now=NOW, lease=LEASE) is not None:
                with lock:
                    wins.append((sub.id, worker))

    threads = [threading.Thread(target=race, args=(f"w{i}", stores[i % 2])) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert sorted(sub_id for sub_id, _ in wins) == sorted(s.id for s in subs)


def test_text_typed_by_users_is_stored_verbatim_never_run_as_sql(store: Store) -> None:
    hostile = "x'); DROP TABLE subscriptions; --"
    sub = add(store, hostile, set_up_by="?; %s %(x)s", role_id="' OR 1=1 --")
    found = store.subscription("discord", "900", hostile)
    assert found is not None
    assert found.id == sub.id
    assert (found.set_up_by, found.role_id) == ("?; %s %(x)s", "' OR 1=1 --")
    assert store.subscription("discord", "900", "' OR '1'='1") is None


def test_sqlite_store_creates_its_data_folder(tmp_path: Path) -> None:
    folder = tmp_path / "not" / "yet"
    store = open_store(None, folder)
    store.close()
    assert (folder / DATABASE_FILE).exists()


def test_unsupported_database_url_message_does_not_echo_the_password(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mysql") as caught:
        open_store("mysql://user:hunter2@127.0.0.1/db", tmp_path)
    assert "hunter2" not in str(caught.value)
