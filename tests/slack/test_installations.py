"""slack-sdk's installation and state store interfaces answered from our store, as slack-bolt calls them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.slack.installations import DatabaseInstallationStore, DatabaseOAuthStateStore
from bot.store import Store, open_store
from tests.clocks import HandClock

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
BOT_TOKEN = "xoxb-fake-installed-token-not-real"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(None, tmp_path)
    yield opened
    opened.close()


def installation(**changes: object) -> Installation:
    fields: dict[str, object] = {
        "app_id": "A0FAKEAPP",
        "team_id": "T0FAKETEAM",
        "team_name": "Fake Team",
        "bot_token": BOT_TOKEN,
        "bot_id": "B0FAKEBOT",
        "bot_user_id": "U0FAKEBOT",
        "bot_scopes": "commands,chat:write",
        "user_id": "U0INSTALLER",
        "installed_at": NOW.timestamp(),
    }
    return Installation(**{**fields, **changes})  # type: ignore[arg-type]


async def test_saved_installation_is_found_for_bolts_authorize(store: Store) -> None:
    installations = DatabaseInstallationStore(store)
    await installations.async_save(installation())
    found = await installations.async_find_installation(enterprise_id=None, team_id="T0FAKETEAM")
    assert found is not None
    assert (found.bot_token, found.bot_id, found.user_id) == (BOT_TOKEN, "B0FAKEBOT", "U0INSTALLER")
    assert found.bot_scopes == ["commands", "chat:write"]
    assert found.installed_at == NOW.timestamp()
    bot = await installations.async_find_bot(enterprise_id=None, team_id="T0FAKETEAM")
    assert bot is not None and bot.bot_token == BOT_TOKEN and bot.bot_user_id == "U0FAKEBOT"


async def test_another_users_installation_is_none_because_no_user_tokens_are_kept(store: Store) -> None:
    installations = DatabaseInstallationStore(store)
    await installations.async_save(installation(user_token="xoxp-fake-user-token-not-real"))
    other = await installations.async_find_installation(enterprise_id=None, team_id="T0FAKETEAM", user_id="U0OTHER")
    assert other is None
    mine = await installations.async_find_installation(enterprise_id=None, team_id="T0FAKETEAM", user_id="U0INSTALLER")
    assert mine is not None and mine.user_token is None


async def test_org_wide_install_answers_requests_from_any_workspace_of_the_org(store: Store) -> None:
    installations = DatabaseInstallationStore(store)
    await installations.async_save(
        installation(team_id=None, team_name=None, enterprise_id="E0FAKEORG", is_enterprise_install=True)
    )
    bot = await installations.async_find_bot(enterprise_id="E0FAKEORG", team_id="T0ANYTEAM", is_enterprise_install=True)
    assert bot is not None and bot.is_enterprise_install and bot.bot_token == BOT_TOKEN
    assert await installations.async_find_bot(enterprise_id="E0FAKEORG", team_id="T0ANYTEAM") is None


async def test_uninstall_forgets_the_workspace_but_one_users_revoked_token_does_not(store: Store) -> None:
    installations = DatabaseInstallationStore(store)
    await installations.async_save(installation())
    await installations.async_delete_installation(enterprise_id=None, team_id="T0FAKETEAM", user_id="U0INSTALLER")
    assert await installations.async_find_bot(enterprise_id=None, team_id="T0FAKETEAM") is not None
    await installations.async_delete_all(enterprise_id=None, team_id="T0FAKETEAM")
    assert await installations.async_find_bot(enterprise_id=None, team_id="T0FAKETEAM") is None


async def test_saving_a_bot_keeps_the_installer_on_record(store: Store) -> None:
    installations = DatabaseInstallationStore(store)
    await installations.async_save(installation())
    rotated = Bot(
        team_id="T0FAKETEAM",
        bot_token="xoxb-fake-rotated-token-not-real",
        bot_id="B0FAKEBOT",
        bot_user_id="U0FAKEBOT",
        bot_refresh_token="xoxe-fake-refresh-not-real",
        bot_token_expires_at=int((NOW + timedelta(hours=12)).timestamp()),
        installed_at=NOW.timestamp(),
    )
    await installations.async_save_bot(rotated)
    found = await installations.async_find_installation(enterprise_id=None, team_id="T0FAKETEAM")
    assert found is not None and found.user_id == "U0INSTALLER"
    assert (found.bot_token, found.bot_refresh_token) == (
        "xoxb-fake-rotated-token-not-real",
        "xoxe-fake-refresh-not-real",
    )
    assert found.bot_token_expires_at == int((NOW + timedelta(hours=12)).timestamp())


async def test_installation_without_a_bot_token_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="without a bot token"):
        await DatabaseInstallationStore(store).async_save(installation(bot_token=None))


async def test_state_is_good_once_and_only_until_it_expires(store: Store) -> None:
    clock = HandClock(NOW)
    states = DatabaseOAuthStateStore(store, expiration_seconds=600, now=clock)
    first, second = await states.async_issue(), await states.async_issue()
    assert first != second and len(first) >= 32
    assert await states.async_consume(first)
    assert not await states.async_consume(first)
    clock.now = NOW + timedelta(seconds=600)
    assert not await states.async_consume(second)
    assert not await states.async_consume("forged")
