"""The real `speechbot run`, pointed at the local stand-ins, as a child process for tests and benchmarks.

discord.py and slack-sdk read their base URLs from class attributes, so the child sets those and then calls
the CLI exactly as a user's shell would:
`python -m tests.fakes.run_against_fakes API GATEWAY SLACK_API [speechbot arguments, default: run]`.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from tests.fakes.discord_api import TOKEN as DISCORD_TOKEN
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import APP_TOKEN as SLACK_APP_TOKEN
from tests.slack.conftest import BOT_TOKEN as SLACK_BOT_TOKEN

ROOT = Path(__file__).resolve().parents[2]


async def start_speechbot_run(
    discord: FakeDiscord,
    slack: FakeSlack,
    data_dir: Path,
    output: IO[Any] | int,
    *,
    args: Sequence[str] = ("run",),
    extra_env: Mapping[str, str] | None = None,
) -> asyncio.subprocess.Process:
    """Start `speechbot run` with tokens for the stand-ins only, SQLite in `data_dir`, output to `output`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "SPEECHBOT_"))}
    env.update(extra_env or {})
    env.update(
        DISCORD_TOKEN=DISCORD_TOKEN,
        SLACK_BOT_TOKEN=SLACK_BOT_TOKEN,
        SLACK_APP_TOKEN=SLACK_APP_TOKEN,
        SPEECHBOT_DATA_DIR=str(data_dir),
        DATABASE_URL="",
    )
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.run_against_fakes",
        discord.api_base,
        discord.gateway_url,
        slack.base_url,
        *args,
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=asyncio.subprocess.STDOUT,
    )


def main(argv: list[str]) -> int:
    """In the child: point both platform libraries at loopback stand-ins, then start `speechbot run`."""
    import discord.gateway
    import discord.http
    import yarl
    from slack_sdk.web.async_client import AsyncWebClient

    discord_api, discord_gateway, slack_api, *args = argv
    discord.http.Route.BASE = discord_api
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(discord_gateway)
    AsyncWebClient.BASE_URL = slack_api

    from bot.cli import main as speechbot

    return speechbot(args or ["run"])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
