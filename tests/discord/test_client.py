"""Start-up against the fake Discord: command sync by hash, tokens, sharding, the CLI entry points."""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import socket
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import discord
import pytest
from discord import app_commands

from bot import launcher
from bot.config import ConfigError, Settings
from bot.core.library import Library
from bot.discord import DiscordStartError, build_bot, invite_url, run_discord, sync_commands
from bot.discord.client import HASH_FILE, AnyBot, ShardedSpeechBot, SpeechBot
from tests.discord.conftest import Starter
from tests.fakes.discord_api import APP_ID, GUILD_ID, TOKEN, FakeDiscord

GLOBAL_SYNC = f"/applications/{APP_ID}/commands"
READING = {"quote", "search", "context", "daily", "cite", "about", "help"}
STUDY = {"quiz", "quiz-scores", "concordance", "trend", "card"}
MANAGERS_ONLY = {"quiz-reset"}  # a server's scoreboard: servers only, Manage Server by default
COMMANDS = READING | STUDY | MANAGERS_ONLY


def global_syncs(fake: FakeDiscord) -> list[list[dict[str, object]]]:
    """The bodies of every bulk-overwrite of the global commands."""
    return [r.body for r in fake.of("PUT", GLOBAL_SYNC)]


def add_extra_command(bot: AnyBot) -> None:
    """Change the command tree the way a new release would."""

    async def extra(interaction: discord.Interaction) -> None:
        """A command added in a later version."""

    bot.tree.add_command(app_commands.Command(name="extra", description="A later command", callback=extra))


async def test_first_start_syncs_commands_for_guild_and_user_installs(bot: AnyBot, fake: FakeDiscord) -> None:
    [payload] = global_syncs(fake)
    assert {c["name"] for c in payload} == COMMANDS
    for command in payload:
        assert command["integration_types"] == [0, 1]  # guild install and user install
        everywhere = [0] if command["name"] in MANAGERS_ONLY else [0, 1, 2]  # guilds, bot DMs, private channels
        assert sorted(command["contexts"]) == everywhere
        assert command["description"]
        assert all(option["description"] for option in command.get("options", []))
    search = next(c for c in payload if c["name"] == "search")
    query = next(o for o in search["options"] if o["name"] == "query")
    assert query["autocomplete"] is True and query["required"] is True
    cite = next(c for c in payload if c["name"] == "cite")
    style = next(o for o in cite["options"] if o["name"] == "style")
    assert [c["value"] for c in style["choices"]] == ["mla", "apa", "chicago"]


async def test_second_start_with_same_tree_does_not_sync(
    start_bot: Starter, fake: FakeDiscord, library: Library, tmp_path: Path
) -> None:
    first = await start_bot(library)
    await first.close()
    await start_bot(library)
    assert len(global_syncs(fake)) == 1
    hashes = json.loads((tmp_path / "data" / HASH_FILE).read_text())
    assert list(hashes) == [f"{APP_ID}/global"]


async def test_changed_tree_syncs_again(start_bot: Starter, fake: FakeDiscord, library: Library) -> None:
    first = await start_bot(library)
    await first.close()
    await start_bot(library, prepare=add_extra_command)
    syncs = global_syncs(fake)
    assert len(syncs) == 2
    assert {c["name"] for c in syncs[1]} == COMMANDS | {"extra"}


