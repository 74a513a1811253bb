"""Message shortcuts as Slack sends them: a signed `message_action` payload naming the message it was used on."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from bot.slack.texts import ADD_TEXT_SHORTCUT
from tests.fakes.slack_api import FAKE_TEAM_ID, FakeSlack

MESSAGE_TS = "1700000100.000200"


def message_shortcut_payload(
    fake: FakeSlack,
    files: list[dict[str, Any]],
    *,
    callback_id: str = ADD_TEXT_SHORTCUT,
    team: str = FAKE_TEAM_ID,
    user: str = "U0FAKEUSER",
    channel: str = "C0FAKECHAN",
    key: str = "shortcut",
    text: str = "Tonight's reading is attached.",
) -> str:
    """A message shortcut used on a message that carries `files` (Slack's file objects), as Slack sends it."""
    message: dict[str, Any] = {
        "type": "message",
        "user": "U0UPLOADER",
        "ts": MESSAGE_TS,
        "text": text,
        "team": team,
        "client_msg_id": "00000000-0000-4000-8000-000000000001",
    }
    if files:
        message |= {"files": files, "upload": True, "display_as_bot": False}
    return {
        "type": "message_action",
        "token": "fake-verification-token",
        "action_ts": "1700000200.000300",
        "team": {"id": team, "domain": "fake"},
        "user": {"id": user, "username": "teacher", "name": "teacher", "team_id": team},
        "channel": {"id": channel, "name": "general"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": f"1234.5678.fake-{key}",
        "response_url": fake.response_url(key),
        "message_ts": MESSAGE_TS,
        "message": message,
    }


def message_shortcut_body(fake: FakeSlack, files: list[dict[str, Any]], **fields: str) -> str:
    """The form body Slack posts for a message shortcut over HTTP (sign it with SlackClient.post)."""
    return urlencode({"payload": json.dumps(message_shortcut_payload(fake, files, **fields))})
