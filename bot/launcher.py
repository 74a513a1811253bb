"""Starting the bots and the set-up tasks.

The platform packages (discord, slack_bolt, aiohttp and the health server on it) are imported inside the
functions that start them, so `speechbot search` and the console never load them.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode

from bot.config import ConfigError, Settings, _shard_ids
from bot.console import start_console
from bot.core.library import Library
from bot.daily.delivery import Deliverer
from bot.daily.scheduler import Scheduler, TickReport
from bot.daily.service import DailyService
from bot.daily.shards import discord_shard_filter
from bot.metrics import METRICS, ErrorCounter, Metrics
from bot.server_texts import server_texts_on
from bot.store import Store, open_store, upgrade

if TYPE_CHECKING:
    import discord

    from bot.discord.daily import DiscordDeliverer

log = logging.getLogger("speechbot")

NO_PLATFORM_HINT = (
    "No DISCORD_TOKEN or SLACK_BOT_TOKEN is set, so here is the offline console.\n"
    "To connect a bot, put DISCORD_TOKEN (or SLACK_BOT_TOKEN with SLACK_APP_TOKEN) in .env; see README.md."
)


def dispatch(args: argparse.Namespace, settings: Settings, load_library: Callable[[], Library]) -> int:
    """Run `run` (also the default), `db`, `discord` or `slack` subcommands."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_library_noise()
    if args.command in (None, "run"):
        return run(args, settings, load_library())
    if args.command == "db":
        applied = upgrade(settings.database_url, settings.data_dir)
        print(f"Applied migrations: {', '.join(applied)}." if applied else "The database is up to date.")
        return 0
    if args.command == "discord":
        return _discord_task(args, settings, load_library)
    if args.command == "slack":
        from bot.slack.manifest import manifest

        print(manifest(settings.slack_command, http_url=args.url, description=describe(load_library())))
        return 0
    raise ConfigError(f"unknown command {args.command!r}")


@dataclass(frozen=True)
class Plan:
    """What one `speechbot run` process does: which bots it connects and whose daily passages it posts."""

    discord: bool = False
    slack: Literal["http", "socket"] | None = None
    daily: frozenset[str] = frozenset()
    chosen: bool = False  # the platforms were named on the command line

    @property
    def platforms(self) -> tuple[str, ...]:
        """The bots this process connects, for the log line."""
        return tuple(name for name, on in (("discord", self.discord), ("slack", self.slack)) if on)


def plan(args: argparse.Namespace | None, settings: Settings) -> Plan | None:
    """The process's role from `run [discord] [slack] --daily … --slack-http`; None means the offline console."""
    chosen = frozenset(getattr(args, "platforms", None) or ())
    asked_for_http = bool(getattr(args, "slack_http", False))
    if asked_for_http and not settings.slack_http_enabled:
        raise ConfigError("--slack-http needs SLACK_SIGNING_SECRET; copy it from Basic Information > App Credentials.")
    if asked_for_http and chosen and "slack" not in chosen:
        raise ConfigError("--slack-http is for Slack: run `speechbot run slack --slack-http`.")
    slack_http = asked_for_http or (settings.slack_http_enabled and not settings.slack_socket_enabled)
    slack: Literal["http", "socket"] | None = (
        "http" if slack_http and settings.slack_http_enabled else "socket" if settings.slack_socket_enabled else None
    )
    if chosen:
        if "discord" in chosen and not settings.discord_enabled:
            raise ConfigError("`speechbot run discord` needs DISCORD_TOKEN; put it in .env (see README.md).")
        if "slack" in chosen and slack is None:
            raise ConfigError(
                "`speechbot run slack` needs SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) "
                "or SLACK_SIGNING_SECRET (HTTP mode)."
            )
        discord = "discord" in chosen
        slack = slack if "slack" in chosen else None
    else:
        discord = settings.discord_enabled
        if not (discord or slack):
            if settings.slack_bot_token and not settings.slack_app_token and not settings.slack_signing_secret:
                raise ConfigError(
                    "SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) "
                    "nor SLACK_SIGNING_SECRET (HTTP mode) is."
                )
            return None
    mode = getattr(args, "daily", None) or "started"
    daily = {name for name, on in (("discord", discord), ("slack", slack)) if on}
    if mode == "all" and _slack_can_post(settings):
        daily.add("slack")  # Slack posts are plain Web API calls: no open connection needed
    return Plan(discord, slack, frozenset() if mode == "off" else frozenset(daily), chosen=bool(chosen))


