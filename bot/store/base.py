"""The one storage interface, Store, with the SQL both backends share; backends differ only in connection handling."""

from __future__ import annotations

import secrets
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any, Protocol, cast

from bot.clock import utc_now
from bot.store.blocking import blocking
from bot.store.models import (
    Claim,
    Days,
    Delivery,
    DeliveryStatus,
    Mode,
    SlackInstallation,
    Subscription,
    SubscriptionSpec,
)

Row = Sequence[Any]

# Column lists are constants formatted into the SQL; values always travel as parameters.
_SUB_COLUMNS = (
    "id, platform, workspace_id, channel_id, document_id, local_time, timezone, mode, days, role_id, "
    "set_up_by, set_up_at, settings_version, active, paused_reason, next_run_at, next_local_date, "
    "posts_made, last_post_at, last_post_ref, last_message_id, last_error, last_error_at"
)
_DELIVERY_COLUMNS = (
    "subscription_id, local_date, status, n, idempotency_key, claimed_by, lease_until, attempts, "
    "message_id, passage_ref, sent_at"
)
_INSTALLATION_COLUMNS = (
    "team_id, enterprise_id, is_enterprise_install, app_id, enterprise_name, enterprise_url, team_name, "
    "bot_token, bot_id, bot_user_id, bot_scopes, bot_refresh_token, bot_token_expires_at, installed_by, installed_at"
)

# Reads through the (platform, next_run_at, id) index: only due rows are touched, in order, with no sort.
DUE_QUERY = (
    f"SELECT {_SUB_COLUMNS} FROM subscriptions "  # noqa: S608 - constant column list
    "WHERE platform = ? AND next_run_at IS NOT NULL AND next_run_at <= ? AND (next_run_at, id) > (?, ?) "
    "ORDER BY next_run_at, id LIMIT ?"
)


class SlackInstallations(Protocol):
    """What Slack's OAuth flow keeps: workspace installations and one-time install states (see Store for each)."""

    @blocking
    def save_slack_installation(self, installation: SlackInstallation) -> None: ...

    @blocking
    def slack_installation(self, *, team_id: str | None, enterprise_id: str | None) -> SlackInstallation | None: ...

    @blocking
    def delete_slack_installation(self, *, team_id: str | None, enterprise_id: str | None) -> bool: ...

    @blocking
    def issue_oauth_state(self, state: str, *, now: datetime, expires_at: datetime) -> None: ...

    @blocking
    def consume_oauth_state(self, state: str, *, now: datetime) -> bool: ...


