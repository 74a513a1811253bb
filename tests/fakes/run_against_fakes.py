"""Run the real `speechbot run` pointed at the local stand-ins: `python -m tests.fakes.run_against_fakes API GW SLACK`.

discord.py and slack-sdk read their base URLs from class attributes, so the child process sets those and
then calls the CLI exactly as a user's shell would.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    """Point both platform libraries at loopback stand-ins, then start `speechbot run`."""
    import discord.gateway
    import discord.http
    import yarl
    from slack_sdk.web.async_client import AsyncWebClient

    discord_api, discord_gateway, slack_api = argv
    discord.http.Route.BASE = discord_api
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(discord_gateway)
    AsyncWebClient.BASE_URL = slack_api

    from bot.cli import main as speechbot

    return speechbot(["run"])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