def _slack_can_post(settings: Settings) -> bool:
    """Whether this process could post to Slack: a bot token, or OAuth installs in the database."""
    return bool(settings.slack_bot_token or (settings.slack_client_id and settings.slack_client_secret))


def run(args: argparse.Namespace | None, settings: Settings, library: Library) -> int:
    """Start the platforms this process is for in one event loop, or the offline console when none is configured."""
    role = plan(args, settings)
    if role is None:
        print(NO_PLATFORM_HINT)
        return start_console(library, settings)
    if args is not None:
        settings = _with_overrides(args, settings)
    try:
        asyncio.run(_serve(settings, library, role))
    except KeyboardInterrupt:
        return 0
    return 0


def _with_overrides(args: argparse.Namespace, settings: Settings) -> Settings:
    changes: dict[str, object] = {}
    if getattr(args, "port", None):
        changes["port"] = args.port
    if getattr(args, "host", None):
        changes["host"] = args.host
    if getattr(args, "shard_ids", None):
        changes["discord_shard_ids"] = _shard_ids(args.shard_ids)
    if getattr(args, "shard_count", None):
        changes["discord_shard_count"] = args.shard_count
    if getattr(args, "health_port", None):
        changes["health_port"] = args.health_port
    return replace(settings, **changes)  # type: ignore[arg-type]


def warn_about_disk(settings: Settings, *, cwd: Path | None = None) -> None:
    """Say loudly when subscriptions would live in SQLite on a disk the host throws away, or in a new folder."""
    old = (cwd or Path.cwd()) / "data" / "speechbot.sqlite3"  # where earlier versions kept it, run from here
    if not settings.database_url and old.is_file() and old.parent.resolve() != settings.data_dir.resolve():
        log.warning(
            "Found %s from an earlier version, but speechbot now keeps its data in %s. "
            "Set SPEECHBOT_DATA_DIR=data to keep using the old database.",
            old,
            settings.data_dir,
        )
    if settings.ephemeral_disk and not settings.database_url:
        log.warning(
            "Daily posts are kept in SQLite under %s, but this host (DYNO is set) wipes its disk on every restart "
            "and each process has its own: subscriptions will be lost. Set DATABASE_URL to a PostgreSQL database.",
            settings.data_dir,
        )


def _open_store(settings: Settings, *, migrate: bool = True) -> Store:
    """The configured database, or one line saying why it cannot be opened."""
    try:
        return open_store(settings.database_url, settings.data_dir, migrate=migrate)
    except ConfigError:
        raise
    except Exception as error:  # an unreachable server or an unwritable folder; the URL may hold a password
        raise ConfigError(
            f"Could not open the database ({type(error).__name__}); check DATABASE_URL or SPEECHBOT_DATA_DIR."
        ) from None


async def _serve(settings: Settings, library: Library, role: Plan) -> None:
    """This process's platforms and the daily-post scheduler side by side, sharing one database."""
    warn_about_disk(settings)
    store = _open_store(settings)
    try:
        await _serve_with(store, settings, library, role)
    finally:
        store.close()


