"""The Slack HTTP server's /metrics page counts the slash commands it answers."""

from __future__ import annotations

import aiohttp

from bot.metrics import METRICS
from bot.slack.runner import SlackHttpServer
from tests.slack.conftest import SlackClient


def _answered() -> float:
    return METRICS.registry.get_sample_value("speechbot_commands_answered_total", {"platform": "slack"}) or 0.0


async def test_metrics_page_counts_answered_slash_commands(server: SlackHttpServer, slack: SlackClient) -> None:
    before = _answered()
    await slack.command("quote 3.2")
    await slack.command("search enemy of the peopel")
    async with aiohttp.ClientSession() as session, session.get(f"{server.url}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = await response.text()
    assert "speechbot_commands_answered_total" in text and "speechbot_daily_posts_total" in text
    assert _answered() == before + 2


async def test_an_unsigned_request_is_not_counted_as_answered(server: SlackHttpServer) -> None:
    before = _answered()
    async with aiohttp.ClientSession() as session:
        response = await session.post(f"{server.url}/slack/events", data={"command": "/speech", "text": "3.2"})
        assert response.status == 401
    assert _answered() == before
