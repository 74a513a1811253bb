"""SLACK_API_URL: every Slack client the real process builds goes there, so it runs against a stand-in unpatched."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import APP_TOKEN, BOT_TOKEN
from tests.slack.test_socket_mode import slash_payload


def test_api_url_gets_its_trailing_slash_and_bad_ones_are_one_line() -> None:
    settings = load_settings({"SLACK_API_URL": " https://slack-gov.com/api "}, env_file=None)
    assert settings.slack_api_url == "https://slack-gov.com/api/"
    assert load_settings({}, env_file=None).slack_api_url is None
    for bad in ("slack-gov.com/api/", "ftp://slack.example.invalid/api/", "https://slack .com/api/"):
        with pytest.raises(ConfigError, match="SLACK_API_URL must be an http"):
            load_settings({"SLACK_API_URL": bad}, env_file=None)


def test_env_example_documents_the_setting() -> None:
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    assert "\nSLACK_API_URL=" in example


async def test_real_process_talks_only_to_the_configured_slack(fake_slack: FakeSlack, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "SPEECHBOT_"))}
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=fake_slack.base_url,
        SPEECHBOT_DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL="",
    )
    with (tmp_path / "run.log").open("w") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
        try:
            await fake_slack.wait_for_socket(seconds=30)  # auth.test and apps.connections.open came here
            quote = await fake_slack.send_envelope("slash_commands", slash_payload(fake_slack, "quote 3.2"))
            assert "This term automatically rendered" in str((await fake_slack.wait_for_ack(quote, 15))["payload"])

            # The daily deliverer is a client of its own: `daily now` makes it post through the same URL.
            for step, text in enumerate(("daily setup 08:30 Europe/Berlin", "daily now"), 1):
                await fake_slack.send_envelope("slash_commands", slash_payload(fake_slack, text))
                await fake_slack.wait_for("response_url", step, seconds=15)
            (post,) = await fake_slack.wait_for("chat.postMessage", seconds=15)
            assert post.token == BOT_TOKEN
            assert "Posted today's passage" in str(fake_slack.responses[-1])
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()
    methods = {call.method for call in fake_slack.calls}
    assert {"auth.test", "apps.connections.open", "conversations.info", "chat.postMessage"} <= methods