async def _serve_with(store: Store, settings: Settings, library: Library, role: Plan) -> None:

    if settings.health_port is not None and role.slack == "http" and settings.health_port == settings.port:
        raise ConfigError("--health-port must differ from the Slack HTTP port, which serves /healthz and /metrics too.")
    _count_errors(ErrorCounter(METRICS))
    deliverers: dict[str, Deliverer] = {}
    if role.discord:
        deliverers["discord"] = _metered_discord_deliverer(METRICS)
    if role.slack or "slack" in role.daily:
        from bot.slack.daily import slack_deliverer

        deliverers["slack"] = slack_deliverer(settings, store=store)
    shards = settings.discord_shard_ids
    shard_filter = (
        discord_shard_filter(shards, settings.discord_shard_count) if shards and settings.discord_shard_count else None
    )
    texts = server_texts_on(store, settings, library)  # each server's own texts beside the global ones
    scheduler = _metered_scheduler(METRICS)(store, texts.libraries, deliverers, shard_filter=shard_filter)
    daily = DailyService(store, texts.libraries, scheduler)  # "post now" works even where the loop is off
    jobs: list[Coroutine[Any, Any, None]] = []
    if role.daily:  # the same platforms as the deliverers: --daily only adds Slack or turns all off
        METRICS.scheduler_started()
        jobs.append(scheduler.run())
    if settings.health_port is not None:
        from bot.health import serve_health

        jobs.append(
            serve_health(METRICS, host=settings.host, port=settings.health_port, documents=len(library.documents))
        )
    if role.discord:
        from bot.discord import run_discord

        jobs.append(run_discord(library, settings=settings, daily=daily, texts=texts))
    if role.slack == "http":
        from bot.slack import run_slack_http

        jobs.append(run_slack_http(library, settings=settings, daily=daily, store=store, texts=texts))
    elif role.slack == "socket":
        from bot.slack import run_slack_socket

        jobs.append(run_slack_socket(library, settings=settings, daily=daily, texts=texts))
    if not role.chosen and "slack" not in deliverers and settings.slack_bot_token:
        # Otherwise the channels set up on Slack would go quiet without a word.
        log.warning("Slack is not started: SLACK_BOT_TOKEN needs SLACK_APP_TOKEN or SLACK_SIGNING_SECRET as well")
    log.info(
        "speechbot started: %s; daily posts: %s",
        ", ".join(role.platforms),
        ", ".join(sorted(role.daily)) or "off (another process posts them)",
    )
    await _until_first_ends([*jobs, _until_terminated()])


def _count_errors(handler: logging.Handler) -> None:
    """Count every logged error for /metrics, once per process however often the bots are started."""
    root = logging.getLogger()
    if not any(type(existing) is type(handler) for existing in root.handlers):
        root.addHandler(handler)


def _metered_scheduler(metrics: Metrics) -> type[Scheduler]:
    """The scheduler, with each pass's TickReport counted into `metrics` (daily posts sent, failed, paused …)."""

    class MeteredScheduler(Scheduler):
        async def tick(self) -> TickReport:
            report = await super().tick()
            metrics.record_tick(report.outcomes)
            return report

    return MeteredScheduler


def _metered_discord_deliverer(metrics: Metrics) -> DiscordDeliverer:
    """The Discord deliverer, which the bot attaches itself to; it then counts the bot's answered commands."""
    from discord.ext import commands

    from bot.discord.daily import DiscordDeliverer

    class MeteredDiscordDeliverer(DiscordDeliverer):
        def attach(self, client: discord.Client) -> None:
            super().attach(client)
            if isinstance(client, commands.Bot):
                client.add_listener(self._answered, "on_app_command_completion")

        async def _answered(self, interaction: object, command: object) -> None:
            metrics.count_command("discord")

    return MeteredDiscordDeliverer()


