"""A workspace's own texts on Slack: the "Add this file" message shortcut and `/speech text …`."""

from __future__ import annotations

ADD_TEXT_SHORTCUT = "speechbot_add_text"
ADD_TEXT_NAME = "Add this file to speechbot"
ADD_TEXT_DESCRIPTION = "Add the message's .txt or .md file to this workspace's texts"