async def test_rejected_sync_does_not_stop_the_bot_and_is_retried_next_start(
    start_bot: Starter, fake: FakeDiscord, library: Library, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake.reject_sync = True
    first = await start_bot(library)
    rec = await fake.interact(fake.command("quote", {"ref": "5"}))
    assert rec.body["data"]["embeds"][0]["title"].startswith("§5 ·")
    assert "Could not sync Discord commands (HTTP 400)" in caplog.text
    assert not (tmp_path / "data" / HASH_FILE).exists()
    await first.close()
    fake.reject_sync = False
    await start_bot(library)
    assert len(global_syncs(fake)) == 2


DAILY = {"daily-setup", "daily-stop", "daily-status", "daily-preview", "daily-post-now"}
SERVER_TEXTS = {"text"}  # the /text group: like the daily commands, there when the process has a database
GUILD_SYNC = f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"


async def run_until_synced(fake: FakeDiscord, library: Library, data_dir: Path) -> None:
    """`speechbot run` (Discord only) until it has started and checked its commands, then stopped."""
    settings = Settings(discord_token=TOKEN, data_dir=data_dir)
    identified = len(fake.identifies)
    task = asyncio.create_task(
        launcher._serve(settings, library, launcher.Plan(discord=True, daily=frozenset({"discord"})))
    )
    try:
        await fake.wait_identifies(identified + 1, timeout=15)  # commands are checked before the gateway
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_sync_publishes_exactly_the_tree_that_run_publishes(
    fake: FakeDiscord, library: Library, tmp_path: Path
) -> None:
    settings = Settings(discord_token=TOKEN, data_dir=tmp_path / "sync")
    line = await launcher.discord_sync(settings, library, guild_id=None)  # what `speechbot discord sync` runs
    [from_sync] = global_syncs(fake)
    await run_until_synced(fake, library, tmp_path / "run")
    [_, from_run] = global_syncs(fake)
    assert from_sync == from_run
    assert {c["name"] for c in from_sync} == COMMANDS | DAILY | SERVER_TEXTS
    assert line == f"Published {len(COMMANDS | DAILY | SERVER_TEXTS)} commands globally."
    [group] = [c for c in from_sync if c["name"] == "text"]
    assert (group["default_member_permissions"], group["contexts"], group["integration_types"]) == (32, [0], [0])
    assert {o["name"] for o in group["options"]} == {"add", "list", "remove", "default", "hide-bundled", "show-bundled"}
    await run_until_synced(fake, library, tmp_path / "sync")  # after a sync, run finds nothing to change
    assert len(global_syncs(fake)) == 2


async def test_guild_sync_copies_the_tree_for_testing_and_clear_removes_the_copies(
    fake: FakeDiscord, library: Library, tmp_path: Path
) -> None:
    settings = Settings(discord_token=TOKEN, data_dir=tmp_path)
    await run_until_synced(fake, library, tmp_path)
    assert fake.listed_in_guild() == sorted(COMMANDS | DAILY | SERVER_TEXTS)
    line = await launcher.discord_sync(settings, library, guild_id=GUILD_ID)
    [upload] = fake.of("PUT", GUILD_SYNC)
    assert {c["name"] for c in upload.body} == COMMANDS | DAILY | SERVER_TEXTS
    assert len(global_syncs(fake)) == 1  # the global commands are left alone
    assert f"lists each command twice until `speechbot discord sync --guild {GUILD_ID} --clear`" in line
    line = await launcher.discord_sync(settings, library, guild_id=GUILD_ID, clear=True)
    assert line == f"Removed the test copies of the commands from server {GUILD_ID}; the global commands stay."
    assert fake.of("PUT", GUILD_SYNC)[-1].body == []
    assert fake.listed_in_guild() == sorted(COMMANDS | DAILY | SERVER_TEXTS)  # each command once
    assert f"{APP_ID}/guild/{GUILD_ID}" not in json.loads((tmp_path / HASH_FILE).read_text())


async def test_guild_sync_before_any_global_sync_shows_each_command_once(
    fake: FakeDiscord, library: Library, tmp_path: Path
) -> None:
    settings = Settings(discord_token=TOKEN, data_dir=tmp_path)
    line = await launcher.discord_sync(settings, library, guild_id=GUILD_ID)
    assert line.endswith("for testing (they work there at once).")
    assert fake.listed_in_guild() == sorted(COMMANDS | DAILY | SERVER_TEXTS)


async def test_run_removes_the_test_copies_a_guild_sync_left(
    fake: FakeDiscord, library: Library, tmp_path: Path
) -> None:
    settings = Settings(discord_token=TOKEN, data_dir=tmp_path)
    await launcher.discord_sync(settings, library, guild_id=GUILD_ID)
    await run_until_synced(fake, library, tmp_path)
    assert fake.listed_in_guild() == sorted(COMMANDS | DAILY | SERVER_TEXTS)  # global once, the copies gone
    assert list(json.loads((tmp_path / HASH_FILE).read_text())) == [f"{APP_ID}/global"]
    await run_until_synced(fake, library, tmp_path)  # nothing left to remove on the next start
    assert len(fake.of("PUT", GUILD_SYNC)) == 2


async def test_run_forgets_test_copies_in_a_server_it_has_left(
    fake: FakeDiscord, library: Library, tmp_path: Path
) -> None:
    gone = GUILD_ID + 7
    (tmp_path / HASH_FILE).write_text(json.dumps({f"{APP_ID}/guild/{gone}": "0"}))
    fake.forbidden_guilds.add(gone)
    await run_until_synced(fake, library, tmp_path)
    assert list(json.loads((tmp_path / HASH_FILE).read_text())) == [f"{APP_ID}/global"]


async def test_guild_sync_to_a_server_without_the_bot_is_one_line(
    fake: FakeDiscord, library: Library, tmp_path: Path
) -> None:
    fake.forbidden_guilds.add(GUILD_ID + 7)
    settings = Settings(discord_token=TOKEN, data_dir=tmp_path)
    with pytest.raises(DiscordStartError, match=r"^Discord refused: is the bot in that server") as caught:
        await launcher.discord_sync(settings, library, guild_id=GUILD_ID + 7)
    assert caught.value.__suppress_context__


def test_clear_without_a_guild_is_one_line(library: Library, tmp_path: Path) -> None:
    args = argparse.Namespace(command="discord", discord_command="sync", guild=None, clear=True)
    settings = Settings(discord_token=TOKEN, data_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"^--clear needs --guild ID"):
        launcher._discord_task(args, settings, lambda: library)


async def test_sync_commands_on_demand_always_uploads(fake: FakeDiscord, library: Library, tmp_path: Path) -> None:
    for _ in range(2):
        report = await sync_commands(library, token=TOKEN, data_dir=tmp_path, daily=None)
        assert report.published == len(COMMANDS)
    assert len(global_syncs(fake)) == 2


async def test_rejected_token_is_one_clear_line(fake: FakeDiscord, library: Library, tmp_path: Path) -> None:
    with pytest.raises(DiscordStartError) as caught:
        await run_discord(library, token="wrong-test-token", data_dir=tmp_path)
    assert str(caught.value) == "Discord rejected DISCORD_TOKEN; copy the bot token again from the Developer Portal."
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


async def test_unreachable_discord_is_one_clear_line(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
    with pytest.raises(DiscordStartError, match=r"^Could not reach Discord to log in \(\w+\)\.$"):
        await run_discord(library, token=TOKEN, data_dir=tmp_path)


async def test_missing_token_is_one_clear_line(library: Library, tmp_path: Path) -> None:
    with pytest.raises(DiscordStartError, match="DISCORD_TOKEN is not set"):
        await run_discord(library, token="  ", data_dir=tmp_path)


async def test_run_discord_with_settings_answers_until_cancelled(
    fake: FakeDiscord, library: Library, tmp_path: Path
) -> None:
    settings = Settings(discord_token=TOKEN, data_dir=tmp_path)  # how `speechbot run` calls it
    task = asyncio.create_task(run_discord(library, settings=settings, guild_ready_timeout=0.01))
    await fake.wait_connected()
    rec = await fake.interact(fake.command("quote", {"ref": "2.1"}))
    assert rec.body["data"]["embeds"][0]["title"].startswith("§2.1 ·")
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert len(global_syncs(fake)) == 1


async def test_shards_split_across_connections(start_bot: Starter, fake: FakeDiscord, library: Library) -> None:
    fake.shards = 2
    bot = await start_bot(library, shard_ids=[0, 1], shard_count=2)
    assert isinstance(bot, ShardedSpeechBot)
    assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
    for shard in (0, 1):
        rec = await fake.interact(fake.command("quote", {"ref": "6"}), shard=shard)
        assert rec.body["data"]["embeds"][0]["title"].startswith("§6 ·")


def test_build_bot_is_unsharded_by_default_and_pings_nobody(library: Library, tmp_path: Path) -> None:
    bot = build_bot(library, data_dir=tmp_path)
    assert isinstance(bot, SpeechBot)
    assert bot.allowed_mentions is not None and bot.allowed_mentions.to_dict() == {"parse": []}
    assert not bot.intents.message_content and not bot.intents.members
    with pytest.raises(DiscordStartError):
        build_bot(library, data_dir=tmp_path, shard_ids=[0])


def test_invite_url_has_both_scopes_and_only_needed_permissions() -> None:
    url = urlparse(invite_url(APP_ID))
    query = parse_qs(url.query)
    assert url.netloc == "discord.com" and url.path == "/oauth2/authorize"
    assert query["client_id"] == [str(APP_ID)]
    assert query["scope"] == ["bot applications.commands"]
    permissions = discord.Permissions(int(query["permissions"][0]))
    assert permissions == discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        embed_links=True,
        read_message_history=True,
    )
    assert not permissions.administrator and not permissions.mention_everyone


def test_invite_url_from_settings_reads_the_id_in_the_token() -> None:
    head = base64.urlsafe_b64encode(str(APP_ID).encode()).decode().rstrip("=")
    settings = Settings(discord_token=f"{head}.fake.test-token-not-real")
    assert invite_url(settings) == invite_url(APP_ID)
    with pytest.raises(DiscordStartError, match="does not look like a bot token"):
        invite_url(Settings(discord_token="test-token"))
    assert isinstance(DiscordStartError("x"), ConfigError)  # the CLI prints ConfigErrors as one line


@pytest.mark.parametrize(
    ("code", "line"),
    [
        (4004, "Discord rejected DISCORD_TOKEN; copy the bot token again from the Developer Portal."),
        (4011, "Discord now requires this bot to be sharded; set DISCORD_SHARD_COUNT or --shard-count."),
        (4010, "Discord refused the shard settings; check --shard-ids and --shard-count."),
    ],
)
async def test_gateway_closing_for_good_is_one_clear_line(
    fake: FakeDiscord, library: Library, tmp_path: Path, code: int, line: str
) -> None:
    fake.close_on_identify = code
    settings = Settings(discord_token=TOKEN, data_dir=tmp_path)
    with pytest.raises(DiscordStartError) as caught:
        await asyncio.wait_for(run_discord(library, settings=settings, guild_ready_timeout=0.01), 10)
    assert str(caught.value) == line
    assert caught.value.__suppress_context__
