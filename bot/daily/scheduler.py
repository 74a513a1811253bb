"""The daily-post loop: due subscriptions -> claim (subscription, local date) -> deliver -> confirm.

Exactly once comes from the database, not from this process: a claim row per (subscription, local date)
with a lease that expires and a token of its own (so a worker whose lease ran out cannot touch the claim
that replaced it), and a look for our own message (by idempotency key) before any re-send. Each attempt is
cut off well inside the lease, so no worker is still sending when another may take the day over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Literal

from bot.clock import Clock, utc_now
from bot.core import Library, Passage, UserError
from bot.core.daily import planned_passage
from bot.core.schedule import is_posting_day, local_date_of, next_run_with_date, run_at
from bot.daily.delivery import Deliverer, PermanentDeliveryError, TransientDeliveryError, is_ready
from bot.daily.shards import ShardFilter
from bot.server_texts import Libraries, library_for
from bot.store import Claim, Store, Subscription

log = logging.getLogger("speechbot.scheduler")


NOT_READY_WAIT = 2.0  # seconds between looks at a platform that is still connecting
UNEXPECTED_ERROR_BACKOFF = timedelta(minutes=5)  # a subscription that broke unexpectedly is looked at again then
# Our clock and the platform's may disagree a little: the look for an earlier post starts this much before
# the day was first claimed.
CLOCK_SKEW = timedelta(minutes=10)

Sleep = Callable[[float], Awaitable[None]]
# sent: posted; found: an earlier attempt's post was found and confirmed; already: the day was done;
# busy: another worker holds it; retry: transient failure; paused: permanent failure; missed: a day ended
# unposted; rescheduled: moved to the next run without posting; failed: an unexpected error (logged).
Outcome = Literal["sent", "found", "already", "busy", "retry", "paused", "missed", "rescheduled", "failed"]


def subscription_passage(library: Library | Libraries, subscription: Subscription, n: int) -> Passage:
    """The n-th post of a channel's plan, by the core's rule for the subscription's text (in its server's library)."""
    document = library_for(library, subscription.platform, subscription.workspace_id).document(subscription.document_id)
    return planned_passage(document, n, mode=subscription.mode, plan=subscription.id)


@dataclass
class TickReport:
    """What one pass over the due subscriptions did, for logs and tests."""

    outcomes: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> None:
        """Count one subscription's outcome."""
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def __getitem__(self, outcome: Outcome) -> int:
        return self.outcomes.get(outcome, 0)


