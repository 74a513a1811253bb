"""Which library a server, workspace or DM reads: a scope names the server whose own texts it adds."""

from __future__ import annotations

import re

PLATFORMS = ("discord", "slack")
# A Discord server is a number (a snowflake); a Slack team id is letters and digits, upper case.
_SCOPE = re.compile(r"discord:([0-9]{1,20})|slack:([A-Za-z0-9]{1,40})")


def scope_of(platform: str, workspace_id: str | None) -> str | None:
    """`discord:<guild id>` / `slack:<team id>`; None for DMs and user installs (they see global texts only)."""
    if not workspace_id or platform not in PLATFORMS:
        return None
    return f"{platform}:{workspace_id}"


def parse_scope(text: str) -> str:
    """A scope typed by an operator (`discord:GUILD_ID`, `slack:TEAM_ID`); a ValueError says how to write one."""
    found = _SCOPE.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"--server takes discord:GUILD_ID or slack:TEAM_ID, not {text!r}")
    guild, team = found.groups()
    return f"discord:{guild}" if guild is not None else f"slack:{team.upper()}"


def workspace_of(scope: str) -> tuple[str, str]:
    """(platform, workspace id) of a scope, as daily subscriptions are keyed."""
    platform, _, workspace = scope.partition(":")
    return platform, workspace
