"""The core stays free of platform and database libraries, so it runs anywhere and starts fast."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("discord", "slack_bolt", "slack_sdk", "aiohttp", "sqlite3", "psycopg", "sqlalchemy")


def test_core_imports_no_platform_or_database_library() -> None:
    code = (
        "import sys, bot.core, bot.core.commands, bot.core.daily, bot.core.render; "
        "from bot.core import Library; Library.load().search('stalin'); "
        f"print(','.join(m for m in {FORBIDDEN!r} if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == ""


def test_cli_search_does_not_import_the_bots() -> None:
    code = (
        "import sys; from bot.cli import main; main(['search', 'stalin']); "
        "print('LOADED', [m for m in ('discord', 'slack_bolt', 'aiohttp') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "LOADED []" in out
