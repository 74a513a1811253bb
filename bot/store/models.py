"""Plain records the store hands out; no database types leak past this module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from bot.core.daily import Mode
from bot.core.schedule import Days

__all__ = ["Days", "Mode"]  # the core's words for a channel's plan, re-exported for the store's callers

DeliveryStatus = Literal["claimed", "sent", "missed"]


@dataclass(frozen=True, slots=True)
class SubscriptionSpec:
    """What a channel asked for in setup; the store adds identity and progress."""

    platform: str
    workspace_id: str
    channel_id: str
    document_id: str
    local_time: str
    timezone: str
    mode: Mode = "shuffle"
    days: Days = "daily"
    role_id: str | None = None
    set_up_by: str = ""


@dataclass(frozen=True, slots=True)
class Subscription:
    """One channel's daily-post settings and progress as stored."""

    id: int
    platform: str
    workspace_id: str
    channel_id: str
    document_id: str
    local_time: str
    timezone: str
    mode: Mode
    days: Days
    role_id: str | None
    set_up_by: str
    set_up_at: datetime
    settings_version: int
    active: bool
    paused_reason: str | None
    next_run_at: datetime | None
    next_local_date: date | None
    posts_made: int
    last_post_at: datetime | None
    last_post_ref: str | None
    last_message_id: str | None
    last_error: str | None
    last_error_at: datetime | None


@dataclass(frozen=True, slots=True)
class Claim:
    """The right to post one subscription's passage for one local date, held until `lease_until`.

    `token` is this claim's own: the store acts on the day's row only while it still holds it (fencing).
    `first_claimed_at` is when the day was first claimed, so a look for an earlier post reads back to it.
    """

    subscription_id: int
    local_date: date
    n: int
    idempotency_key: str
    attempts: int
    lease_until: datetime
    settings_version: int
    token: str
    first_claimed_at: datetime

    @property
    def is_retry(self) -> bool:
        """A retry may follow a send that reached the platform, so look for the message first."""
        return self.attempts > 1


@dataclass(frozen=True, slots=True)
class Delivery:
    """The stored state of one (subscription, local date) post."""

    subscription_id: int
    local_date: date
    status: DeliveryStatus
    n: int
    idempotency_key: str
    claimed_by: str | None
    lease_until: datetime
    attempts: int
    message_id: str | None
    passage_ref: str | None
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class SlackInstallation:
    """A workspace's bot installation from Slack's OAuth flow (an org's, when installed org-wide)."""

    team_id: str | None
    enterprise_id: str | None
    bot_token: str
    installed_at: datetime
    is_enterprise_install: bool = False
    app_id: str | None = None
    enterprise_name: str | None = None
    enterprise_url: str | None = None
    team_name: str | None = None
    bot_id: str | None = None
    bot_user_id: str | None = None
    bot_scopes: tuple[str, ...] = ()
    bot_refresh_token: str | None = None
    bot_token_expires_at: datetime | None = None
    installed_by: str | None = None