async def _until_terminated() -> None:
    """Return when the host asks the process to stop (SIGTERM on a deploy), so every job closes cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGTERM, stop.set)
    except (NotImplementedError, RuntimeError, ValueError):  # no signals here (another thread, Windows)
        await asyncio.Future()  # wait for the other jobs forever
    try:
        await stop.wait()
        log.info("SIGTERM received; closing the connections")
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


async def _until_first_ends(jobs: list[Coroutine[Any, Any, None]]) -> None:
    """Run the jobs side by side; when one fails or stops, stop the others before the store is closed.

    A failed start (a rejected token) is re-raised as it is, so the CLI prints its one line; the other jobs
    are cancelled and awaited, so nothing keeps posting or answering with half the bot gone.
    """
    tasks = [asyncio.create_task(job) for job in jobs]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        error = None if task.cancelled() else task.exception()
        if error is not None:
            raise error
    if all(task.get_coro().__name__ != _until_terminated.__name__ for task in done):  # type: ignore[union-attr]
        log.warning("a platform connection ended; stopping speechbot")


def _discord_task(args: argparse.Namespace, settings: Settings, load_library: Callable[[], Library]) -> int:
    if args.discord_command == "invite":
        from bot.discord import invite_url
        from bot.discord.client import application_id_from_token

        server = invite_url(settings)  # says clearly when DISCORD_TOKEN is missing or malformed
        user = user_install_url(application_id_from_token(settings.discord_token or ""))
        print(f"Add the bot to a server (needs Manage Server there):\n  {server}")
        print(f"Add the app to your own account, to use its commands in any server or DM:\n  {user}")
        return 0
    if not settings.discord_token:
        raise ConfigError("DISCORD_TOKEN is not set; put it in .env (see README.md).")
    clear = bool(getattr(args, "clear", False))
    if clear and args.guild is None:
        raise ConfigError("--clear needs --guild ID: it removes the test copies of the commands from that server.")
    print(asyncio.run(discord_sync(settings, load_library(), guild_id=args.guild, clear=clear)))
    return 0


async def discord_sync(settings: Settings, library: Library, *, guild_id: int | None, clear: bool = False) -> str:
    """`speechbot discord sync`: publish the tree `run` publishes (daily commands included); the line to print."""
    from bot.discord import sync_commands

    # The same DailyService `run` builds (without a scheduler: nothing is posted), so the tree is the same.
    store = None if clear else _open_store(settings, migrate=False)
    texts = server_texts_on(store, settings, library) if store is not None else None  # for the /text group
    try:
        report = await sync_commands(
            library,
            token=settings.discord_token,
            data_dir=settings.data_dir,
            daily=DailyService(store, texts.libraries) if store is not None and texts is not None else None,
            texts=texts,
            guild_id=guild_id,
            clear=clear,
        )
    finally:
        if store is not None:
            store.close()
    if guild_id is None:
        return f"Published {report.published} commands globally."
    if clear:
        return f"Removed the test copies of the commands from server {guild_id}; the global commands stay."
    line = f"Published {report.published} commands to server {guild_id} for testing (they work there at once)."
    if report.also_global:
        line += (
            f" The server also shows the {report.also_global} global commands, so it lists each command twice"
            f" until `speechbot discord sync --guild {guild_id} --clear` (or the next `speechbot run` with this"
            " data folder) removes the copies."
        )
    return line


def user_install_url(application_id: int) -> str:
    """The link that adds the app to a person's own account (Discord's user install, integration_type 1)."""

    query = urlencode({"client_id": application_id, "integration_type": 1, "scope": "applications.commands"})
    return f"https://discord.com/oauth2/authorize?{query}"


def describe(library: Library) -> str:
    """The Slack app's one-line description, naming the texts actually loaded (Slack allows 140 characters)."""
    titles = [document.title for document in library.documents.values()]
    subject = titles[0] if len(titles) == 1 else f"{len(titles)} primary sources: {', '.join(titles)}"
    text = f"Quotes, searches and cites {subject} by paragraph and sentence."
    return text if len(text) <= 140 else f"Quotes, searches and cites {len(titles)} primary sources by paragraph."


# Start-up warnings that are about the libraries' optional extras, not about anything a user can act on.
_NOISE = {
    "discord.client": frozenset(
        {"PyNaCl is not installed, voice will NOT be supported", "davey is not installed, voice will NOT be supported"}
    ),
    "slack_bolt.AsyncApp": frozenset({"As you gave `client` as well, `token` will be unused."}),
}


class _LibraryNoise(logging.Filter):
    """Drops exactly the known harmless start-up warnings above; every other record passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        noise = _NOISE.get(record.name)
        return noise is None or record.levelno > logging.WARNING or record.getMessage() not in noise


def quiet_library_noise() -> None:
    """Hide the libraries' harmless start-up warnings on every handler the root logger writes to."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _LibraryNoise) for f in handler.filters):
            handler.addFilter(_LibraryNoise())
