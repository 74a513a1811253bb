"""Bad settings become one clear SlackConfigError line; the OAuth install pages work against the fake."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest

from bot.config import ConfigError, Settings
from bot.core import Library
from bot.slack import OAuthConfig, SlackConfigError, build_app, manifest
from bot.slack.config import oauth_config as cli_oauth_config
from bot.slack.runner import SlackHttpServer, run_slack_http, run_slack_socket, start_slack_http
from bot.store import Store, open_store
from tests.fakes.slack_api import INSTALLED_BOT_TOKEN, INSTALLED_TEAM_ID, FakeSlack
from tests.slack.conftest import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, SlackClient, all_text

OAUTH_CLIENT_ID = "0000.fake-client-id"


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "SLACK_BOT_TOKEN is not set"),
        ("  ", "SLACK_BOT_TOKEN is not set"),
        ("xapp-fake-wrong-kind", "SLACK_BOT_TOKEN must be a token starting with xoxb-"),
        ("xoxb-fake with-space", "SLACK_BOT_TOKEN must be a token starting with xoxb-"),
    ],
)
def test_missing_or_malformed_bot_token_is_one_line(library: Library, token: str | None, message: str) -> None:
    with pytest.raises(SlackConfigError, match=message) as caught:
        build_app(library, bot_token=token, signing_secret=SIGNING_SECRET)
    assert "\n" not in str(caught.value)
    assert "fake-wrong" not in str(caught.value)  # a token is never echoed whole


def test_empty_signing_secret_is_one_line(library: Library) -> None:
    with pytest.raises(SlackConfigError, match="SLACK_SIGNING_SECRET is not set"):
        build_app(library, bot_token=BOT_TOKEN, signing_secret="")


def test_command_name_must_be_one_word(library: Library) -> None:
    with pytest.raises(SlackConfigError, match="one word"):
        build_app(library, bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, command_name="/two words")


async def test_revoked_bot_token_fails_at_start_not_at_first_command(library: Library, fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackConfigError, match=r"Slack rejected SLACK_BOT_TOKEN \(invalid_auth\)"):
        await start_slack_http(
            library,
            signing_secret=SIGNING_SECRET,
            bot_token="xoxb-revoked-fake",
            port=0,
            client_base_url=fake_slack.base_url,
        )


async def test_unreachable_slack_is_one_line(library: Library) -> None:
    with pytest.raises(SlackConfigError, match="Cannot reach Slack"):
        await start_slack_http(
            library,
            signing_secret=SIGNING_SECRET,
            bot_token=BOT_TOKEN,
            port=0,
            client_base_url="http://127.0.0.1:9/api/",
        )


async def test_custom_command_name_is_the_one_answered(library: Library, fake_slack: FakeSlack) -> None:
    server = await start_slack_http(
        library,
        signing_secret=SIGNING_SECRET,
        bot_token=BOT_TOKEN,
        port=0,
        command_name="khrushchev",
        client_base_url=fake_slack.base_url,
    )
    try:
        async with aiohttp.ClientSession() as session:
            slack = SlackClient(session, server, fake_slack)
            answer = await slack.command("help", command="/khrushchev")
            assert "/khrushchev search" in all_text(answer)
    finally:
        await server.close()


def test_socket_mode_manifest_has_command_scopes_and_no_urls() -> None:
    text = manifest("/speech")
    assert 'command: "/speech"' in text
    assert "socket_mode_enabled: true" in text
    assert '- "commands"' in text
    assert '- "chat:write"' in text
    assert "url:" not in text


def test_http_manifest_points_at_events_and_oauth_redirect() -> None:
    text = manifest("quotes", http_url="https://bot.example.invalid/")
    assert 'command: "/quotes"' in text
    assert 'url: "https://bot.example.invalid/slack/events"' in text
    assert 'request_url: "https://bot.example.invalid/slack/events"' in text
    assert '- "https://bot.example.invalid/slack/oauth_redirect"' in text
    assert "socket_mode_enabled: false" in text
    assert "\t" not in text


def oauth_config(tmp_path: Path, database_url: str | None = None) -> OAuthConfig:
    return OAuthConfig(
        client_id=OAUTH_CLIENT_ID, client_secret="fake-client-secret", data_dir=tmp_path, database_url=database_url
    )


@pytest.fixture
async def oauth_server(
    library: Library, fake_slack: FakeSlack, store: Store, tmp_path: Path
) -> AsyncIterator[SlackHttpServer]:
    server = await start_slack_http(
        library,
        signing_secret=SIGNING_SECRET,
        oauth=oauth_config(tmp_path),
        port=0,
        client_base_url=fake_slack.base_url,
        store=store,
    )
    yield server
    await server.close()


def slack_sdk_files(folder: Path) -> list[Path]:
    """The SQLite files slack-sdk's own stores would have made in the data folder."""
    return list(folder.glob("slack-*.sqlite3"))


