"""Slack OAuth installations and states in our store, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.store import SlackInstallation, Store, open_store

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
TEN_MINUTES = timedelta(minutes=10)


def installation(team_id: str | None = "T0FAKETEAM", **changes: object) -> SlackInstallation:
    base = SlackInstallation(
        team_id=team_id,
        enterprise_id=None,
        bot_token="xoxb-fake-installed-token-not-real",
        installed_at=NOW,
        app_id="A0FAKEAPP",
        team_name="Fake Team",
        bot_id="B0FAKEBOT",
        bot_user_id="U0FAKEBOT",
        bot_scopes=("commands", "chat:write"),
        installed_by="U0INSTALLER",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_saved_installation_comes_back_field_for_field(store: Store) -> None:
    saved = installation(
        bot_refresh_token="xoxe-fake-refresh-not-real",
        bot_token_expires_at=NOW + timedelta(hours=12),
        enterprise_url="https://fake.example.invalid/",
    )
    store.save_slack_installation(saved)
    assert store.slack_installation(team_id="T0FAKETEAM", enterprise_id=None) == saved


def test_installing_again_replaces_the_workspace_token_and_keeps_one_row(store: Store) -> None:
    store.save_slack_installation(installation())
    later = installation(bot_token="xoxb-fake-second-token-not-real", installed_at=NOW + TEN_MINUTES)
    store.save_slack_installation(later)
    assert store.slack_installation(team_id="T0FAKETEAM", enterprise_id=None) == later
    assert store.delete_slack_installation(team_id="T0FAKETEAM", enterprise_id=None)
    assert store.slack_installation(team_id="T0FAKETEAM", enterprise_id=None) is None


def test_saving_without_an_installer_keeps_the_one_on_record(store: Store) -> None:
    store.save_slack_installation(installation())
    store.save_slack_installation(installation(installed_by=None, bot_token="xoxb-fake-rotated-not-real"))
    found = store.slack_installation(team_id="T0FAKETEAM", enterprise_id=None)
    assert found is not None
    assert (found.bot_token, found.installed_by) == ("xoxb-fake-rotated-not-real", "U0INSTALLER")


def test_other_workspaces_do_not_see_an_installation(store: Store) -> None:
    store.save_slack_installation(installation())
    assert store.slack_installation(team_id="T0OTHERTEAM", enterprise_id=None) is None
    assert store.slack_installation(team_id=None, enterprise_id=None) is None


def test_workspace_of_a_grid_org_is_found_by_its_team_id_alone(store: Store) -> None:
    store.save_slack_installation(installation(enterprise_id="E0FAKEORG"))
    found = store.slack_installation(team_id="T0FAKETEAM", enterprise_id=None)  # what the scheduler knows
    assert found is not None and found.enterprise_id == "E0FAKEORG"


def test_org_wide_install_is_found_by_its_enterprise_and_no_team(store: Store) -> None:
    store.save_slack_installation(installation(None, enterprise_id="E0FAKEORG", is_enterprise_install=True))
    found = store.slack_installation(team_id=None, enterprise_id="E0FAKEORG")
    assert found is not None and found.is_enterprise_install and found.team_id is None
    assert store.slack_installation(team_id=None, enterprise_id="E0OTHERORG") is None
    assert store.delete_slack_installation(team_id=None, enterprise_id="E0FAKEORG")
    assert store.slack_installation(team_id=None, enterprise_id="E0FAKEORG") is None


def test_deleting_a_workspace_that_never_installed_says_so(store: Store) -> None:
    store.save_slack_installation(installation())
    assert not store.delete_slack_installation(team_id="T0OTHERTEAM", enterprise_id=None)
    assert store.slack_installation(team_id="T0FAKETEAM", enterprise_id=None) is not None


def test_team_name_typed_by_users_is_stored_verbatim_never_run_as_sql(store: Store) -> None:
    name = "Robert'); DROP TABLE slack_installations; --"
    store.save_slack_installation(installation(team_name=name))
    found = store.slack_installation(team_id="T0FAKETEAM", enterprise_id=None)
    assert found is not None and found.team_name == name


def test_oauth_state_is_accepted_exactly_once(store: Store) -> None:
    store.issue_oauth_state("fake-state-1", now=NOW, expires_at=NOW + TEN_MINUTES)
    assert store.consume_oauth_state("fake-state-1", now=NOW + timedelta(minutes=1))
    assert not store.consume_oauth_state("fake-state-1", now=NOW + timedelta(minutes=1))


def test_unknown_oauth_state_is_refused(store: Store) -> None:
    store.issue_oauth_state("fake-state-1", now=NOW, expires_at=NOW + TEN_MINUTES)
    assert not store.consume_oauth_state("forged", now=NOW)


def test_expired_oauth_state_is_refused(store: Store) -> None:
    store.issue_oauth_state("fake-state-1", now=NOW, expires_at=NOW + TEN_MINUTES)
    assert not store.consume_oauth_state("fake-state-1", now=NOW + TEN_MINUTES)


def test_issuing_a_state_drops_the_expired_ones_but_not_the_live_ones(store: Store) -> None:
    store.issue_oauth_state("fake-old", now=NOW, expires_at=NOW + TEN_MINUTES)
    store.issue_oauth_state("fake-live", now=NOW + timedelta(minutes=5), expires_at=NOW + timedelta(minutes=15))
    store.issue_oauth_state("fake-new", now=NOW + TEN_MINUTES, expires_at=NOW + 2 * TEN_MINUTES)
    assert not store.consume_oauth_state("fake-old", now=NOW)  # gone, even asked with a clock from before
    assert store.consume_oauth_state("fake-live", now=NOW + TEN_MINUTES)


def test_state_issued_by_one_process_is_consumed_by_another(url: str | None, tmp_path: Path) -> None:
    first, second = open_store(url, tmp_path), open_store(url, tmp_path)
    try:
        first.issue_oauth_state("fake-state-1", now=NOW, expires_at=NOW + TEN_MINUTES)
        second.save_slack_installation(installation())
        assert second.consume_oauth_state("fake-state-1", now=NOW)
        assert not first.consume_oauth_state("fake-state-1", now=NOW)
        assert first.slack_installation(team_id="T0FAKETEAM", enterprise_id=None) is not None
    finally:
        first.close()
        second.close()
