"""The `speechbot` command line as a newcomer and a script use it."""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.cli import main
from bot.core import commands
from bot.core.library import Library
from tests.conftest import FIXTURE_TEXTS

ROOT = Path(__file__).resolve().parents[1]


def speechbot(
    *args: str, stdin: str | None = None, cwd: Path | None = None, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "SPEECHBOT_"))}
    if cwd is not None:  # the user's own data and cache folders, inside the test's folder
        env.update(XDG_DATA_HOME=str(cwd / "xdg-data"), XDG_CACHE_HOME=str(cwd / "xdg-cache"))
    env.update(extra_env or {})
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
    assert set(first) == {
        "document",
        "label",
        "section",
        "also_in",
        "ref",
        "paragraph",
        "sentence",
        "score",
        "text",
        "match",
    }
    assert first["label"] == "Khrushchev 1956"
    assert (first["document"], first["paragraph"]) == ("secret-speech", 3)
    start, end = first["match"]
    assert first["text"][start:end].lower() == "enemy of the people"


def test_quote_json(tmp_path: Path) -> None:
    data = json.loads(speechbot("quote", "3.2", "--json", cwd=tmp_path).stdout)
    assert data["ref"] == "3.2" and data["text"].startswith("This term automatically")
    assert data["citation"].endswith("par. 3.")
    assert set(data) == {"document", "title", "label", "ref", "text", "citation"}
    assert data["title"] == "Khrushchev's Secret Speech, 1956"


def test_daily_json_for_a_given_date_is_stable(tmp_path: Path) -> None:
    first = json.loads(speechbot("daily", "--date", "2026-02-25", "--json", cwd=tmp_path).stdout)
    again = json.loads(speechbot("daily", "--date", "2026-02-25", "--json", cwd=tmp_path).stdout)
    assert first == again
    assert set(first) == {"date", "document", "title", "label", "ref", "text", "citation"}
    assert first["date"] == "2026-02-25"
    assert first["citation"].startswith("Khrushchev, Nikita.") and first["title"] == "Khrushchev's Secret Speech, 1956"


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


def test_an_empty_texts_folder_exits_2_with_one_line_naming_it(tmp_path: Path) -> None:
    (tmp_path / "texts").mkdir()
    result = speechbot("search", "stalin", "--texts", str(tmp_path / "texts"), cwd=tmp_path)
    assert result.returncode == 2
    assert "no .txt or .md texts in" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


