"""SQLite backend: one file in the data folder, WAL mode so several processes can share it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.store.base import Row, Store

DATABASE_FILE = "speechbot.sqlite3"


class SqliteStore(Store):
    """The default store: a file, no server, safe for two processes through SQLite's locking."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        super().__init__()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.execute("PRAGMA busy_timeout = 30000")

    def _migration_lock(self) -> None:
        """Nothing to add: SQLite's write transaction already keeps a second migrating process out."""

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[Row], int]:
        cursor = self._conn.execute(sql, tuple(params))
        rows = cursor.fetchall()
        return rows, cursor.rowcount

    @contextmanager
    def _session(self, *, transaction: bool) -> Iterator[None]:
        # One connection, so threads take turns; sqlite3 calls are short.
        with self._lock:
            if not transaction:
                yield
                return
            # IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading a read lock.
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        """Release the connection."""
        with self._lock:
            self._conn.close()