class Scheduler:
    """Posts each subscription's passage once per local day, at its time, across restarts and processes."""

    def __init__(
        self,
        store: Store,
        library: Library | Libraries,
        deliverers: Mapping[str, Deliverer],
        *,
        clock: Clock = utc_now,
        sleep: Sleep = asyncio.sleep,
        worker_id: str | None = None,
        lease: timedelta = timedelta(minutes=5),
        max_wait: float = 30.0,
        min_wait: float = 1.0,
        shard_filter: ShardFilter | None = None,
        concurrency: int = 16,
        batch_size: int = 500,
        retry_base: timedelta = timedelta(seconds=30),
        retry_max: timedelta = timedelta(minutes=30),
        attempt_timeout: timedelta | None = None,
    ) -> None:
        self.store = store
        self.library = library
        self.deliverers = dict(deliverers)
        self.clock = clock
        self.sleep = sleep
        self.worker_id = worker_id or f"worker-{uuid.uuid4().hex[:12]}"
        self.lease = lease
        self.max_wait = min(max_wait, 30.0)
        self.min_wait = min_wait
        self.shard_filter = shard_filter
        self.batch_size = batch_size
        self.retry_base = retry_base
        self.retry_max = retry_max
        # Half the lease by default: an attempt that hangs is given up long before another worker may reclaim.
        self.attempt_timeout = attempt_timeout if attempt_timeout is not None else lease / 2
        if self.attempt_timeout >= lease:
            raise ValueError("attempt_timeout must be shorter than the lease")
        self._limit = asyncio.Semaphore(concurrency)

    def passage(self, subscription: Subscription, n: int) -> Passage:
        """The n-th passage of this subscription's plan."""
        return subscription_passage(self.library, subscription, n)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Tick until stopped, sleeping until the next due post but never longer than 30 seconds."""
        while stop is None or not stop.is_set():
            try:
                await self.tick()
            except Exception:  # the database may be briefly unreachable; the next tick tries again
                log.exception("scheduler tick failed")
            await self.sleep(await self._wait_seconds())

    async def _wait_seconds(self) -> float:
        wait = self.max_wait
        with contextlib.suppress(Exception):
            for platform, deliverer in self.deliverers.items():
                if not is_ready(deliverer):
                    wait = min(wait, NOT_READY_WAIT)  # look again soon: the bot is about to connect
                    continue
                due = await self.store.next_due_at.aio(platform=platform)
                if due is not None:
                    wait = min(wait, (due - self.clock()).total_seconds())
        return max(self.min_wait, wait)

    async def tick(self) -> TickReport:
        """Deliver everything due at the clock's current time."""
        now = self.clock()
        report = TickReport()
        for platform, deliverer in self.deliverers.items():
            if not is_ready(deliverer):
                # Not logged in yet (start-up): leave its posts due rather than fail them into a retry.
                continue
            after: tuple[datetime, int] | None = None
            while True:
                batch = await self.store.due_subscriptions.aio(
                    now, platform=platform, limit=self.batch_size, after=after
                )
                mine = [s for s in batch if self.shard_filter is None or self.shard_filter(s)]
                for outcome in await asyncio.gather(*(self._guarded(s, now) for s in mine)):
                    report.add(outcome)
                if len(batch) < self.batch_size:
                    break
                last = batch[-1]
                if last.next_run_at is None:
                    break
                after = (last.next_run_at, last.id)
        return report

    async def _guarded(self, subscription: Subscription, now: datetime) -> Outcome:
        async with self._limit:
            try:
                return await self.process_due(subscription, now)
            except Exception as error:  # one broken subscription must never stop the others
                # The type only: a message could carry a token or a user's text.
                log.error("daily post failed for subscription %s: %s", subscription.id, type(error).__name__)
                await self._back_off(subscription, now)
                return "failed"

    async def _back_off(self, subscription: Subscription, now: datetime) -> None:
        """Look at a subscription that failed unexpectedly again later, not on every tick of the loop."""
        if subscription.next_local_date is None:
            return
        try:
            await self.store.reschedule.aio(
                subscription,
                next_run_at=now + UNEXPECTED_ERROR_BACKOFF,
                next_local_date=subscription.next_local_date,
            )
        except Exception as error:
            log.error("could not postpone subscription %s: %s", subscription.id, type(error).__name__)

    async def process_due(self, subscription: Subscription, now: datetime) -> Outcome:
        """Handle one due subscription: catch up today's post if it was missed, never back-fill old days."""
        due_date = subscription.next_local_date
        if due_date is None:
            return "busy"
        today = local_date_of(now, subscription.timezone)
        local_time = time.fromisoformat(subscription.local_time)
        if due_date < today:
            finished = await self._finish_stale_claim(subscription, due_date, now)
            if finished in ("busy", "paused"):
                return finished
            if is_posting_day(today, subscription.days) and run_at(today, local_time, subscription.timezone) <= now:
                slot = run_at(today, local_time, subscription.timezone)
                moved = await self.store.reschedule.aio(subscription, next_run_at=slot, next_local_date=today)
                if not moved:
                    return "busy"
                subscription = replace(subscription, next_run_at=slot, next_local_date=today)
                due_date = today
            else:
                return await self._reschedule_after(subscription, now)
        if due_date > today:
            return await self._reschedule_after(subscription, now)
        return await self.deliver(subscription, today, now)

    async def _reschedule_after(self, subscription: Subscription, now: datetime) -> Outcome:
        local_time = time.fromisoformat(subscription.local_time)
        at, day = next_run_with_date(now, local_time, subscription.timezone, subscription.days)
        await self.store.reschedule.aio(subscription, next_run_at=at, next_local_date=day)
        return "rescheduled"

    async def _finish_stale_claim(self, subscription: Subscription, day: date, now: datetime) -> Outcome | None:
        """A claim for a day that has ended: confirm it if the message exists, otherwise count it missed."""
        delivery = await self.store.delivery.aio(subscription.id, day)
        if delivery is None or delivery.status != "claimed":
            return None  # nothing was left unfinished
        # The lease counts from the clock now, not from when this tick began (it may have waited its turn).
        claimed_at = self.clock()
        if delivery.lease_until > claimed_at:
            return "busy"
        claim = await self.store.reclaim_expired.aio(
            subscription, day, worker=self.worker_id, now=claimed_at, lease=self.lease
        )
        if claim is None:
            return "busy"
        deliverer = self.deliverers[subscription.platform]
        try:
            async with asyncio.timeout(self.attempt_timeout.total_seconds()):
                existing = await deliverer.find_existing(subscription, claim.idempotency_key, since=_since(claim))
        except PermanentDeliveryError as error:
            return await self._pause(subscription, claim, error.reason, now)
        except Exception:  # leave the claim; its lease runs out and the next tick looks again
            log.warning("could not look up an earlier post for subscription %s", subscription.id)
            return "busy"
        if existing is None:
            if not await self.store.abandon.aio(claim):
                return "busy"  # our lease ran out while we looked; the day is someone else's now
            log.info("subscription %s: day %s ended without a post; not back-filled", subscription.id, day)
            return "missed"
        await self._confirm(subscription, claim, existing, now)
        return "found"

    async def deliver(self, subscription: Subscription, day: date, now: datetime) -> Outcome:
        """Claim (subscription, day), post unless the message already exists, confirm and move on."""
        deliverer = self.deliverers.get(subscription.platform)
        if deliverer is None:
            raise UserError(f"This process cannot post to {subscription.platform}.")
        # The lease counts from the clock now, not from when this tick began: a delivery that waited its turn
        # behind many others must not take a lease that has already run out (another worker would take over).
        claimed_at = max(now, self.clock())
        claim = await self.store.claim.aio(subscription, day, worker=self.worker_id, now=claimed_at, lease=self.lease)
        if claim is None:
            return await self._not_claimed(subscription, day)
        try:
            passage = self.passage(subscription, claim.n)
        except UserError as error:
            return await self._pause(subscription, claim, error.message, now)
        try:
            async with asyncio.timeout(self.attempt_timeout.total_seconds()):
                message_id = None
                if claim.is_retry:
                    # An earlier attempt may have reached the platform (lost response, timeout, crash): look first.
                    message_id = await deliverer.find_existing(subscription, claim.idempotency_key, since=_since(claim))
                outcome: Outcome = "found" if message_id else "sent"
                if message_id is None:
                    message_id = await deliverer.post(subscription, passage, claim.idempotency_key)
        except PermanentDeliveryError as error:
            return await self._pause(subscription, claim, error.reason, now)
        except TransientDeliveryError as error:
            return await self._retry(subscription, claim, error.reason, error.retry_after, now)
        except TimeoutError:  # our own bound: the post may have gone out, so the retry looks before sending
            log.warning("daily post for subscription %s timed out", subscription.id)
            return await self._retry(subscription, claim, "timed out", None, now)
        except Exception as error:  # network errors and surprises: retry, and keep the loop alive
            log.warning("daily post for subscription %s failed: %s", subscription.id, type(error).__name__)
            return await self._retry(subscription, claim, f"unexpected {type(error).__name__}", None, now)
        await self._confirm(subscription, claim, message_id, now, passage.ref)
        return outcome

    async def _not_claimed(self, subscription: Subscription, day: date) -> Outcome:
        delivery = await self.store.delivery.aio(subscription.id, day)
        if delivery is None or delivery.status == "claimed":
            return "busy"
        if subscription.next_local_date is not None and subscription.next_local_date <= day:
            # Posted (or given up) already but the schedule was not moved on; heal it.
            local_time = time.fromisoformat(subscription.local_time)
            slot = run_at(day, local_time, subscription.timezone)
            at, next_day = next_run_with_date(slot, local_time, subscription.timezone, subscription.days)
            await self.store.reschedule.aio(subscription, next_run_at=at, next_local_date=next_day)
        return "already"

    async def _confirm(
        self, subscription: Subscription, claim: Claim, message_id: str, now: datetime, ref: str | None = None
    ) -> None:
        local_time = time.fromisoformat(subscription.local_time)
        # The next run follows this day's slot, not `now`: confirming a late or stale day must not skip today.
        slot = run_at(claim.local_date, local_time, subscription.timezone)
        at, next_day = next_run_with_date(slot, local_time, subscription.timezone, subscription.days)
        if ref is None:
            ref = self.passage(subscription, claim.n).ref
        if self.clock() >= claim.lease_until:
            log.warning("subscription %s: confirming after the claim's lease ran out", subscription.id)
        confirmed = await self.store.confirm.aio(
            claim,
            message_id=message_id,
            passage_ref=ref,
            now=self.clock(),
            next_run_at=at,
            next_local_date=next_day,
        )
        if not confirmed:
            # Another worker took the day over (our lease ran out); it looks for this post before sending.
            log.warning("subscription %s: the day was taken over before this post was confirmed", subscription.id)

    async def _pause(self, subscription: Subscription, claim: Claim, reason: str, now: datetime) -> Outcome:
        if not await self.store.pause.aio(subscription.id, reason=reason, now=now, claim=claim):
            return "busy"  # our claim was taken over; its holder decides
        log.warning("pausing subscription %s: %s", subscription.id, reason)
        return "paused"

    async def _retry(
        self, subscription: Subscription, claim: Claim, reason: str, retry_after: float | None, now: datetime
    ) -> Outcome:
        backoff = self.retry_base * (2 ** min(claim.attempts - 1, 16))
        delay = timedelta(seconds=retry_after) if retry_after is not None else min(backoff, self.retry_max)
        now = max(now, self.clock())  # the attempt took time; the retry counts from its end
        if not await self.store.release_for_retry.aio(claim, reason=reason, now=now, retry_at=now + delay):
            log.warning("subscription %s: the day was taken over while this attempt ran", subscription.id)
            return "busy"
        log.info("subscription %s: retrying in %ss (%s)", subscription.id, int(delay.total_seconds()), reason)
        return "retry"


def _since(claim: Claim) -> datetime:
    """Where the look for an earlier attempt's post starts: just before the day was first claimed."""
    return claim.first_claimed_at - CLOCK_SKEW
