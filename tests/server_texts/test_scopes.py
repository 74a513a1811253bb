"""The scopes an operator types: a Discord server's number or a Slack team id, and nothing else."""

from __future__ import annotations

import pytest

from bot.server_texts import parse_scope, scope_of


@pytest.mark.parametrize(
    ("typed", "scope"),
    [
        ("discord:123", "discord:123"),
        (" discord:81384788765712384 ", "discord:81384788765712384"),
        ("slack:T0123ABCD", "slack:T0123ABCD"),
        ("slack:t0123abcd", "slack:T0123ABCD"),  # Slack's ids are upper case; a lower-case copy means the same team
    ],
)
def test_a_well_formed_scope_is_read_as_the_platform_keys_it(typed: str, scope: str) -> None:
    assert parse_scope(typed) == scope


@pytest.mark.parametrize(
    "typed",
    ["discord:", "discord:abc", "discord:12a", "teams:1", "slack:", "slack:T-1", "discord:1;DROP", "discord:1 2", ""],
)
def test_a_malformed_scope_says_how_to_write_one(typed: str) -> None:
    with pytest.raises(ValueError, match="discord:GUILD_ID or slack:TEAM_ID"):
        parse_scope(typed)


def test_a_typed_scope_is_the_one_chat_commands_use() -> None:
    assert parse_scope("discord:900") == scope_of("discord", "900")