BAD_FILES = [
    ({"notes.txt": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"}, "notes.txt: looks like a binary file"),
    ({"notes.txt": "Title\n\n* * *\n\nCafé.\n".encode("cp1252")}, "notes.txt: not UTF-8 text"),
    ({"notes.txt": b"Title\n\nIntro only.\n\n* * * *\n"}, "notes.txt: the text has no body paragraphs"),
    ({"notes.txt": b""}, "notes.txt: the file is empty"),
    ({"notes.txt": b"Title\n\n* * *\n\nBody.\n", "notes.toml": b"date = 1956-02-30\n"}, "notes.toml"),
]


@pytest.mark.parametrize(("files", "message"), BAD_FILES)
def test_a_bad_file_is_skipped_with_one_warning_line_and_the_rest_load(
    tmp_path: Path, files: dict[str, bytes], message: str
) -> None:
    folder = tmp_path / "texts"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "good.txt").write_bytes(b"Good Text\n\nStalin spoke of the good text here.\n")
    for name, data in files.items():
        (folder / name).write_bytes(data)
    result = speechbot("texts", "--texts", str(folder), cwd=tmp_path)
    assert result.returncode == 0
    assert "`good`" in result.stdout
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize(("files", "message"), BAD_FILES)
def test_strict_stops_at_a_bad_file_with_one_line(tmp_path: Path, files: dict[str, bytes], message: str) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    result = speechbot("search", "stalin", "--texts", str(folder), "--strict", cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_bad_env_file_in_the_working_directory_exits_2_with_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN abc\nSLACK_APP_TOKEN='xapp\n", encoding="utf-8")
    result = speechbot("texts", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "speechbot: .env, line 1: write settings as NAME=value (a # starts a comment)."


def test_texts_check_reports_each_text_and_exits_0_when_clean(tmp_path: Path) -> None:
    folder = tmp_path / "reader"
    (folder / "unit1").mkdir(parents=True)
    (folder / "unit1" / "gettysburg.txt").write_text(
        "Four score and seven years ago. A new nation.\n\nNow we are engaged.\n", encoding="utf-8"
    )
    (folder / "metadata.csv").write_text(
        "filename,title,author,date\ngettysburg.txt,The Gettysburg Address,Abraham Lincoln,1863-11-19\n",
        encoding="utf-8",
    )
    result = speechbot("texts", "check", str(folder), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "gettysburg · The Gettysburg Address · Abraham Lincoln · 1863-11-19 · 2 paragraphs, 3 sentences",
        "1 texts, 2 paragraphs, 0 warnings",
    ]


def test_texts_check_exits_1_and_lists_every_warning(tmp_path: Path) -> None:
    folder = tmp_path / "reader"
    folder.mkdir()
    (folder / "fellow-citizens.txt").write_text(
        "Fellow-Citizens of the Senate and House of Representatives:\n\nThe body.\n", encoding="utf-8"
    )
    (folder / "empty.txt").write_bytes(b"")
    result = speechbot("texts", "check", str(folder), cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "fellow-citizens · Fellow citizens · no speaker · no date · 2 paragraphs, 2 sentences"
    assert (
        lines[1]
        == "  warning: no title in the text or its metadata, so it is titled “Fellow citizens” after the file name"
    )
    assert lines[2].startswith("warning: skipped ") and lines[2].endswith("empty.txt: the file is empty")
    assert lines[3] == "1 texts, 2 paragraphs, 2 warnings"


def test_texts_lists_id_label_date_and_size(tmp_path: Path) -> None:
    result = speechbot("texts", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == (
        "`secret-speech`: Khrushchev 1956 · Khrushchev's Secret Speech, 1956 · 1956-02-25 (7 paragraphs)"
    )


def _reader(folder: Path) -> Path:
    from bot.core.library import Library
    from tests.core.test_library import _reader as build

    folder.mkdir()
    assert isinstance(build(folder), Library)
    return folder


def test_search_hits_name_their_text_and_filters_narrow_them(tmp_path: Path) -> None:
    folder = _reader(tmp_path / "reader")
    result = speechbot("search", "freedom", "--texts", str(folder), "--by", "Douglass", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert all(line.startswith("  Douglass 1852 §") for line in result.stdout.splitlines()[1:])
    result = speechbot("search", "freedom", "--texts", str(folder), "--from", "1863", "--to", "1863", cwd=tmp_path)
    assert "  Lincoln 1863 §1.1 (Part One) (" in result.stdout
    shared = speechbot("search", "truths about the freedom of the press", "--texts", str(folder), cwd=tmp_path)
    assert "(also in " in shared.stdout.splitlines()[1]
    data = json.loads(speechbot("search", "freedom", "--texts", str(folder), "--json", cwd=tmp_path).stdout)
    assert {hit["label"] for hit in data["hits"]} <= {"Lincoln 1861", "Lincoln 1862", "Lincoln 1863", "Douglass 1852"}


def test_an_ambiguous_document_says_so_in_one_line(tmp_path: Path) -> None:
    folder = _reader(tmp_path / "reader")
    result = speechbot("quote", "1", "--texts", str(folder), "--document", "lincoln", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("speechbot: “lincoln” is ambiguous: it matches 3 texts: `lincoln-1861`")
    assert len(result.stderr.strip().splitlines()) == 1


def test_console_hits_name_their_text(tmp_path: Path) -> None:
    folder = _reader(tmp_path / "reader")
    result = speechbot("console", "--texts", str(folder), stdin="/search freedom by:douglass\n", cwd=tmp_path)
    assert "  Douglass 1852 §" in result.stdout


def test_version_names_the_package_version(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = speechbot("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"speechbot {version('speechbot')}"


def _all_parsers(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield parser.prog, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _all_parsers(child)


def test_every_option_and_argument_has_help_text() -> None:
    from bot.cli import build_parser

    missing = [
        f"{prog}: {action.dest}"
        for prog, parser in _all_parsers(build_parser())
        for action in parser._actions
        if not action.help and not isinstance(action, argparse._SubParsersAction._ChoicesPseudoAction)
    ]
    assert missing == []
    assert "the paragraph to read" in speechbot("context", "--help").stdout
    assert "citation style" in speechbot("cite", "--help").stdout


@pytest.mark.parametrize("url", ["example.org", "http://bot.example.org", "https://", "https://x.org/?a=1", "ftp://x"])
def test_slack_manifest_refuses_a_url_that_is_not_https(tmp_path: Path, url: str) -> None:
    result = speechbot("slack", "manifest", "--url", url, cwd=tmp_path)
    assert result.returncode == 2 and "is not an https:// URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


def test_slack_manifest_describes_the_loaded_texts(tmp_path: Path) -> None:
    import yaml

    alone = yaml.safe_load(speechbot("slack", "manifest", "--url", "https://bot.example.org/", cwd=tmp_path).stdout)
    assert alone["display_information"]["description"].startswith("Quotes, searches and cites Khrushchev")
    assert alone["settings"]["interactivity"]["request_url"] == "https://bot.example.org/slack/events"
    env = {"SPEECHBOT_TEXTS": str(FIXTURE_TEXTS)}
    both = yaml.safe_load(speechbot("slack", "manifest", cwd=tmp_path, extra_env=env).stdout)
    description = both["display_information"]["description"]
    assert "2 primary sources" in description and "Gettysburg" in description and len(description) <= 140


def test_discord_invite_prints_the_server_and_the_user_install_links(tmp_path: Path) -> None:
    fake_token = base64.b64encode(b"123456789012345678").decode().rstrip("=") + ".not.a-real-token"
    result = speechbot("discord", "invite", cwd=tmp_path, extra_env={"DISCORD_TOKEN": fake_token})
    assert result.returncode == 0, result.stderr
    links = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("https://")]
    assert len(links) == 2
    server, user = (parse_qs(urlsplit(link).query) for link in links)
    assert server["client_id"] == user["client_id"] == ["123456789012345678"]
    assert server["scope"] == ["bot applications.commands"] and "integration_type" not in server
    assert user["scope"] == ["applications.commands"] and user["integration_type"] == ["1"]
    assert "not.a-real-token" not in result.stdout


NOISE_SCRIPT = """
import logging, sys
import discord
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from bot import launcher

logging.basicConfig(level=logging.INFO)
if sys.argv[1] == "quiet":
    launcher.quiet_library_noise()
discord.Client(intents=discord.Intents.none())
AsyncApp(client=AsyncWebClient(token="xoxb-not-real"), token="xoxb-not-real", signing_secret="not-real")
logging.getLogger("discord.client").error("a real discord problem")
logging.getLogger("speechbot").warning("a real speechbot warning")
"""


def test_library_start_up_noise_is_silenced_but_real_problems_show(tmp_path: Path) -> None:
    def stderr(mode: str) -> str:
        command = [sys.executable, "-c", NOISE_SCRIPT, mode]
        return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60, check=True).stderr

    loud = stderr("loud")  # the libraries as they are, so this test notices if they change their wording
    assert "PyNaCl is not installed" in loud and "davey is not installed" in loud and "will be unused" in loud
    quiet = stderr("quiet")
    assert "PyNaCl" not in quiet and "davey" not in quiet and "will be unused" not in quiet
    assert "a real discord problem" in quiet and "a real speechbot warning" in quiet


def test_data_and_cache_live_in_the_user_folders_wherever_speechbot_runs(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg-data"), "XDG_CACHE_HOME": str(tmp_path / "xdg-cache")}
    assert speechbot("search", "stalin", cwd=elsewhere, extra_env=env).returncode == 0
    assert not (elsewhere / "data").exists()
    assert list((tmp_path / "xdg-cache" / "speechbot").glob("*.pickle"))  # the index cache works from here too
    out = speechbot("texts", cwd=elsewhere, extra_env=env).stdout
    assert f"Data folder (database, console history): {tmp_path / 'xdg-data' / 'speechbot'}" in out
    assert f"Cache folder (parsed texts, safe to delete): {tmp_path / 'xdg-cache' / 'speechbot'}" in out


def test_data_dir_setting_holds_the_cache_too(tmp_path: Path) -> None:
    data = tmp_path / "mine"
    result = speechbot("texts", "--json", cwd=tmp_path, extra_env={"SPEECHBOT_DATA_DIR": str(data)})
    found = json.loads(result.stdout)
    assert (found["data_dir"], found["cache_dir"]) == (str(data), str(data / "cache"))
    assert list((data / "cache").glob("*.pickle"))


@pytest.fixture
def west_of_greenwich() -> Iterator[None]:
    """The machine's zone at UTC-5 all year (POSIX TZ), restored afterwards."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "EST+5"
    time.tzset()
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


@pytest.mark.usefixtures("west_of_greenwich")
def test_daily_at_half_past_eleven_at_night_west_of_greenwich_is_the_bots_utc_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    late = dt.datetime(2026, 3, 1, 4, 30, tzinfo=dt.UTC)
    assert late.astimezone().strftime("%Y-%m-%d %H:%M") == "2026-02-28 23:30"  # the machine's own evening
    assert main(["daily", "--json"], clock=lambda: late) == 0
    shown = json.loads(capsys.readouterr().out)
    bots = commands.daily(Library.load(), today=dt.date(2026, 3, 1))
    assert shown["date"] == "2026-03-01" and shown["ref"] == bots.quotation.ref
