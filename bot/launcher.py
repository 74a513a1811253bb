"""Starting the bots and the set-up tasks; platform packages are imported only here, and only when used."""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import signal
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from bot.config import ConfigError, Settings
from bot.core.library import Library

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger("speechbot")


def dispatch(args: argparse.Namespace, settings: Settings, load_library: Callable[[], Library]) -> int:
    """Run `run` (also the default), `db`, `discord` or `slack` subcommands."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command in (None, "run"):
        return run(args, settings, load_library())
    if args.command == "db":
        from bot.store import upgrade

        applied = upgrade(settings.database_url, settings.data_dir)
        print(f"Applied migrations: {', '.join(applied)}." if applied else "The database is up to date.")
        return 0
    if args.command == "discord":
        return _discord_task(args, settings, load_library)
    if args.command == "slack":
        from bot.slack.manifest import manifest

        print(manifest(settings.slack_command, http_url=args.url))
        return 0
    raise ConfigError(f"unknown command {args.command!r}")


def run(args: argparse.Namespace | None, settings: Settings, library: Library) -> int:
    """Start every configured platform in one event loop, or the offline console when none is configured."""
    from bot.cli import NO_PLATFORM_HINT, _today

    asked_for_http = bool(getattr(args, "slack_http", False))
    if asked_for_http and not settings.slack_http_enabled:
        raise ConfigError("--slack-http needs SLACK_SIGNING_SECRET; copy it from Basic Information > App Credentials.")
    slack_http = asked_for_http or (settings.slack_http_enabled and not settings.slack_socket_enabled)
    if not (settings.discord_enabled or settings.slack_socket_enabled or (slack_http and settings.slack_http_enabled)):
        if settings.slack_bot_token and not settings.slack_app_token and not settings.slack_signing_secret:
            raise ConfigError(
                "SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) "
                "nor SLACK_SIGNING_SECRET (HTTP mode) is."
            )
        print(NO_PLATFORM_HINT)
        from bot.console import run_console

        return run_console(library, today=_today, rng=random.Random())  # noqa: S311
    if args is not None:
        settings = _with_overrides(args, settings)
    try:
        asyncio.run(_serve(settings, library, slack_http=slack_http))
    except KeyboardInterrupt:
        return 0
    return 0


def _with_overrides(args: argparse.Namespace, settings: Settings) -> Settings:
    from dataclasses import replace

    from bot.config import _shard_ids

    changes: dict[str, object] = {}
    if getattr(args, "port", None):
        changes["port"] = args.port
    if getattr(args, "host", None):
        changes["host"] = args.host
    if getattr(args, "shard_ids", None):
        changes["discord_shard_ids"] = _shard_ids(args.shard_ids)
    if getattr(args, "shard_count", None):
        changes["discord_shard_count"] = args.shard_count
    return replace(settings, **changes)  # type: ignore[arg-type]


def _open_store(settings: Settings, *, migrate: bool = True) -> Store:
    """The configured database, or one line saying why it cannot be opened."""
    from bot.store import open_store

    try:
        return open_store(settings.database_url, settings.data_dir, migrate=migrate)
    except ConfigError:
        raise
    except Exception as error:  # an unreachable server or an unwritable folder; the URL may hold a password
        raise ConfigError(
            f"Could not open the database ({type(error).__name__}); check DATABASE_URL or SPEECHBOT_DATA_DIR."
        ) from None


async def _serve(settings: Settings, library: Library, *, slack_http: bool) -> None:
    """All configured platforms and the daily-post scheduler side by side, sharing one database."""
    store = _open_store(settings)
    try:
        await _serve_with(store, settings, library, slack_http=slack_http)
    finally:
        store.close()


async def _serve_with(store: Store, settings: Settings, library: Library, *, slack_http: bool) -> None:
    from bot.daily_service import DailyService
    from bot.scheduler import Deliverer, Scheduler, discord_shard_filter

    deliverers: dict[str, Deliverer] = {}
    if settings.discord_enabled:
        from bot.discord.daily import DiscordDeliverer

        deliverers["discord"] = DiscordDeliverer()
    use_slack_http = slack_http and settings.slack_http_enabled
    if use_slack_http or settings.slack_socket_enabled:
        from bot.slack.daily import slack_deliverer

        deliverers["slack"] = slack_deliverer(settings, store=store)
    shards = settings.discord_shard_ids
    shard_filter = (
        discord_shard_filter(shards, settings.discord_shard_count) if shards and settings.discord_shard_count else None
    )
    scheduler = Scheduler(store, library, deliverers, shard_filter=shard_filter)
    daily = DailyService(store, library, scheduler)
    jobs: list[Coroutine[Any, Any, None]] = [scheduler.run()]
    if settings.discord_enabled:
        from bot.discord import run_discord

        jobs.append(run_discord(library, settings=settings, daily=daily))
    if use_slack_http:
        from bot.slack import run_slack_http

        jobs.append(run_slack_http(library, settings=settings, daily=daily, store=store))
    elif settings.slack_socket_enabled:
        from bot.slack import run_slack_socket

        jobs.append(run_slack_socket(library, settings=settings, daily=daily))
    if "slack" not in deliverers and settings.slack_bot_token:
        # Otherwise the channels set up on Slack would go quiet without a word.
        log.warning("Slack is not started: SLACK_BOT_TOKEN needs SLACK_APP_TOKEN or SLACK_SIGNING_SECRET as well")
    log.info("speechbot started: %s", ", ".join(sorted(deliverers)))
    await _until_first_ends([*jobs, _until_terminated()])


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

        print(invite_url(settings))
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
    from bot.daily_service import DailyService
    from bot.discord import sync_commands

    # The same DailyService `run` builds (without a scheduler: nothing is posted), so the tree is the same.
    store = None if clear else _open_store(settings, migrate=False)
    try:
        report = await sync_commands(
            library,
            token=settings.discord_token,
            data_dir=settings.data_dir,
            daily=DailyService(store, library) if store is not None else None,
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
