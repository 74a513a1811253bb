"""The operators' side of server texts: `speechbot texts add|list|remove --server …` and `--server` on reading."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings
from bot.core.errors import UserError
from bot.core.library import Library
from bot.core.render import counted
from bot.server_texts import ServerTexts, parse_scope, server_texts_on, size_words
from bot.store import open_store

ACTIONS = ("add", "list", "remove")
OPERATOR = "operator"  # who `texts add` records as the adder


def server(text: str) -> str:
    """argparse type for `--server discord:GUILD_ID|slack:TEAM_ID`."""
    try:
        return parse_scope(text)
    except ValueError as problem:
        raise argparse.ArgumentTypeError(str(problem).removeprefix("--server takes ")) from None


def add_server_option(parser: argparse.ArgumentParser) -> None:
    """`--server`: read (or manage) the library of one Discord server or Slack workspace."""
    parser.add_argument(
        "--server",
        type=server,
        metavar="discord:GUILD_ID|slack:TEAM_ID",
        help="use that server's library: the global texts plus its own",
    )


def add_text_options(parser: argparse.ArgumentParser) -> None:
    """The options of `texts add` and `texts remove`."""
    parser.add_argument("--title", help="texts add: the title (over the file's front matter)")
    parser.add_argument("--speaker", help="texts add: who spoke or wrote it")
    parser.add_argument("--date", dest="text_date", metavar="DATE", help="texts add: a date (1863-11-19) or a year")
    parser.add_argument("--yes", action="store_true", help="texts remove: also when daily posts use it (pauses them)")


@contextmanager
def server_texts(settings: Settings, shared: Library) -> Iterator[ServerTexts]:
    """The server-text service on the configured database, closed afterwards."""
    store = open_store(settings.database_url, settings.data_dir)
    try:
        yield server_texts_on(store, settings, shared)
    finally:
        store.close()


def scoped(settings: Settings, shared: Library, scope: str, document: str | None) -> tuple[Library, str | None]:
    """A server's library and the text a command reads there (the one named, else the server's default)."""
    with server_texts(settings, shared) as service:
        library = service.libraries.for_scope(scope)
        return library, document or service.libraries.default_document(scope)


def run(args: argparse.Namespace, settings: Settings, shared: Library) -> int:
    """`texts add FILE`, `texts list` and `texts remove ID`, all with `--server`."""
    if args.server is None:
        raise UserError(f"`texts {args.action}` needs --server discord:GUILD_ID or slack:TEAM_ID.")
    with server_texts(settings, shared) as service:
        if args.action == "add":
            return _add(args, service)
        if args.action == "list":
            return _list(args, service)
        return _remove(args, service)


def _add(args: argparse.Namespace, service: ServerTexts) -> int:
    if not args.target:
        raise UserError("Name the file to add: `speechbot texts add FILE --server discord:GUILD_ID`.")
    path = Path(args.target)
    try:
        data = path.read_bytes()
    except OSError as problem:
        raise UserError(f"Cannot read {path}: {problem.strerror or problem}.") from None
    added = asyncio.run(
        service.add(
            args.server,
            filename=path.name,
            data=data,
            added_by=OPERATOR,
            title=args.title,
            speaker=args.speaker,
            date=args.text_date,
            now=datetime.now(UTC),
        )
    )
    document = service.libraries.for_scope(args.server).document(added.text_id)
    print(
        f"Added `{added.text_id}` ({added.title}) to {args.server}: "
        f"{counted(len(document.paragraphs), 'paragraph')}, {counted(len(document.sentences), 'sentence')}."
    )
    return 0


def _list(args: argparse.Namespace, service: ServerTexts) -> int:
    texts = asyncio.run(service.list(args.server))
    if not texts:
        print(f"{args.server} has no texts of its own; it reads the global texts.")
        return 0
    for text in texts:
        facts = " · ".join(part for part in (text.speaker, text.date) if part)
        added = f"added by {text.added_by} on {text.added_at:%Y-%m-%d}"
        parts = (f"`{text.text_id}`", text.title, facts, size_words(text.size_bytes), added)
        print(" · ".join(part for part in parts if part))
    default = service.libraries.default_document(args.server)
    if default:
        print(f"Default text: `{default}`")
    return 0


def _remove(args: argparse.Namespace, service: ServerTexts) -> int:
    if not args.target:
        raise UserError("Name the text to remove: `speechbot texts remove ID --server discord:GUILD_ID`.")
    removal = asyncio.run(
        service.remove(
            args.server, args.target, by=OPERATOR, may_remove_any=True, confirmed=args.yes, now=datetime.now(UTC)
        )
    )
    if not removal.removed:
        channels = ", ".join(removal.needs_confirmation)
        print(
            f"Daily posts in {len(removal.needs_confirmation)} channel(s) use it ({channels}); "
            "run again with --yes to remove it and pause them."
        )
        return 1
    paused = f"; {removal.paused} daily post(s) paused" if removal.paused else ""
    print(f"Removed `{removal.text_id}` from {args.server}{paused}.")  # the id the words named
    return 0
