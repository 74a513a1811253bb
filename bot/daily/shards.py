"""Which channels' daily posts this process sends, when several processes share the Discord shards."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.store import Subscription

ShardFilter = Callable[[Subscription], bool]


def discord_shard_filter(shard_ids: Iterable[int], shard_count: int) -> ShardFilter:
    """Keep only subscriptions whose guild lives on one of this process's shards (Discord's formula)."""
    mine = frozenset(shard_ids)

    def owns(subscription: Subscription) -> bool:
        if subscription.platform != "discord":
            return True
        return (int(subscription.workspace_id) >> 22) % shard_count in mine

    return owns
