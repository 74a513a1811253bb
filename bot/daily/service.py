"""What the daily commands do, once for both platforms: adapters parse input, check permission, call this.

Every method returns text meant for the person who ran the command, or raises UserError with a message
that says how to fix the input. Permission decisions stay in the adapters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.core import Library, Passage, UserError
from bot.core.schedule import (
    describe_run,
    format_local_time,
    local_date_of,
    next_run_with_date,
    parse_local_time,
)
from bot.core.zones import match_timezone
from bot.daily.scheduler import Scheduler, subscription_passage
from bot.server_texts import Libraries, default_for, library_for
from bot.store import Store, Subscription, SubscriptionSpec
from bot.store.models import Days, Mode

_MODES: dict[str, Mode] = {
    "shuffle": "shuffle",
    "random": "shuffle",
    "sequential": "sequential",
    "plan": "sequential",
}
_DAYS: dict[str, Days] = {
    "daily": "daily",
    "every day": "daily",
    "everyday": "daily",
    "weekdays": "weekdays",
    "weekday": "weekdays",
    "school days": "weekdays",
}
_NOT_SET_UP = "No daily passage is set up in this channel. Use the daily setup command to start one."


def parse_mode(text: str | None) -> Mode:
    """Read the mode option (`shuffle` by default, or `sequential` for a reading plan)."""
    key = (text or "shuffle").strip().lower()
    if key not in _MODES:
        raise UserError("The mode is `shuffle` (no repeats, an order of its own) or `sequential` (in order).")
    return _MODES[key]


def parse_days(text: str | None) -> Days:
    """Read the days option (`daily` by default, or `weekdays` for school weeks)."""
    key = " ".join((text or "daily").strip().lower().split())
    if key not in _DAYS:
        raise UserError("The days are `daily` (every day) or `weekdays` (Monday to Friday).")
    return _DAYS[key]


@dataclass(frozen=True, slots=True)
class DailyResult:
    """A reply for the user plus the subscription it concerns, for adapters that show more."""

    message: str
    subscription: Subscription | None = None
    passage: Passage | None = None


def _plan(subscription: Subscription) -> str:
    days = "every day" if subscription.days == "daily" else "every weekday"
    mode = "shuffled, no repeats until every passage was posted" if subscription.mode == "shuffle" else "in order"
    return f"{days} at {subscription.local_time} ({subscription.timezone}), {mode}"


class DailyService:
    """Set up, stop, inspect and trigger a channel's daily passage."""

    def __init__(self, store: Store, library: Library | Libraries, scheduler: Scheduler | None = None) -> None:
        self.store = store
        self.library = library
        self.scheduler = scheduler

    async def subscription(self, platform: str, workspace_id: str, channel_id: str) -> Subscription | None:
        """The channel's subscription (for permission checks such as 'the person who set it up')."""
        return await self.store.subscription.aio(platform, workspace_id, channel_id)

    async def _active(self, platform: str, workspace_id: str, channel_id: str) -> Subscription:
        found = await self.subscription(platform, workspace_id, channel_id)
        if found is None or not found.active:
            raise UserError(_NOT_SET_UP)
        return found

    async def setup(
        self,
        *,
        platform: str,
        workspace_id: str,
        channel_id: str,
        time_text: str,
        zone_text: str,
        set_up_by: str,
        now: datetime,
        mode: str | None = None,
        days: str | None = None,
        role_id: str | None = None,
        document_id: str | None = None,
    ) -> DailyResult:
        """Start (or change) a channel's daily passage; running it again also lifts a pause."""
        local_time = parse_local_time(time_text)
        zone = match_timezone(zone_text)
        spec = SubscriptionSpec(
            platform=platform,
            workspace_id=workspace_id,
            channel_id=channel_id,
            document_id=library_for(self.library, platform, workspace_id)
            .document(document_id or default_for(self.library, platform, workspace_id, channel_id))
            .id,
            local_time=format_local_time(local_time),
            timezone=zone,
            mode=parse_mode(mode),
            days=parse_days(days),
            role_id=role_id,
            set_up_by=set_up_by,
        )
        at, day = next_run_with_date(now, local_time, zone, spec.days)
        saved = await self.store.save_subscription.aio(spec, now=now, next_run_at=at, next_local_date=day)
        return DailyResult(
            f"Daily passage set up for this channel: {_plan(saved)}.\nFirst post: {describe_run(at, zone)}.",
            saved,
        )

    async def stop(self, *, platform: str, workspace_id: str, channel_id: str) -> DailyResult:
        """Stop the channel's daily passage; the plan's progress is kept if it is set up again."""
        stopped = await self.store.stop_subscription.aio(platform, workspace_id, channel_id)
        if not stopped:
            raise UserError(_NOT_SET_UP)
        return DailyResult("Daily passage stopped for this channel.")

    async def status(self, *, platform: str, workspace_id: str, channel_id: str) -> DailyResult:
        """Say when the next post comes (in the channel's zone), what came last, and what went wrong."""
        sub = await self._active(platform, workspace_id, channel_id)
        lines = [f"Daily passage: {_plan(sub)}."]
        if sub.paused_reason:
            lines.append(f"Paused: {sub.paused_reason}. Run the daily setup command again to resume.")
        elif sub.next_run_at is not None:
            lines.append(f"Next post: {describe_run(sub.next_run_at, sub.timezone)}.")
        if sub.last_post_at is not None:
            lines.append(f"Last post: § {sub.last_post_ref} on {describe_run(sub.last_post_at, sub.timezone)}.")
        else:
            lines.append("Nothing posted yet.")
        lines.append(f"Posts so far: {sub.posts_made}.")
        if sub.last_error and sub.last_error_at is not None and not sub.paused_reason:
            lines.append(f"Last delivery error ({describe_run(sub.last_error_at, sub.timezone)}): {sub.last_error}.")
        return DailyResult("\n".join(lines), sub)

    async def preview(self, *, platform: str, workspace_id: str, channel_id: str) -> DailyResult:
        """The passage the next post will carry, without posting it."""
        sub = await self._active(platform, workspace_id, channel_id)
        passage = subscription_passage(self.library, sub, sub.posts_made)
        when = f" on {describe_run(sub.next_run_at, sub.timezone)}" if sub.next_run_at else ""
        return DailyResult(f"Next daily passage{when}: § {passage.ref}", sub, passage)

    async def post_now(self, *, platform: str, workspace_id: str, channel_id: str, now: datetime) -> DailyResult:
        """Post today's passage now instead of at the set time; still at most one per local day."""
        if self.scheduler is None:
            raise UserError("Posting is not available in this process.")
        sub = await self._active(platform, workspace_id, channel_id)
        if sub.paused_reason:
            raise UserError(f"The daily passage is paused ({sub.paused_reason}). Run setup again first.")
        today: date = local_date_of(now, sub.timezone)
        outcome = await self.scheduler.deliver(sub, today, now)
        after = await self.store.subscription_by_id.aio(sub.id) or sub
        if outcome in ("sent", "found"):
            return DailyResult(f"Posted today's passage: § {after.last_post_ref}.", after)
        if outcome == "already":
            nxt = f" Next post: {describe_run(after.next_run_at, after.timezone)}." if after.next_run_at else ""
            return DailyResult(f"Today's passage was already posted in this channel.{nxt}", after)
        if outcome == "busy":
            return DailyResult("Today's passage is being posted right now.", after)
        if outcome == "paused":
            return DailyResult(f"Could not post: {after.paused_reason}. The daily passage is paused.", after)
        return DailyResult(f"Could not post right now ({after.last_error}); I will try again shortly.", after)
