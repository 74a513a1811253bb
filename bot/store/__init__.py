"""Storage for daily posts and Slack installs: one Store interface, SQLite by default, PostgreSQL when configured."""

from __future__ import annotations

from pathlib import Path

from bot.store.base import Store, idempotency_key
from bot.store.models import Claim, Delivery, SlackInstallation, Subscription, SubscriptionSpec
from bot.store.sqlite import DATABASE_FILE, SqliteStore

__all__ = [
    "Claim",
    "Delivery",
    "SlackInstallation",
    "Store",
    "Subscription",
    "SubscriptionSpec",
    "idempotency_key",
    "open_store",
    "upgrade",
]


def _connect(database_url: str | None, data_dir: Path) -> Store:
    if not database_url:
        return SqliteStore(data_dir / DATABASE_FILE)
    scheme = database_url.split(":", 1)[0].lower()
    if scheme in ("postgresql", "postgres"):
        from bot.store.postgres import PostgresStore  # psycopg is only imported when it is used

        return PostgresStore(database_url)
    if scheme == "sqlite":
        path = database_url.split(":", 1)[1].removeprefix("///").removeprefix("//")
        return SqliteStore(Path(path) if path else data_dir / DATABASE_FILE)
    # The URL may hold a password, so only its scheme goes into the message.
    raise ValueError(f"unsupported database URL scheme {scheme!r}: use postgresql:// or sqlite:///")


def open_store(database_url: str | None, data_dir: Path, *, migrate: bool = True) -> Store:
    """Open PostgreSQL when a URL is given, else SQLite in data_dir, with the schema brought up to date."""
    store = _connect(database_url, data_dir)
    if migrate:
        store.migrate()
    return store


def upgrade(database_url: str | None, data_dir: Path) -> list[str]:
    """Apply pending migrations (for `speechbot db upgrade`) and return the names applied."""
    store = _connect(database_url, data_dir)
    try:
        return store.migrate()
    finally:
        store.close()
