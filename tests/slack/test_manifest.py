"""The manifest carries what adding a workspace's own texts needs: the message shortcut and files:read."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bot.slack import manifest
from bot.slack.texts import ADD_TEXT_SHORTCUT


@pytest.mark.parametrize("http_url", [None, "https://bot.example.invalid"])
def test_manifest_offers_the_add_file_message_shortcut(http_url: str | None) -> None:
    parsed: dict[str, Any] = yaml.safe_load(manifest("/speech", http_url=http_url))
    shortcuts = parsed["features"]["shortcuts"]
    assert shortcuts == [
        {
            "name": "Add file to speechbot",
            "type": "message",
            "callback_id": ADD_TEXT_SHORTCUT,
            "description": "Add the message's .txt or .md file to this workspace's texts",
        }
    ]
    assert len(shortcuts[0]["name"]) <= 24  # Slack refuses longer shortcut names
    assert parsed["settings"]["interactivity"]["is_enabled"] is True  # shortcuts arrive as interactivity


def test_manifest_asks_to_read_files_for_the_shortcut_download() -> None:
    parsed: dict[str, Any] = yaml.safe_load(manifest("/speech"))
    scopes = parsed["oauth_config"]["scopes"]["bot"]
    assert "files:read" in scopes
    assert len(scopes) == len(set(scopes))


def test_usage_hint_mentions_the_text_subcommands() -> None:
    parsed: dict[str, Any] = yaml.safe_load(manifest("/speech"))
    assert "text list" in parsed["features"]["slash_commands"][0]["usage_hint"]