def _ts(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("store times must be timezone-aware")
    return int(moment.timestamp())


def _dt(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def new_claim_token() -> str:
    """A fresh token for one claim of a day: unguessable, so no two claims ever share one."""
    return secrets.token_hex(16)


def idempotency_key(subscription_id: int, local_date: date) -> str:
    """A stable key per (subscription, date), short enough for a Discord nonce (25 characters)."""
    return f"sb{subscription_id}-{local_date:%Y%m%d}"


def _subscription(row: Row) -> Subscription:
    set_up_at = datetime.fromtimestamp(row[11], UTC)
    return Subscription(
        id=int(row[0]),
        platform=row[1],
        workspace_id=row[2],
        channel_id=row[3],
        document_id=row[4],
        local_time=row[5],
        timezone=row[6],
        mode=cast(Mode, row[7]),
        days=cast(Days, row[8]),
        role_id=row[9],
        set_up_by=row[10],
        set_up_at=set_up_at,
        settings_version=int(row[12]),
        active=bool(row[13]),
        paused_reason=row[14],
        next_run_at=_dt(row[15]),
        next_local_date=_day(row[16]),
        posts_made=int(row[17]),
        last_post_at=_dt(row[18]),
        last_post_ref=row[19],
        last_message_id=row[20],
        last_error=row[21],
        last_error_at=_dt(row[22]),
    )


def _delivery(row: Row) -> Delivery:
    lease_until = datetime.fromtimestamp(row[6], UTC)
    return Delivery(
        subscription_id=int(row[0]),
        local_date=date.fromisoformat(row[1]),
        status=cast(DeliveryStatus, row[2]),
        n=int(row[3]),
        idempotency_key=row[4],
        claimed_by=row[5],
        lease_until=lease_until,
        attempts=int(row[7]),
        message_id=row[8],
        passage_ref=row[9],
        sent_at=_dt(row[10]),
    )


def _installation(row: Row) -> SlackInstallation:
    installed_at = datetime.fromtimestamp(row[14], UTC)
    return SlackInstallation(
        team_id=row[0] or None,
        enterprise_id=row[1] or None,
        is_enterprise_install=bool(row[2]),
        app_id=row[3],
        enterprise_name=row[4],
        enterprise_url=row[5],
        team_name=row[6],
        bot_token=row[7],
        bot_id=row[8],
        bot_user_id=row[9],
        bot_scopes=tuple(scope for scope in row[10].split(",") if scope),
        bot_refresh_token=row[11],
        bot_token_expires_at=_dt(row[12]),
        installed_by=row[13],
        installed_at=installed_at,
    )


def load_migrations(dialect: str) -> list[tuple[int, str, str]]:
    """The numbered SQL files for a dialect as (number, name, text), in order."""
    folder = resources.files("bot.store").joinpath("migrations", dialect)
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number = int(entry.name.split("_", 1)[0])
            found.append((number, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def split_statements(script: str) -> list[str]:
    """Split a migration file at semicolons that end a line (our files keep ';' out of literals)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";\n") if part.strip().rstrip(";").strip()]


class Store(ABC):
    """Where subscriptions, delivery claims and Slack installs live: the one storage interface.

    Every method is one short transaction in SQL both backends share (`?` placeholders, never user text);
    a backend (sqlite.py, postgres.py) only implements the connection hooks below. Each public method is
    `@blocking`: the CLI and migrations call it in place, async callers `await store.method.aio(...)`.
    """

    dialect = "sql"

    def __init__(self) -> None:
        self._lock = threading.RLock()

    # --- backend hooks -------------------------------------------------------------------------------

    @abstractmethod
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[Row], int]:
        """Run one statement on this thread's session; return its rows and the affected row count."""

    @abstractmethod
    def _session(self, *, transaction: bool) -> AbstractContextManager[None]:
        """Bind a connection to this thread, inside a write transaction when asked."""

    @abstractmethod
    def _migration_lock(self) -> None:
        """Inside a transaction: keep two processes from migrating at once."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    @contextmanager
    def _tx(self) -> Iterator[None]:
        with self._session(transaction=True):
            yield

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._session(transaction=False):
            return self._execute(sql, params)[0]

    def _count(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._session(transaction=False):
            return self._execute(sql, params)[1]

    # --- migrations ----------------------------------------------------------------------------------

    @blocking
    def migrate(self) -> list[str]:
        """Apply pending numbered migrations and return their names."""
        applied: list[str] = []
        with self._tx():
            self._migration_lock()
            self._execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
            )
            done = {int(r[0]) for r in self._execute("SELECT version FROM schema_migrations")[0]}
            for number, name, script in load_migrations(self.dialect):
                if number in done:
                    continue
                for statement in split_statements(script):
                    self._execute(statement)
                self._execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (number, name, _ts(utc_now())),
                )
                applied.append(name)
        return applied

    @blocking
    def schema_version(self) -> int:
        """The number of the newest applied migration (0 for an empty database)."""
        try:
            rows = self._rows("SELECT MAX(version) FROM schema_migrations")
        except Exception:  # the table does not exist before the first migration
            return 0
        return int(rows[0][0] or 0)

    # --- subscriptions -------------------------------------------------------------------------------

    @blocking
    def save_subscription(
        self, spec: SubscriptionSpec, *, now: datetime, next_run_at: datetime, next_local_date: date
    ) -> Subscription:
        """Create or replace a channel's subscription; clears a pause and keeps the post count."""
        rows = self._rows(
            "INSERT INTO subscriptions (platform, workspace_id, channel_id, document_id, local_time, "  # noqa: S608
            "timezone, mode, days, role_id, set_up_by, set_up_at, next_run_at, next_local_date) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (platform, workspace_id, channel_id) DO UPDATE SET "
            "document_id = excluded.document_id, local_time = excluded.local_time, "
            "timezone = excluded.timezone, mode = excluded.mode, days = excluded.days, "
            "role_id = excluded.role_id, set_up_by = excluded.set_up_by, set_up_at = excluded.set_up_at, "
            "next_run_at = excluded.next_run_at, next_local_date = excluded.next_local_date, "
            "settings_version = subscriptions.settings_version + 1, active = 1, paused_reason = NULL "
            f"RETURNING {_SUB_COLUMNS}",
            (
                spec.platform,
                spec.workspace_id,
                spec.channel_id,
                spec.document_id,
                spec.local_time,
                spec.timezone,
                spec.mode,
                spec.days,
                spec.role_id,
                spec.set_up_by,
                _ts(now),
                _ts(next_run_at),
                next_local_date.isoformat(),
            ),
        )
        return _subscription(rows[0])

    @blocking
    def subscription(self, platform: str, workspace_id: str, channel_id: str) -> Subscription | None:
        """The subscription for one channel, active or stopped."""
        rows = self._rows(
            f"SELECT {_SUB_COLUMNS} FROM subscriptions "  # noqa: S608 - constant column list
            "WHERE platform = ? AND workspace_id = ? AND channel_id = ?",
            (platform, workspace_id, channel_id),
        )
        return _subscription(rows[0]) if rows else None

    @blocking
    def subscription_by_id(self, subscription_id: int) -> Subscription | None:
        """A subscription by its id."""
        rows = self._rows(f"SELECT {_SUB_COLUMNS} FROM subscriptions WHERE id = ?", (subscription_id,))  # noqa: S608 - constant column list
        return _subscription(rows[0]) if rows else None

    @blocking
    def stop_subscription(self, platform: str, workspace_id: str, channel_id: str) -> bool:
        """Stop posting to a channel; returns False when it had no active subscription."""
        count = self._count(
            "UPDATE subscriptions SET active = 0, next_run_at = NULL, next_local_date = NULL, "
            "settings_version = settings_version + 1 "
            "WHERE platform = ? AND workspace_id = ? AND channel_id = ? AND active = 1",
            (platform, workspace_id, channel_id),
        )
        return count > 0

    @blocking
    def due_subscriptions(
        self, now: datetime, *, platform: str, limit: int = 500, after: tuple[datetime, int] | None = None
    ) -> list[Subscription]:
        """Subscriptions whose next run is at or before `now`, oldest first, read through the index."""
        start_at, start_id = (_ts(after[0]), after[1]) if after else (-1, -1)
        rows = self._rows(DUE_QUERY, (platform, _ts(now), start_at, start_id, limit))
        return [_subscription(r) for r in rows]

    @blocking
    def next_due_at(self, *, platform: str) -> datetime | None:
        """The earliest scheduled run, so the loop can sleep until then."""
        rows = self._rows(
            "SELECT MIN(next_run_at) FROM subscriptions WHERE next_run_at IS NOT NULL AND platform = ?",
            (platform,),
        )
        return _dt(rows[0][0]) if rows else None

    # --- claims --------------------------------------------------------------------------------------

    @blocking
    def claim(
        self, subscription: Subscription, local_date: date, *, worker: str, now: datetime, lease: timedelta
    ) -> Claim | None:
        """Take the right to post for (subscription, local date); None when posted or leased elsewhere."""
        lease_until = now + lease
        token = new_claim_token()
        rows = self._rows(
            "INSERT INTO deliveries (subscription_id, local_date, status, n, idempotency_key, claimed_by, "
            "lease_until, attempts, claim_token, first_claimed_at) "
            "SELECT id, ?, 'claimed', posts_made, ?, ?, ?, 1, ?, ? FROM subscriptions "
            "WHERE id = ? AND active = 1 AND paused_reason IS NULL "
            "ON CONFLICT (subscription_id, local_date) DO UPDATE SET "
            "claimed_by = excluded.claimed_by, lease_until = excluded.lease_until, "
            "attempts = deliveries.attempts + 1, claim_token = excluded.claim_token "
            "WHERE deliveries.status = 'claimed' AND deliveries.lease_until <= ? "
            "RETURNING n, idempotency_key, attempts, first_claimed_at",
            (
                local_date.isoformat(),
                idempotency_key(subscription.id, local_date),
                worker,
                _ts(lease_until),
                token,
                _ts(now),
                subscription.id,
                _ts(now),
            ),
        )
        return self._claim(subscription, local_date, rows, lease_until, token)

    @blocking
    def reclaim_expired(
        self, subscription: Subscription, local_date: date, *, worker: str, now: datetime, lease: timedelta
    ) -> Claim | None:
        """Take over an unfinished claim whose lease ran out; never creates a new one."""
        lease_until = now + lease
        token = new_claim_token()
        rows = self._rows(
            "UPDATE deliveries SET claimed_by = ?, lease_until = ?, attempts = attempts + 1, claim_token = ? "
            "WHERE subscription_id = ? AND local_date = ? AND status = 'claimed' AND lease_until <= ? "
            "RETURNING n, idempotency_key, attempts, first_claimed_at",
            (worker, _ts(lease_until), token, subscription.id, local_date.isoformat(), _ts(now)),
        )
        return self._claim(subscription, local_date, rows, lease_until, token)

    @staticmethod
    def _claim(
        subscription: Subscription, local_date: date, rows: list[Row], lease_until: datetime, token: str
    ) -> Claim | None:
        if not rows:
            return None
        n, key, attempts, first_claimed_at = rows[0]
        return Claim(
            subscription_id=subscription.id,
            local_date=local_date,
            n=int(n),
            idempotency_key=key,
            attempts=int(attempts),
            lease_until=lease_until,
            settings_version=subscription.settings_version,
            token=token,
            first_claimed_at=datetime.fromtimestamp(first_claimed_at, UTC),
        )

    @staticmethod
    def _held(claim: Claim) -> tuple[int, str, str]:
        """The parameters that find the day's row only while it still holds this claim's token."""
        return (claim.subscription_id, claim.local_date.isoformat(), claim.token)

    @blocking
    def confirm(
        self,
        claim: Claim,
        *,
        message_id: str,
        passage_ref: str,
        now: datetime,
        next_run_at: datetime | None,
        next_local_date: date | None,
    ) -> bool:
        """Record a post as made and move the subscription on; False unless the caller's claim still held the day."""
        with self._tx():
            _, count = self._execute(
                "UPDATE deliveries SET status = 'sent', message_id = ?, passage_ref = ?, sent_at = ? "
                "WHERE subscription_id = ? AND local_date = ? AND status = 'claimed' AND claim_token = ?",
                (message_id, passage_ref, _ts(now), *self._held(claim)),
            )
            if count == 0:
                return False
            self._execute(
                "UPDATE subscriptions SET "
                "posts_made = CASE WHEN posts_made < ? THEN ? ELSE posts_made END, "
                "last_post_at = ?, last_post_ref = ?, last_message_id = ? WHERE id = ?",
                (claim.n + 1, claim.n + 1, _ts(now), passage_ref, message_id, claim.subscription_id),
            )
            if next_run_at is not None and next_local_date is not None:
                self._execute(
                    "UPDATE subscriptions SET next_run_at = ?, next_local_date = ? "
                    "WHERE id = ? AND settings_version = ? AND active = 1 AND paused_reason IS NULL "
                    "AND (next_local_date IS NULL OR next_local_date <= ?)",
                    (
                        _ts(next_run_at),
                        next_local_date.isoformat(),
                        claim.subscription_id,
                        claim.settings_version,
                        claim.local_date.isoformat(),
                    ),
                )
        return True

    @blocking
    def release_for_retry(self, claim: Claim, *, reason: str, now: datetime, retry_at: datetime) -> bool:
        """Give the caller's claim back after a transient failure and schedule the retry; False if it was lost."""
        with self._tx():
            _, count = self._execute(
                "UPDATE deliveries SET lease_until = ?, claimed_by = NULL, claim_token = NULL "
                "WHERE subscription_id = ? AND local_date = ? AND status = 'claimed' AND claim_token = ?",
                (_ts(now), *self._held(claim)),
            )
            if count == 0:
                return False  # another worker holds the day now; its schedule is its own
            self._execute(
                "UPDATE subscriptions SET next_run_at = ?, last_error = ?, last_error_at = ? "
                "WHERE id = ? AND settings_version = ? AND active = 1 AND paused_reason IS NULL",
                (_ts(retry_at), reason, _ts(now), claim.subscription_id, claim.settings_version),
            )
        return True

    @blocking
    def abandon(self, claim: Claim) -> bool:
        """Mark the caller's claim for a day that ended without a post as missed; False if it was lost."""
        count = self._count(
            "UPDATE deliveries SET status = 'missed', claimed_by = NULL, claim_token = NULL "
            "WHERE subscription_id = ? AND local_date = ? AND status = 'claimed' AND claim_token = ?",
            self._held(claim),
        )
        return count > 0

    @blocking
    def pause(self, subscription_id: int, *, reason: str, now: datetime, claim: Claim | None = None) -> bool:
        """Stop a subscription that cannot be delivered (deleted channel, lost permission) with the reason.

        With a claim, only while that claim still holds the day (else the newer holder decides); returns
        whether the subscription was paused.
        """
        with self._tx():
            if claim is not None:
                _, count = self._execute(
                    "DELETE FROM deliveries "
                    "WHERE subscription_id = ? AND local_date = ? AND status = 'claimed' AND claim_token = ?",
                    self._held(claim),
                )
                if count == 0:
                    return False
            _, count = self._execute(
                "UPDATE subscriptions SET paused_reason = ?, next_run_at = NULL, last_error = ?, "
                "last_error_at = ? WHERE id = ?",
                (reason, reason, _ts(now), subscription_id),
            )
        return count > 0

    @blocking
    def reschedule(self, subscription: Subscription, *, next_run_at: datetime, next_local_date: date) -> bool:
        """Move a subscription's next run, unless someone else already moved it."""
        if subscription.next_run_at is None:
            return False
        count = self._count(
            "UPDATE subscriptions SET next_run_at = ?, next_local_date = ? "
            "WHERE id = ? AND settings_version = ? AND next_run_at = ?",
            (
                _ts(next_run_at),
                next_local_date.isoformat(),
                subscription.id,
                subscription.settings_version,
                _ts(subscription.next_run_at),
            ),
        )
        return count > 0

    @blocking
    def delivery(self, subscription_id: int, local_date: date) -> Delivery | None:
        """The stored state of one day's post."""
        rows = self._rows(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE subscription_id = ? AND local_date = ?",  # noqa: S608 - constant column list
            (subscription_id, local_date.isoformat()),
        )
        return _delivery(rows[0]) if rows else None

    @blocking
    def deliveries(self, subscription_id: int) -> list[Delivery]:
        """All day records of a subscription, oldest first."""
        rows = self._rows(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE subscription_id = ? ORDER BY local_date",  # noqa: S608 - constant column list
            (subscription_id,),
        )
        return [_delivery(r) for r in rows]

    # --- Slack installations and OAuth states --------------------------------------------------------

    @blocking
    def save_slack_installation(self, installation: SlackInstallation) -> None:
        """Keep a workspace's (or org's) bot installation, replacing the one it had."""
        i = installation
        self._count(
            f"INSERT INTO slack_installations ({_INSTALLATION_COLUMNS}) "  # noqa: S608 - constant column list
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (team_id, enterprise_id) DO UPDATE SET "
            "is_enterprise_install = excluded.is_enterprise_install, app_id = excluded.app_id, "
            "enterprise_name = excluded.enterprise_name, enterprise_url = excluded.enterprise_url, "
            "team_name = excluded.team_name, bot_token = excluded.bot_token, bot_id = excluded.bot_id, "
            "bot_user_id = excluded.bot_user_id, bot_scopes = excluded.bot_scopes, "
            "bot_refresh_token = excluded.bot_refresh_token, bot_token_expires_at = excluded.bot_token_expires_at, "
            "installed_by = COALESCE(excluded.installed_by, slack_installations.installed_by), "
            "installed_at = excluded.installed_at",
            (
                "" if i.is_enterprise_install else (i.team_id or ""),
                i.enterprise_id or "",
                int(i.is_enterprise_install),
                i.app_id,
                i.enterprise_name,
                i.enterprise_url,
                i.team_name,
                i.bot_token,
                i.bot_id,
                i.bot_user_id,
                ",".join(i.bot_scopes),
                i.bot_refresh_token,
                None if i.bot_token_expires_at is None else _ts(i.bot_token_expires_at),
                i.installed_by,
                _ts(i.installed_at),
            ),
        )

    @blocking
    def slack_installation(self, *, team_id: str | None, enterprise_id: str | None) -> SlackInstallation | None:
        """The workspace's newest installation by team id alone; with no team, the org-wide one."""
        # Team ids are unique across Slack, so the team alone finds a workspace of a Grid org as well.
        rows = self._rows(
            f"SELECT {_INSTALLATION_COLUMNS} FROM slack_installations "  # noqa: S608 - constant column list
            "WHERE team_id = ? AND (team_id <> '' OR enterprise_id = ?) ORDER BY installed_at DESC LIMIT 1",
            (team_id or "", enterprise_id or ""),
        )
        return _installation(rows[0]) if rows else None

    @blocking
    def delete_slack_installation(self, *, team_id: str | None, enterprise_id: str | None) -> bool:
        """Forget a workspace's (or, with no team, an org's) installation; False when there was none."""
        count = self._count(
            "DELETE FROM slack_installations WHERE team_id = ? AND (team_id <> '' OR enterprise_id = ?)",
            (team_id or "", enterprise_id or ""),
        )
        return count > 0

    @blocking
    def issue_oauth_state(self, state: str, *, now: datetime, expires_at: datetime) -> None:
        """Remember an install link's one-time state until it expires; drops states that already did."""
        with self._tx():
            self._execute("DELETE FROM slack_oauth_states WHERE expires_at <= ?", (_ts(now),))
            self._execute("INSERT INTO slack_oauth_states (state, expires_at) VALUES (?, ?)", (state, _ts(expires_at)))

    @blocking
    def consume_oauth_state(self, state: str, *, now: datetime) -> bool:
        """Use up a state: True exactly once, and only before it expires."""
        # One statement, so two processes handed the same redirect cannot both accept it.
        count = self._count("DELETE FROM slack_oauth_states WHERE state = ? AND expires_at > ?", (state, _ts(now)))
        return count > 0

    @blocking
    def pause_workspace(self, platform: str, workspace_id: str, *, reason: str, now: datetime) -> int:
        """Pause every active subscription of a workspace (the app was removed there); returns how many."""
        return self._count(
            "UPDATE subscriptions SET paused_reason = ?, next_run_at = NULL, last_error = ?, last_error_at = ? "
            "WHERE platform = ? AND workspace_id = ? AND active = 1 AND paused_reason IS NULL",
            (reason, reason, _ts(now), platform, workspace_id),
        )


SqlStore = Store  # the name the backends and the store's own modules (quiz.py) build on
