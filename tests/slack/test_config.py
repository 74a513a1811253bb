"""Bad settings become one clear SlackConfigError line; the OAuth install pages work against the fake."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest

from bot.config import ConfigError, Settings
from bot.core import Library
from bot.slack import OAuthConfig, SlackConfigError, build_app, manifest
from bot.slack.runner import SlackHttpServer, run_slack_http, run_slack_socket, start_slack_http
from tests.fakes.slack_api import INSTALLED_BOT_TOKEN, INSTALLED_TEAM_ID, FakeSlack
from tests.slack.conftest import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, SlackClient, all_text


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


@pytest.fixture
async def oauth_server(library: Library, fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[SlackHttpServer]:
    config = OAuthConfig(client_id="0000.fake-client-id", client_secret="fake-client-secret", data_dir=tmp_path)
    server = await start_slack_http(
        library, signing_secret=SIGNING_SECRET, oauth=config, port=0, client_base_url=fake_slack.base_url
    )
    yield server
    await server.close()


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")  # inside slack_sdk
async def test_oauth_install_then_slash_command_from_the_new_workspace(
    oauth_server: SlackHttpServer, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{oauth_server.url}/slack/install") as page:
            assert page.status == 200
            html = await page.text()
            cookie = page.headers["Set-Cookie"].split(";", 1)[0]
        link = re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]+)"', html)
        assert link is not None
        query = parse_qs(urlparse(link.group(1).replace("&amp;", "&")).query)
        assert query["client_id"] == ["0000.fake-client-id"]
        assert "commands" in query["scope"][0]
        redirect = f"{oauth_server.url}/slack/oauth_redirect?code=fake-oauth-code&state={query['state'][0]}"
        async with session.get(redirect, headers={"Cookie": cookie}) as done:
            assert done.status == 200
        assert fake_slack.calls_to("oauth.v2.access")
        assert (tmp_path / "slack-installations.sqlite3").is_file()

        slack = SlackClient(session, oauth_server, fake_slack)
        body = slack.slash_body("quote 3.2").replace("T0FAKETEAM", INSTALLED_TEAM_ID)
        status, ack = await slack.post(body)
        assert status == 200
        assert json.loads(ack)["response_type"] == "in_channel"
    assert any(call.token == INSTALLED_BOT_TOKEN for call in fake_slack.calls)


async def test_oauth_redirect_with_forged_state_is_refused(oauth_server: SlackHttpServer) -> None:
    url = f"{oauth_server.url}/slack/oauth_redirect?code=fake-oauth-code&state=forged"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status >= 400


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
