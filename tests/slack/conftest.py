"""Fixtures: the fake Slack, our real HTTP-mode server on loopback, and signed requests to it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.core import Library
from bot.slack.runner import SlackHttpServer, start_slack_http
from tests.fakes.slack_api import FakeSlack

SIGNING_SECRET = "fake-signing-secret-not-real"
BOT_TOKEN = "xoxb-fake-bot-token-not-real"
APP_TOKEN = "xapp-fake-app-token-not-real"
TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="session")
def library() -> Library:
    return Library.load()


LONG_TEXT_ID = "long-lecture"
LONG_PARAGRAPHS, LONG_SENTENCES = 30, 60  # about 190,000 characters: many Slack messages' worth
LINK_WORDS = "The minutes are at https://example.invalid/minutes and were read out in #general by @here."


def long_marker(paragraph: int, sentence: int) -> str:
    """The unique word that opens one sentence of the long text, to check none is lost or repeated."""
    return f"Marker-p{paragraph}s{sentence}"


def write_long_text(folder: Path) -> Path:
    """A synthetic lecture loaded through the library's own texts option, far longer than one message."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{LONG_TEXT_ID}.toml").write_text(
        f'id = "{LONG_TEXT_ID}"\ntitle = "A Very Long Lecture"\nspeaker = "Test Speaker"\n'
        'speaker_family = "Speaker"\nspeaker_given = "Test"\ndate = 1900-01-01\n'
    )
    paragraphs = [
        " ".join(
            f"{long_marker(p, s)} is sentence {s} of paragraph {p}, and it runs on to fill the page with words."
            for s in range(1, LONG_SENTENCES + 1)
        )
        for p in range(1, LONG_PARAGRAPHS + 1)
    ]
    body = "\n\n".join([*paragraphs, LINK_WORDS])
    (folder / f"{LONG_TEXT_ID}.md").write_text(f"# A Very Long Lecture\n\n{body}\n")
    return folder


@pytest.fixture(scope="session")
def long_library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """The seed plus the long synthetic lecture."""
    return Library.load([write_long_text(tmp_path_factory.mktemp("texts"))])


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def server(library: Library, fake_slack: FakeSlack) -> AsyncIterator[SlackHttpServer]:
    running = await start_slack_http(
        library,
        signing_secret=SIGNING_SECRET,
        bot_token=BOT_TOKEN,
        host="127.0.0.1",
        port=0,
        client_base_url=fake_slack.base_url,
        today=lambda: TODAY,
    )
    yield running
    await running.close()


class SlackClient:
    """Sends what Slack would send to our server: signed slash commands and button presses."""

    def __init__(self, session: aiohttp.ClientSession, server: SlackHttpServer, fake: FakeSlack) -> None:
        self.session = session
        self.url = f"{server.url}/slack/events"
        self.fake = fake

    def slash_body(
        self,
        text: str,
        *,
        key: str = "cmd",
        command: str = "/speech",
        user: str = "U0FAKEUSER",
        channel: str = "C0FAKECHAN",
    ) -> str:
        return urlencode(
            {
                "token": "fake-verification-token",
                "team_id": "T0FAKETEAM",
                "team_domain": "fake",
                "channel_id": channel,
                "channel_name": "general",
                "user_id": user,
                "user_name": "student",
                "command": command,
                "text": text,
                "api_app_id": "A0FAKEAPP",
                "response_url": self.fake.response_url(key),
                "trigger_id": f"1234.5678.fake-{key}",
            }
        )

    def action_body(
        self,
        action_id: str,
        value: str,
        *,
        key: str = "action",
        message_ts: str = "1700000000.000001",
        user: str = "U0FAKEUSER",
    ) -> str:
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": "T0FAKETEAM", "domain": "fake"},
            "user": {"id": user, "username": f"student-{user[-4:].lower()}", "team_id": "T0FAKETEAM"},
            "api_app_id": "A0FAKEAPP",
            "token": "fake-verification-token",
            "container": {"type": "message", "message_ts": message_ts, "is_ephemeral": True},
            "trigger_id": f"1234.5678.fake-{key}",
            "channel": {"id": "C0FAKECHAN", "name": "general"},
            "response_url": self.fake.response_url(key),
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "fake-block",
                    "value": value,
                    "action_ts": "1700000001.000001",
                }
            ],
        }
        return urlencode({"payload": json.dumps(payload)})

    async def post(
        self,
        body: str,
        *,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
        sent = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": f"v0={digest}",
            **(headers or {}),
        }
        async with self.session.post(self.url, data=body.encode(), headers=sent) as response:
            return response.status, await response.text()

    async def event(self, event: dict[str, Any], *, team: str = "T0FAKETEAM", **headers: str) -> tuple[int, str]:
        """Deliver an Events API callback as Slack signs and sends it."""
        body = {
            "token": "fake-verification-token",
            "team_id": team,
            "api_app_id": "A0FAKEAPP",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev0FAKE{len(self.fake.calls)}",
            "event_time": 1700000000,
            "authorizations": [{"team_id": team, "user_id": "U0FAKEBOT", "is_bot": True, "enterprise_id": None}],
        }
        return await self.post(json.dumps(body), headers={"Content-Type": "application/json", **headers})

    async def command(self, text: str, *, key: str = "cmd", **fields: str) -> dict[str, Any]:
        """Run `/speech text` and return the answer: in the ack's body, or sent to response_url after an empty ack."""
        before = len(self.fake.calls_to("response_url"))
        status, body = await self.post(self.slash_body(text, key=key, **fields))
        assert status == 200
        if body:
            answer: dict[str, Any] = json.loads(body)
            return answer
        calls = await self.fake.wait_for("response_url", before + 1)
        return calls[before].args


@pytest.fixture
async def slack(server: SlackHttpServer, fake_slack: FakeSlack) -> AsyncIterator[SlackClient]:
    async with aiohttp.ClientSession() as session:
        yield SlackClient(session, server, fake_slack)


def all_text(message: dict[str, Any]) -> str:
    """Every mrkdwn string in a message's blocks, joined, for assertions."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.get("blocks", []))
    return "\n".join(found)