async def install_link(session: aiohttp.ClientSession, server: SlackHttpServer) -> tuple[dict[str, list[str]], str]:
    """Open /slack/install as a browser would: the authorize link's query and the state cookie."""
    async with session.get(f"{server.url}/slack/install") as page:
        assert page.status == 200
        html = await page.text()
        cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    link = re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]+)"', html)
    assert link is not None
    return parse_qs(urlparse(link.group(1).replace("&amp;", "&")).query), cookie


async def finish_install(
    session: aiohttp.ClientSession, server: SlackHttpServer, state: str, cookie: str
) -> aiohttp.ClientResponse:
    """Come back from Slack's authorize page to our redirect URL with the code and the state."""
    redirect = f"{server.url}/slack/oauth_redirect?code=fake-oauth-code&state={state}"
    async with session.get(redirect, headers={"Cookie": cookie}) as done:
        await done.read()
        return done


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")  # inside slack_sdk
async def test_oauth_install_then_slash_command_from_the_new_workspace(
    oauth_server: SlackHttpServer, fake_slack: FakeSlack, store: Store, tmp_path: Path
) -> None:
    async with aiohttp.ClientSession() as session:
        query, cookie = await install_link(session, oauth_server)
        assert query["client_id"] == [OAUTH_CLIENT_ID]
        assert "commands" in query["scope"][0]
        done = await finish_install(session, oauth_server, query["state"][0], cookie)
        assert done.status == 200
        assert fake_slack.calls_to("oauth.v2.access")
        installed = store.slack_installation(team_id=INSTALLED_TEAM_ID, enterprise_id=None)
        assert installed is not None
        assert (installed.bot_token, installed.installed_by) == (INSTALLED_BOT_TOKEN, "U0INSTALLER")
        assert "chat:write" in installed.bot_scopes
        assert slack_sdk_files(tmp_path) == []  # nothing beside the project's database

        slack = SlackClient(session, oauth_server, fake_slack)
        body = slack.slash_body("quote 3.2").replace("T0FAKETEAM", INSTALLED_TEAM_ID)
        status, ack = await slack.post(body)
        assert status == 200
        assert json.loads(ack)["response_type"] == "in_channel"
    assert any(call.token == INSTALLED_BOT_TOKEN for call in fake_slack.calls)


