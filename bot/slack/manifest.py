"""The Slack app manifest, so creating the app is one paste into api.slack.com/apps."""

from __future__ import annotations

import json

from bot.config import DEFAULT_SLACK_COMMAND
from bot.slack.config import BOT_SCOPES, check_command_name
from bot.slack.texts import ADD_TEXT_DESCRIPTION, ADD_TEXT_NAME, ADD_TEXT_SHORTCUT

DESCRIPTION = "Quotes, searches and cites Khrushchev's Secret Speech (1956) by paragraph and sentence."
# Removal events, so an uninstalled workspace's token is forgotten and its daily posts paused; they need no scope.
BOT_EVENTS = ("app_uninstalled", "tokens_revoked")
USAGE_HINT = (
    "3.2 | search <words> | context <ref> | daily | cite <ref> [mla|apa|chicago] | quiz | concordance <word> | "
    "text list | help"
)


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def manifest(
    command_name: str = DEFAULT_SLACK_COMMAND, http_url: str | None = None, description: str = DESCRIPTION
) -> str:
    """YAML manifest: Socket Mode without a URL, otherwise HTTP mode with OAuth pointing at http_url."""
    command = check_command_name(command_name)
    base = http_url.rstrip("/") if http_url else None
    lines = [
        "_metadata:",
        "  major_version: 1",
        "  minor_version: 1",
        "display_information:",
        "  name: Speechbot",
        "  description: " + _q(description),
        '  background_color: "#6b1d1d"',
        "features:",
        "  bot_user:",
        "    display_name: speechbot",
        "    always_online: false",
        "  slash_commands:",
        f"    - command: {_q(command)}",
        "      description: " + _q("Quote, search or cite the speech"),
        f"      usage_hint: {_q(USAGE_HINT)}",
        "      should_escape: false",
    ]
    if base:
        lines.append(f"      url: {_q(base + '/slack/events')}")
    lines += [
        "  shortcuts:",  # a message's menu: add the file it carries to the workspace's texts
        f"    - name: {_q(ADD_TEXT_NAME)}",
        "      type: message",
        f"      callback_id: {_q(ADD_TEXT_SHORTCUT)}",
        f"      description: {_q(ADD_TEXT_DESCRIPTION)}",
    ]
    lines += ["oauth_config:"]
    if base:
        lines += ["  redirect_urls:", f"    - {_q(base + '/slack/oauth_redirect')}"]
    lines += ["  scopes:", "    bot:", *(f"      - {_q(scope)}" for scope in BOT_SCOPES)]
    lines += ["settings:", "  event_subscriptions:"]
    if base:
        lines.append(f"    request_url: {_q(base + '/slack/events')}")
    lines += ["    bot_events:", *(f"      - {_q(event)}" for event in BOT_EVENTS)]
    lines += ["  interactivity:", "    is_enabled: true"]
    if base:
        lines.append(f"    request_url: {_q(base + '/slack/events')}")
    lines += [
        "  org_deploy_enabled: false",
        f"  socket_mode_enabled: {'false' if base else 'true'}",
        "  token_rotation_enabled: false",
    ]
    return "\n".join(lines) + "\n"
