"""`speechbot texts add|list|remove --server` and `--server` on reading commands, each in its own process."""

from __future__ import annotations

import json
from pathlib import Path

from tests.server_texts.samples import LESSON
from tests.test_cli import speechbot

GUILD = "discord:900"


def _env(tmp_path: Path) -> dict[str, str]:
    return {"SPEECHBOT_DATA_DIR": str(tmp_path / "data")}


def _lesson(tmp_path: Path) -> Path:
    path = tmp_path / "lighthouse.md"
    path.write_bytes(LESSON)
    return path


def test_an_operator_adds_a_text_that_only_its_server_then_reads(tmp_path: Path) -> None:
    env = _env(tmp_path)
    added = speechbot("texts", "add", str(_lesson(tmp_path)), "--server", GUILD, cwd=tmp_path, extra_env=env)
    assert added.returncode == 0, added.stderr
    assert "Added `lighthouse` (The Lesson of the Lighthouse) to discord:900: 2 paragraphs" in added.stdout
    listed = speechbot("texts", "list", "--server", GUILD, cwd=tmp_path, extra_env=env)
    assert "`lighthouse` · The Lesson of the Lighthouse · Ada Keeper · 1901-05-04" in listed.stdout
    found = speechbot("search", "--json", "lighthouse teaches patience", "--server", GUILD, cwd=tmp_path, extra_env=env)
    assert json.loads(found.stdout)["hits"][0]["document"] == "lighthouse"
    quoted = speechbot("quote", "2", "-d", "lighthouse", "--server", GUILD, "--json", cwd=tmp_path, extra_env=env)
    assert json.loads(quoted.stdout)["text"].startswith("She wrote that a lighthouse")
    cited = speechbot("cite", "1", "-d", "lighthouse", "--server", GUILD, cwd=tmp_path, extra_env=env)
    assert "Keeper" in cited.stdout and "Lesson of the Lighthouse" in cited.stdout
    daily = speechbot("daily", "-d", "lighthouse", "--server", GUILD, "--json", cwd=tmp_path, extra_env=env)
    assert json.loads(daily.stdout)["document"] == "lighthouse"
    elsewhere = speechbot(
        "search", "--json", "lighthouse teaches patience", "--server", "slack:T1", cwd=tmp_path, extra_env=env
    )
    assert json.loads(elsewhere.stdout)["hits"] == []
    without = speechbot("search", "--json", "lighthouse teaches patience", cwd=tmp_path, extra_env=env)
    assert json.loads(without.stdout)["hits"] == []


def test_removing_a_text_takes_it_out_of_its_server(tmp_path: Path) -> None:
    env = _env(tmp_path)
    speechbot("texts", "add", str(_lesson(tmp_path)), "--server", GUILD, cwd=tmp_path, extra_env=env)
    removed = speechbot("texts", "remove", "lighthouse", "--server", GUILD, cwd=tmp_path, extra_env=env)
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.strip() == "Removed `lighthouse` from discord:900."
    listed = speechbot("texts", "list", "--server", GUILD, cwd=tmp_path, extra_env=env)
    assert "no texts of its own" in listed.stdout


def test_removing_by_title_words_names_the_text_it_removed(tmp_path: Path) -> None:
    env = _env(tmp_path)
    speechbot("texts", "add", str(_lesson(tmp_path)), "--server", GUILD, cwd=tmp_path, extra_env=env)
    removed = speechbot("texts", "remove", "lesson of the", "--server", GUILD, cwd=tmp_path, extra_env=env)
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.strip() == "Removed `lighthouse` from discord:900."


def test_bad_server_texts_commands_exit_2_with_one_line(tmp_path: Path) -> None:
    env = _env(tmp_path)
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0IHDR")
    cases = [
        (("texts", "add", str(binary), "--server", GUILD), "looks like a binary file"),
        (("texts", "list"), "needs --server"),
        (("texts", "list", "--server", "teams:1"), "discord:GUILD_ID or slack:TEAM_ID"),
        (("texts", "list", "--server", "discord:abc"), "discord:GUILD_ID or slack:TEAM_ID"),
        (("texts", "remove", "nothing", "--server", GUILD), "no text of its own"),
        (("texts", "add", str(tmp_path / "missing.md"), "--server", GUILD), "Cannot read"),
    ]
    for args, message in cases:
        result = speechbot(*args, cwd=tmp_path, extra_env=env)
        assert result.returncode == 2, (args, result.stdout)
        assert message in result.stderr and result.stderr.count("\n") == 1, (args, result.stderr)
    listed = speechbot("texts", "list", "--server", GUILD, cwd=tmp_path, extra_env=env)
    assert "no texts of its own" in listed.stdout
