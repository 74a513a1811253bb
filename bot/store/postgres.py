"""PostgreSQL backend (psycopg 3) for several processes or shards sharing the work."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from bot.store.base import Row, Store

# Any constant works; it only has to be the same in every process that migrates this database.
_MIGRATION_LOCK_KEY = 0x5EEC4B07


class PostgresStore(Store):
    """The shared store: row locks and ON CONFLICT make claims safe across processes.

    A few connections are kept so the scheduler's concurrent deliveries do not queue behind one socket.
    """

    dialect = "postgres"

    def __init__(self, url: str, *, pool_size: int = 4) -> None:
        super().__init__()
        self._url = url
        self._idle: queue.LifoQueue[psycopg.Connection[Any]] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(pool_size)
        self._local = threading.local()
        self._closed = False
        self._release(self._connect())  # fail fast on a bad URL or an unreachable server

    def _connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self._url, autocommit=True)

    def _release(self, conn: psycopg.Connection[Any]) -> None:
        if conn.broken or self._closed:
            conn.close()
        else:
            self._idle.put(conn)

    @contextmanager
    def _session(self, *, transaction: bool) -> Iterator[None]:
        current: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if current is not None:  # already inside a session on this thread
            if transaction:
                with current.transaction():
                    yield
            else:
                yield
            return
        with self._slots:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                conn = self._connect()
            self._local.conn = conn
            try:
                if transaction:
                    with conn.transaction():
                        yield
                else:
                    yield
            finally:
                self._local.conn = None
                self._release(conn)

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[Row], int]:
        conn: psycopg.Connection[Any] = self._local.conn
        cursor = conn.execute(sql.replace("?", "%s").encode(), tuple(params))
        rows = cursor.fetchall() if cursor.description is not None else []
        return rows, cursor.rowcount

    def _migration_lock(self) -> None:
        self._execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK_KEY,))

    def close(self) -> None:
        """Release the connections."""
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
