"""The two store backends for tests: SQLite in a temp folder, PostgreSQL in a throwaway schema."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

POSTGRES_ENV = "SPEECHBOT_TEST_POSTGRES_URL"
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not os.environ.get(POSTGRES_ENV), reason=f"{POSTGRES_ENV} is not set"),
        ],
    ),
]


def with_search_path(url: str, schema: str) -> str:
    """A libpq URL whose connections use `schema`, so every process of a test sees the same tables."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def database_url(kind: str, tmp_path: Path) -> Iterator[str | None]:
    """Yield the URL to pass to open_store (None for SQLite in tmp_path); drop the schema afterwards."""
    if kind == "sqlite":
        yield None
        return
    import psycopg
    from psycopg import sql

    base = os.environ[POSTGRES_ENV]
    schema = f"speechbot_test_{secrets.token_hex(6)}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        try:
            yield with_search_path(base, schema)
        finally:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
