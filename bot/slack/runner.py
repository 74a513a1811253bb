"""Running the Slack app on the caller's event loop: Socket Mode, or an aiohttp server for HTTP mode."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.clock import Clock, Today, today_utc, utc_now
from bot.config import DEFAULT_SLACK_COMMAND, ConfigError
from bot.health import metrics_response
from bot.metrics import METRICS, METRICS_PATH
from bot.slack.app import build_app, workspace_libraries
from bot.slack.config import OAuthConfig, SlackConfigError, check_oauth, check_token, oauth_config
from bot.slack.study import QuizCloser, SlackStudy, slack_study
from bot.store import Store, open_store

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core import Library
    from bot.daily.service import DailyService
    from bot.server_texts import ServerTexts

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

log = logging.getLogger("speechbot.slack")


def build_web_app(app: AsyncApp, *, documents: int = 0) -> web.Application:
    """The aiohttp application for HTTP mode: Slack's events path, a health check and the OAuth pages."""

    async def events(request: web.Request) -> web.Response:
        bolt_request = await read_slack_request(request)
        if isinstance(bolt_request, web.Response):
            return bolt_request
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "documents": documents})

    async def metrics(request: web.Request) -> web.Response:
        return metrics_response(METRICS)

    routes = [web.post(EVENTS_PATH, events), web.get(HEALTH_PATH, healthz), web.get(METRICS_PATH, metrics)]
    flow = app.oauth_flow
    if flow is not None:

        async def install(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

        async def oauth_redirect(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

        routes += [web.get(flow.install_path, install), web.get(flow.redirect_uri_path, oauth_redirect)]
    web_app = web.Application()
    web_app.add_routes(routes)
    return web_app


async def read_slack_request(request: web.Request) -> AsyncBoltRequest | web.Response:
    """The request for bolt, or a quiet 4xx for one Slack cannot have sent: never a 500 with a traceback."""
    stamp = request.headers.get("X-Slack-Request-Timestamp")
    if stamp is not None and not (stamp.isascii() and stamp.isdigit()):
        log.info("rejected a Slack request with a malformed timestamp")
        return web.Response(status=401, text="invalid request")
    try:
        parsed = AsyncBoltRequest(body=await request.text(), query=request.query_string, headers=dict(request.headers))
    except (ValueError, TypeError, AttributeError, KeyError, IndexError):  # bolt reads the body as it parses it
        parsed = None
    if parsed is None or not well_formed(parsed.body):
        log.info("rejected a Slack request whose body is not a Slack payload")
        return web.Response(status=400, text="malformed request")
    return parsed


_OBJECTS = ("event", "view", "user", "channel", "container", "message", "enterprise", "state")


def well_formed(body: object) -> bool:
    """Whether the parts bolt's matchers and our listeners index into have the shape Slack sends."""
    if not isinstance(body, dict):
        return False
    if any(not isinstance(body.get(key), dict | None) for key in _OBJECTS):
        return False
    if not isinstance(body.get("team"), dict | str | None):
        return False
    for key in ("authorizations", "actions"):
        items = body.get(key, [])
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            return False
    if body.get("type") == "event_callback" and not isinstance(body.get("event"), dict):
        return False
    if body.get("type") == "block_actions":  # ours are message buttons: each carries an action and a response_url
        return bool(body.get("actions")) and isinstance(body.get("response_url"), str)
    return True


@dataclass
class SlackHttpServer:
    """A running HTTP-mode server; `port` is the one actually bound (useful with port=0)."""

    app: AsyncApp
    runner: web.AppRunner
    host: str
    port: int
    owned_store: Store | None = None
    closer: QuizCloser | None = None

    @property
    def url(self) -> str:
        """Base URL of the server, e.g. for the manifest's request URL."""
        return f"http://{self.host}:{self.port}"

    async def close(self) -> None:
        """Stop listening and finish open requests; then close the database if the server opened it."""
        try:
            if self.closer is not None:
                await self.closer.close()
            await self.runner.cleanup()
        finally:
            if self.owned_store is not None:
                self.owned_store.close()


async def check_bot_token(app: AsyncApp) -> None:
    """Ask Slack (auth.test) whether the bot token works, so a revoked token is one line at start-up."""
    try:
        await app.client.auth_test()
    except SlackApiError as error:
        raise SlackConfigError(f"Slack rejected SLACK_BOT_TOKEN ({error.response.get('error')}).") from error
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        raise SlackConfigError(
            f"Cannot reach Slack at {app.client.base_url}: {error or type(error).__name__}."
        ) from error


async def start_slack_http(
    library: Library,
    *,
    signing_secret: str | None,
    bot_token: str | None = None,
    oauth: OAuthConfig | None = None,
    installation_store: AsyncInstallationStore | None = None,
    host: str = "127.0.0.1",
    port: int = 3000,
    command_name: str = DEFAULT_SLACK_COMMAND,
    client_base_url: str | None = None,
    today: Today = today_utc,
    daily: DailyService | None = None,
    now: Clock = utc_now,
    store: Store | None = None,
    texts: ServerTexts | None = None,
) -> SlackHttpServer:
    """Build the app, check its token and start listening; returns at once with the bound port.

    OAuth installs go into `store`; without one, the server opens the project's database named by `oauth`
    and closes it again in close().
    """
    if signing_secret is None:
        raise SlackConfigError("SLACK_SIGNING_SECRET is not set; HTTP mode needs it to verify requests.")
    owned_store = None
    if oauth is not None and store is None:
        check_oauth(oauth)
        store = owned_store = open_oauth_store(oauth)
    try:
        study = slack_study(workspace_libraries(library, texts), daily, command_name, now)
        app = build_app(
            library,
            bot_token=bot_token,
            signing_secret=signing_secret,
            command_name=command_name,
            client_base_url=client_base_url,
            oauth=oauth,
            installation_store=installation_store,
            today=today,
            daily=daily,
            now=now,
            store=store,
            study=study,
            texts=texts,
        )
        if oauth is None and installation_store is None:
            await check_bot_token(app)
        runner = web.AppRunner(build_web_app(app, documents=len(library.documents)), handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            raise SlackConfigError(f"Cannot listen on {host}:{port} for Slack: {error.strerror}.") from error
    except BaseException:
        if owned_store is not None:
            owned_store.close()
        raise
    bound = runner.addresses[0][1] if runner.addresses else port
    log.info("Slack HTTP mode listening on http://%s:%s%s", host, bound, EVENTS_PATH)
    return SlackHttpServer(app, runner, host, bound, owned_store, QuizCloser.start(study, app))


def open_oauth_store(oauth: OAuthConfig) -> Store:
    """The project's database for OAuth installs, with an unreachable one as a single line."""
    try:
        return open_store(oauth.database_url, oauth.data_dir)
    except ConfigError:
        raise
    except Exception as error:  # an unreachable server or an unwritable folder; the URL may hold a password
        raise SlackConfigError(
            f"Could not open the database for Slack installs ({type(error).__name__}); "
            "check DATABASE_URL or SPEECHBOT_DATA_DIR."
        ) from None


async def run_slack_http(
    library: Library,
    *,
    settings: Settings | None = None,
    signing_secret: str | None = None,
    bot_token: str | None = None,
    oauth: OAuthConfig | None = None,
    host: str | None = None,
    port: int | None = None,
    command_name: str | None = None,
    client_base_url: str | None = None,
    daily: DailyService | None = None,
    store: Store | None = None,
    texts: ServerTexts | None = None,
) -> None:
    """Serve Slack's HTTP requests until cancelled (shares the caller's loop with Discord).

    Values come from `settings` unless given explicitly; OAuth is used when the client id and secret are set,
    with installs in `store` (the caller's open database), else in the one `settings` names.
    """
    if settings is not None:
        signing_secret = signing_secret or settings.slack_signing_secret
        bot_token = bot_token or settings.slack_bot_token
        oauth = oauth or oauth_config(settings)
        host = host or settings.host
        port = port if port is not None else settings.port
        command_name = command_name or settings.slack_command
        client_base_url = client_base_url or settings.slack_api_url
    server = await start_slack_http(
        library,
        signing_secret=signing_secret,
        bot_token=bot_token,
        oauth=oauth,
        host=host or "0.0.0.0",  # noqa: S104 - a public server is the point of HTTP mode
        port=3000 if port is None else port,
        command_name=command_name or DEFAULT_SLACK_COMMAND,
        client_base_url=client_base_url,
        daily=daily,
        store=store,
        texts=texts,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await server.close()


async def start_slack_socket(
    library: Library,
    *,
    bot_token: str | None,
    app_token: str | None,
    command_name: str = DEFAULT_SLACK_COMMAND,
    client_base_url: str | None = None,
    today: Today = today_utc,
    daily: DailyService | None = None,
    now: Clock = utc_now,
    study: SlackStudy | None = None,
    texts: ServerTexts | None = None,
) -> AsyncSocketModeHandler:
    """Check both tokens, open the Socket Mode connection and return the handler (close_async() stops it)."""
    app_token = check_token(app_token, setting="SLACK_APP_TOKEN", prefix="xapp-")
    study = study or slack_study(workspace_libraries(library, texts), daily, command_name, now)
    app = build_app(
        library,
        bot_token=bot_token,
        command_name=command_name,
        client_base_url=client_base_url,
        today=today,
        daily=daily,
        now=now,
        study=study,
        texts=texts,
    )
    await check_bot_token(app)
    handler = AsyncSocketModeHandler(app, app_token=app_token, web_client=app.client)
    try:
        # Asking for the URL here, not inside connect(), turns a bad app token into an error instead of
        # the client's endless reconnect loop.
        handler.client.wss_uri = await handler.client.issue_new_wss_url()
    except SlackApiError as error:
        await handler.close_async()
        raise SlackConfigError(f"Slack rejected SLACK_APP_TOKEN ({error.response.get('error')}).") from error
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        await handler.close_async()
        raise SlackConfigError(f"Cannot reach Slack for Socket Mode: {error or type(error).__name__}.") from error
    await handler.connect_async()
    log.info("Slack Socket Mode connected")
    return handler


async def run_slack_socket(
    library: Library,
    *,
    settings: Settings | None = None,
    bot_token: str | None = None,
    app_token: str | None = None,
    command_name: str | None = None,
    client_base_url: str | None = None,
    daily: DailyService | None = None,
    texts: ServerTexts | None = None,
) -> None:
    """Answer Slack over Socket Mode until cancelled: no public URL needed. Explicit values beat `settings`."""
    if settings is not None:
        bot_token = bot_token or settings.slack_bot_token
        app_token = app_token or settings.slack_app_token
        command_name = command_name or settings.slack_command
        client_base_url = client_base_url or settings.slack_api_url
    study = slack_study(workspace_libraries(library, texts), daily, command_name or DEFAULT_SLACK_COMMAND, utc_now)
    handler = await start_slack_socket(
        library,
        bot_token=bot_token,
        app_token=app_token,
        command_name=command_name or DEFAULT_SLACK_COMMAND,
        client_base_url=client_base_url,
        daily=daily,
        study=study,
        texts=texts,
    )
    closer = QuizCloser.start(study, handler.app)
    try:
        await asyncio.Event().wait()
    finally:
        if closer is not None:
            await closer.close()
        await handler.close_async()
