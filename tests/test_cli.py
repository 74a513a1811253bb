"""The `speechbot` command line as a newcomer and a script use it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_TEXTS


def speechbot(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "SPEECHBOT_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_search_json_has_the_documented_shape(tmp_path: Path) -> None:
    result = speechbot("search", "--json", "enemy of the peopel", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["query"] == "enemy of the peopel"
    first = data["hits"][0]
    assert set(first) == {"document", "ref", "paragraph", "sentence", "score", "text", "match"}
    assert (first["document"], first["paragraph"]) == ("secret-speech", 3)
    start, end = first["match"]
    assert first["text"][start:end].lower() == "enemy of the people"


def test_quote_json(tmp_path: Path) -> None:
    data = json.loads(speechbot("quote", "3.2", "--json", cwd=tmp_path).stdout)
    assert data["ref"] == "3.2" and data["text"].startswith("This term automatically")
    assert data["citation"].endswith("par. 3.")
    assert set(data) == {"document", "ref", "text", "citation"}


def test_daily_json_for_a_given_date_is_stable(tmp_path: Path) -> None:
    first = json.loads(speechbot("daily", "--date", "2026-02-25", "--json", cwd=tmp_path).stdout)
    again = json.loads(speechbot("daily", "--date", "2026-02-25", "--json", cwd=tmp_path).stdout)
    assert first == again
    assert set(first) == {"date", "document", "ref", "text"} and first["date"] == "2026-02-25"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("quote", "99"), "The speech has 7 paragraphs; try `3` or `3.2`."),
        (("daily", "--date", "yesterday"), "is not a date"),
        (("cite", "3", "--style", "harvard"), "invalid choice"),
        (("search",), "required"),
        (("quote", "1", "--document", "nope"), "Loaded texts"),
        (("frobnicate",), "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = speechbot(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_off_topic_search_says_nothing_matches(tmp_path: Path) -> None:
    result = speechbot("search", "chocolate", "cake", "recipe", cwd=tmp_path)
    assert result.returncode == 0 and "Nothing in" in result.stdout
    assert json.loads(speechbot("search", "--json", "xyzzy", cwd=tmp_path).stdout)["hits"] == []


def test_texts_option_loads_another_folder(tmp_path: Path) -> None:
    data = json.loads(speechbot("texts", "--json", "--texts", str(FIXTURE_TEXTS), cwd=tmp_path).stdout)
    assert [t["document"] for t in data["texts"]] == ["secret-speech", "gettysburg"]
    hit = json.loads(
        speechbot(
            "search",
            "--json",
            "--texts",
            str(FIXTURE_TEXTS),
            "--document",
            "gettysburg",
            "four score",
            cwd=tmp_path,
        ).stdout
    )["hits"][0]
    assert hit["document"] == "gettysburg"


def test_cite_context_and_about_print_text(tmp_path: Path) -> None:
    assert "(Khrushchev, 1956, para. 5)" in speechbot("cite", "5", "--style", "apa", cwd=tmp_path).stdout
    context = json.loads(speechbot("context", "1", "--json", cwd=tmp_path).stdout)
    assert [p["ref"] for p in context["paragraphs"]] == ["1", "2"]
    assert "Editor's introduction" in speechbot("about", cwd=tmp_path).stdout


def test_console_answers_slash_commands_from_piped_input(tmp_path: Path) -> None:
    script = "/quote 3.2\n/search enemy of the peopel\n/cite 5 mla\n/quote 42\n/help\n/context 7\n"
    out = speechbot("console", stdin=script, cwd=tmp_path).stdout
    assert "§3.2 · Khrushchev's Secret Speech, 1956" in out
    assert "enemy of the people" in out and "**" not in out and "\x1b[" not in out  # piped: plain text
    assert "par. 5." in out
    assert "The speech has 7 paragraphs" in out and "only you can see this" not in out
    assert "/cite <ref> [mla|apa|chicago]" in out
    assert "[Previous: /context 6]" in out and "/context 8" not in out


def test_bare_speechbot_without_tokens_explains_and_opens_the_console(tmp_path: Path) -> None:
    result = speechbot(stdin="/quote 1\n", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("No DISCORD_TOKEN or SLACK_BOT_TOKEN is set")
    assert "We have to consider seriously" in result.stdout


def test_output_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    reader = subprocess.Popen(
        [sys.executable, "-m", "bot", "quote", "1-7"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.close()  # like `speechbot quote 1-7 | head -1` once head has its line
    errors = reader.stderr.read().decode()
    reader.wait(timeout=60)
    assert "Traceback" not in errors and "BrokenPipeError" not in errors


def test_search_with_more_hits_suggests_a_larger_limit_not_the_console(tmp_path: Path) -> None:
    out = speechbot("search", "stalin", "--limit", "2", cwd=tmp_path).stdout
    assert "type `more`" not in out
    assert "--limit 7" in out


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "no .txt or .md texts in"),
        ({"notes.txt": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"}, "notes.txt: looks like a binary file"),
        ({"notes.txt": "Title\n\n* * *\n\nCafé.\n".encode("cp1252")}, "notes.txt: not UTF-8 text"),
        ({"notes.txt": b"Title\n\nIntro only.\n\n* * * *\n"}, "notes.txt: the text has no body paragraphs"),
        ({"notes.txt": b"Title\n\n* * *\n\nBody.\n", "notes.toml": b"date = 1956-02-30\n"}, "notes.toml"),
    ],
)
def test_a_bad_texts_folder_exits_2_with_one_line_naming_it(
    tmp_path: Path, files: dict[str, bytes], message: str
) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    result = speechbot("search", "stalin", "--texts", str(folder), cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_bad_env_file_in_the_working_directory_exits_2_with_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN abc\nSLACK_APP_TOKEN='xapp\n", encoding="utf-8")
    result = speechbot("texts", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "speechbot: .env, line 1: write settings as NAME=value (a # starts a comment)."
