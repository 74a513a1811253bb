"""The delivery ports: what a platform implements so the posting loop can post without knowing the platform."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core import Passage
from bot.store import Subscription


class DeliveryError(Exception):
    """A post could not be made; `reason` is safe to log and to show in status (no tokens, no user text)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PermanentDeliveryError(DeliveryError):
    """Retrying will not help (deleted channel, missing permission): the subscription is paused."""


class TransientDeliveryError(DeliveryError):
    """Try again later (rate limit, 5xx, network); `retry_after` in seconds when the platform said so."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Deliverer(Protocol):
    """What a platform adapter implements so the scheduler can post without knowing the platform."""

    async def post(self, subscription: Subscription, passage: Passage, idempotency_key: str) -> str:
        """Post the passage to the subscription's channel, tagged with the key; return the message id.

        The key is at most 25 characters. Discord: send it as `nonce` with `enforce_nonce`;
        Slack: put it in the message metadata so find_existing can look it up in the channel history.
        Raise PermanentDeliveryError or TransientDeliveryError on failure.
        """
        ...

    async def find_existing(self, subscription: Subscription, idempotency_key: str, *, since: datetime) -> str | None:
        """The id of a message we already posted with this key (looked up before a re-send), else None.

        Reads the channel's messages from `since` (before the day was first claimed) onwards, however many
        came after ours; raises TransientDeliveryError when it could not read all of them.
        """
        ...


def is_ready(deliverer: Deliverer) -> bool:
    """Whether the platform can take posts yet; a deliverer may say `ready = False` while its bot logs in."""
    return bool(getattr(deliverer, "ready", True))