async def test_oauth_redirect_with_forged_state_is_refused(
    oauth_server: SlackHttpServer, fake_slack: FakeSlack, store: Store
) -> None:
    url = f"{oauth_server.url}/slack/oauth_redirect?code=fake-oauth-code&state=forged"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status >= 400
    assert fake_slack.calls_to("oauth.v2.access") == []
    assert store.slack_installation(team_id=INSTALLED_TEAM_ID, enterprise_id=None) is None


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")  # inside slack_sdk
async def test_oauth_state_is_good_for_one_install_only(oauth_server: SlackHttpServer, fake_slack: FakeSlack) -> None:
    async with aiohttp.ClientSession() as session:
        query, cookie = await install_link(session, oauth_server)
        assert (await finish_install(session, oauth_server, query["state"][0], cookie)).status == 200
        replayed = await finish_install(session, oauth_server, query["state"][0], cookie)
    assert replayed.status >= 400
    assert len(fake_slack.calls_to("oauth.v2.access")) == 1


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")  # inside slack_sdk
async def test_install_started_on_one_process_finishes_on_another_sharing_the_database(
    library: Library, fake_slack: FakeSlack, url: str | None, tmp_path: Path
) -> None:
    servers, stores = [], []
    try:
        for _ in range(2):
            stores.append(open_store(url, tmp_path))
            servers.append(
                await start_slack_http(
                    library,
                    signing_secret=SIGNING_SECRET,
                    oauth=oauth_config(tmp_path),
                    port=0,
                    client_base_url=fake_slack.base_url,
                    store=stores[-1],
                )
            )
        async with aiohttp.ClientSession() as session:
            query, cookie = await install_link(session, servers[0])
            assert (await finish_install(session, servers[1], query["state"][0], cookie)).status == 200
            slack = SlackClient(session, servers[0], fake_slack)
            status, ack = await slack.post(slack.slash_body("quote 3.2").replace("T0FAKETEAM", INSTALLED_TEAM_ID))
        assert status == 200
        assert json.loads(ack)["response_type"] == "in_channel"
    finally:
        for server in servers:
            await server.close()
        for store in stores:
            store.close()


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")  # inside slack_sdk
async def test_oauth_server_without_a_store_opens_the_database_its_config_names_and_closes_it(
    library: Library, fake_slack: FakeSlack, url: str | None, tmp_path: Path
) -> None:
    server = await start_slack_http(
        library,
        signing_secret=SIGNING_SECRET,
        oauth=oauth_config(tmp_path, url),
        port=0,
        client_base_url=fake_slack.base_url,
    )
    try:
        async with aiohttp.ClientSession() as session:
            query, cookie = await install_link(session, server)
            assert (await finish_install(session, server, query["state"][0], cookie)).status == 200
    finally:
        await server.close()
    assert server.owned_store is not None
    reopened = open_store(url, tmp_path)
    try:
        installed = reopened.slack_installation(team_id=INSTALLED_TEAM_ID, enterprise_id=None)
    finally:
        reopened.close()
    assert installed is not None and installed.bot_token == INSTALLED_BOT_TOKEN


async def test_unreachable_oauth_database_is_one_line_without_the_password(library: Library, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://speechbot:not-a-real-password@127.0.0.1:{port}/speechbot"
    with pytest.raises(SlackConfigError, match=r"^Could not open the database for Slack installs") as caught:
        await start_slack_http(library, signing_secret=SIGNING_SECRET, oauth=oauth_config(tmp_path, url), port=0)
    assert "not-a-real-password" not in str(caught.value)
    assert "\n" not in str(caught.value)


def test_oauth_config_from_settings_names_the_project_database_and_hides_its_url() -> None:
    settings = Settings(
        slack_client_id=OAUTH_CLIENT_ID,
        slack_client_secret="fake-client-secret",
        database_url="postgresql://speechbot:not-a-real-password@127.0.0.1/speechbot",
    )
    config = cli_oauth_config(settings)
    assert config is not None and config.database_url == settings.database_url
    assert "not-a-real-password" not in repr(config)


async def test_command_from_a_workspace_that_never_installed_gets_only_an_install_hint(
    oauth_server: SlackHttpServer, fake_slack: FakeSlack
) -> None:
    async with aiohttp.ClientSession() as session:
        slack = SlackClient(session, oauth_server, fake_slack)
        status, _ = await slack.post(slack.slash_body("quote 3.2"))
    assert status == 200
    (hint,) = [c.args for c in await fake_slack.wait_for("response_url")]
    assert "not installed in this workspace" in hint["text"]
    assert "blocks" not in hint


def test_slack_config_error_is_the_config_error_the_cli_prints_as_one_line() -> None:
    assert issubclass(SlackConfigError, ConfigError)


async def test_run_slack_socket_takes_its_tokens_from_settings(library: Library, fake_slack: FakeSlack) -> None:
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN, slack_command="/speech")
    task = asyncio.create_task(run_slack_socket(library, settings=settings, client_base_url=fake_slack.base_url))
    try:
        await fake_slack.wait_for_socket()
        envelope_id = await fake_slack.send_envelope(
            "slash_commands",
            {"command": "/speech", "text": "help", "response_url": fake_slack.response_url(), "team_id": "T0FAKETEAM"},
        )
        ack = await fake_slack.wait_for_ack(envelope_id)
        assert ack["envelope_id"] == envelope_id
        assert "/speech search" in all_text(ack["payload"])
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_run_slack_http_without_signing_secret_is_one_line(library: Library) -> None:
    with pytest.raises(SlackConfigError, match="SLACK_SIGNING_SECRET is not set"):
        await run_slack_http(library, settings=Settings(slack_bot_token=BOT_TOKEN))
