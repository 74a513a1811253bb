"""`speechbot`: the one entry point, for offline reading and for running the bots."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import random
import secrets
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from bot import launcher, study_cli, texts_cli
from bot.clock import Clock, today_utc, utc_now
from bot.config import ConfigError, Settings, load_settings
from bot.console import Look, daily_heading, render_plain, start_console, wants_colour
from bot.core import commands
from bot.core.corpus import Document
from bot.core.daily import passage_for
from bot.core.errors import UserError
from bot.core.library import Library, TextFilter
from bot.core.metadata import parse_mapping
from bot.core.reader import LoadOptions
from bot.core.render import EDITORIAL_LABEL, STYLES, citation
from bot.core.replies import ErrorReply
from bot.core.segment import split_paragraphs

PLATFORMS = ("discord", "slack")
DAILY_MODES = ("started", "all", "off")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line and exits with status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"speechbot: {message} (try `speechbot --help`)\n")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-02-25") from None


def _year(text: str) -> int:
    if not text.strip().isdigit() or len(text.strip()) > 4:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year like 1861")
    return int(text)


def _loading_options(parser: argparse.ArgumentParser) -> None:
    """--manifest, --map and --strict: how teachers' folders of texts are read."""
    parser.add_argument("--manifest", type=Path, metavar="CSV", help="a CSV of metadata for the texts, by file name")
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="read a manifest column as a field, e.g. --map orator=speaker (repeatable)",
    )
    parser.add_argument("--strict", action="store_true", help="stop at a bad file instead of skipping it")


def _options(args: argparse.Namespace) -> LoadOptions:
    try:
        mapping = parse_mapping(getattr(args, "map", []))
    except ValueError as problem:
        raise UserError(str(problem)) from None
    return LoadOptions(manifest=getattr(args, "manifest", None), mapping=mapping, strict=getattr(args, "strict", False))


def _filter(args: argparse.Namespace) -> TextFilter:
    return TextFilter(document=args.document, speaker=args.by, year_from=args.year_from, year_to=args.year_to)


def _version() -> str:
    """The installed package's version, or the source tree's when run without installing."""
    try:
        return version("speechbot")
    except PackageNotFoundError:
        return "(not installed)"


def _https_url(text: str) -> str:
    """A public base URL Slack can call: https, a host, and no query or fragment."""
    parts = urlsplit(text.strip())
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise argparse.ArgumentTypeError(f"{text!r} is not an https:// URL such as https://speechbot.example.org")
    return text.strip()


def _port_number(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number from 1 to 65535")
    return int(text)


def _platform(text: str) -> str:
    name = text.strip().lower()
    if name not in PLATFORMS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a platform; choose discord or slack")
    return name


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand and option, with help text a teacher can follow."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--texts",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="also load the .txt/.md texts in DIR and its subfolders (repeatable)",
    )
    _loading_options(common)
    reading = _Parser(add_help=False, parents=[common])
    reading.add_argument("--document", "-d", metavar="ID", help="which text: id, id prefix or title words")
    reading.add_argument("--by", metavar="SPEAKER", help="only texts by this speaker (search)")
    reading.add_argument("--from", dest="year_from", type=_year, metavar="YEAR", help="only texts from this year on")
    reading.add_argument("--to", dest="year_to", type=_year, metavar="YEAR", help="only texts up to this year")
    reading.add_argument("--json", action="store_true", help="print JSON for scripts")
    texts_cli.add_server_option(reading)

    parser = _Parser(
        prog="speechbot",
        description="Quote, search and post a primary-source text, offline or in "
        "Discord and Slack. With no command, starts the configured bots or the offline console.",
    )
    parser.add_argument("--version", action="version", version=f"speechbot {_version()}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND", help="what to do")
    p = sub.add_parser("quote", parents=[reading], help="a passage by reference (3, 3.2, 3.2-4), or a random one")
    p.add_argument("ref", nargs="?", help="a reference such as 3, 3.2 or 3.2-4; random when left out")
    p = sub.add_parser("search", parents=[reading], help="find sentences, even with typos")
    p.add_argument("query", nargs="+", help="the words to look for")
    p.add_argument("--limit", type=int, default=5, help="how many hits (default 5)")
    p = sub.add_parser("daily", parents=[reading], help="the passage of the day")
    p.add_argument("--date", type=_date, help="YYYY-MM-DD (default: today)")
    p = sub.add_parser("context", parents=[reading], help="a paragraph with the ones around it")
    p.add_argument("ref", help="the paragraph to read, e.g. 3 (a sentence ref such as 3.2 shows its paragraph)")
    p = sub.add_parser("cite", parents=[reading], help="a citation in MLA, APA or Chicago style")
    p.add_argument("ref", help="what to cite: a paragraph (5), a sentence (5.2) or a range (5.2-4)")
    p.add_argument("--style", choices=STYLES, default="mla", help="citation style (default mla)")
    sub.add_parser("about", parents=[reading], help="the source and its introduction")
    study_cli.add_parsers(sub, reading)
    p = sub.add_parser(
        "texts",
        parents=[common],
        help="the loaded texts; `texts check DIR` checks a folder; `texts add|list|remove --server` a server's",
    )
    p.add_argument(
        "action",
        nargs="?",
        choices=["check", *texts_cli.ACTIONS],
        help="check how the texts in DIR load, before class; add FILE, list or remove ID in a server's library",
    )
    p.add_argument("target", nargs="?", metavar="DIR|FILE|ID", help="the folder `check` reads, the file or text id")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    texts_cli.add_server_option(p)
    texts_cli.add_text_options(p)
    sub.add_parser("console", parents=[common], help="type the bots' slash commands offline")
    p = sub.add_parser("run", parents=[common], help="connect the configured bots (console when none is)")
    p.add_argument(
        "platforms",
        nargs="*",
        type=_platform,
        metavar="PLATFORM",
        help="discord and/or slack: which bots this process connects (default: every configured one)",
    )
    p.add_argument(
        "--daily",
        choices=DAILY_MODES,
        default="started",
        help="whose daily passages this process posts: the platforms it runs (started, the default), "
        "those plus Slack when only another process answers Slack (all), or none (off)",
    )
    p.add_argument("--slack-http", action="store_true", help="serve Slack over HTTP instead of Socket Mode")
    p.add_argument("--port", type=int, help="HTTP port for --slack-http (default $PORT or 3000)")
    p.add_argument("--host", help="HTTP address for --slack-http (default 0.0.0.0)")
    p.add_argument(
        "--health-port",
        type=_port_number,
        metavar="PORT",
        help="also serve /healthz and /metrics on PORT, for processes without the Slack HTTP server "
        "(default $SPEECHBOT_HEALTH_PORT; off when unset)",
    )
    p.add_argument("--shard-ids", help="Discord shards this process runs, e.g. 0,1")
    p.add_argument("--shard-count", type=int, help="total Discord shards across all processes")
    db = sub.add_parser("db", help="database tasks").add_subparsers(
        dest="db_command", required=True, parser_class=_Parser, metavar="TASK", help="the database task"
    )
    db.add_parser("upgrade", help="apply database migrations")
    discord_cmd = sub.add_parser("discord", help="Discord set-up tasks").add_subparsers(
        dest="discord_command", required=True, parser_class=_Parser, metavar="TASK", help="the Discord task"
    )
    p = discord_cmd.add_parser("sync", help="publish the slash commands now")
    p.add_argument("--guild", type=int, help="as copies in this server only (instant, for testing)")
    p.add_argument("--clear", action="store_true", help="with --guild: remove that server's test copies again")
    discord_cmd.add_parser("invite", help="print the links that add the bot to a server or to a user's account")
    slack_cmd = sub.add_parser("slack", help="Slack set-up tasks").add_subparsers(
        dest="slack_command", required=True, parser_class=_Parser, metavar="TASK", help="the Slack task"
    )
    p = slack_cmd.add_parser("manifest", help="print the Slack app manifest to paste at api.slack.com/apps")
    p.add_argument("--url", type=_https_url, help="public https:// base URL for HTTP mode (Socket Mode when left out)")
    return parser


def _library(
    settings: Settings, extra: Sequence[Path], *, create_data_dir: bool = False, options: LoadOptions | None = None
) -> Library:
    """The texts, with the parsed-index cache in the cache folder wherever speechbot is run from.

    A file that was skipped is named on stderr, one line each, and the rest load.
    """
    if create_data_dir:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    library = Library.load([*settings.texts, *extra], cache_dir=settings.cache_dir, options=options)
    for warning in library.warnings:
        print(f"speechbot: warning: {warning}", file=sys.stderr)
    return library


def _check_texts(args: argparse.Namespace) -> int:
    """`texts check DIR`: a line per text and every warning, exit 1 when anything looks wrong."""
    if args.target is None:
        raise UserError("Name the folder to check: `speechbot texts check DIR`.")
    library = Library.load([Path(args.target)], include_seeds=False, options=_options(args))
    rows, problems = [], 0
    for document in library.documents.values():
        rows.append(_check_row(document))
        problems += len(document.warnings)
    problems += len(library.warnings)
    if args.json:
        print(json.dumps({"texts": rows, "warnings": library.warnings}, ensure_ascii=False))
        return 1 if problems else 0
    for row, document in zip(rows, library.documents.values(), strict=True):
        intro = f"introduction {row['introduction_paragraphs']} paragraphs" if row["introduction_paragraphs"] else ""
        facts = [row["title"], row["speaker"] or "no speaker", row["date"] or "no date"]
        counts = f"{row['paragraphs']} paragraphs, {row['sentences']} sentences"
        print(" · ".join([f"{row['id']}", *facts, counts, *([intro] if intro else [])]))
        for warning in document.warnings:
            print(f"  warning: {warning}")
    for warning in library.warnings:
        print(f"warning: {warning}")
    total = sum(int(row["paragraphs"]) for row in rows)
    print(f"{len(rows)} texts, {total} paragraphs, {problems} warning{'' if problems == 1 else 's'}")
    return 1 if problems else 0


def _check_row(document: Document) -> dict[str, Any]:
    meta = document.meta
    return {
        "id": document.id,
        "label": document.label,
        "title": meta.title,
        "speaker": meta.speaker,
        "date": meta.date.isoformat() if meta.date else (str(meta.year) if meta.year else None),
        "paragraphs": len(document.paragraphs),
        "sentences": len(document.sentences),
        "introduction_paragraphs": len(split_paragraphs(document.front_matter)),
        "editorial_notes": len(document.notes),
        "warnings": list(document.warnings),
    }


def _single(library: Library, args: argparse.Namespace) -> str | None:
    """The one text quote, daily, context, cite and about read; --by/--from/--to must narrow to one."""
    chosen = _filter(args)
    if chosen.speaker is None and chosen.year_from is None and chosen.year_to is None:
        return args.document
    found = library.select(chosen)
    if len(found) > 1:
        shown = ", ".join(d.id for d in found[:10])
        raise UserError(f"that matches {len(found)} texts ({shown}); pick one with --document")
    return found[0].id


def _emit(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    print(json.dumps(data, ensure_ascii=False) if getattr(args, "json", False) else text)


def _read_command(args: argparse.Namespace, library: Library, settings: Settings, clock: Clock) -> int:
    """quote, search, daily, context, cite, about, texts: print text or JSON."""
    if args.command != "search" and args.command != "texts":
        args.document = _single(library, args)
    look = Look(colour=not getattr(args, "json", False) and wants_colour(sys.stdout, os.environ))

    if args.command == "quote":
        reply = commands.quote(library, args.ref, document=args.document, rng=random.Random())  # noqa: S311
        quote = reply.quotation
        document = library.document(quote.document)
        passage = document.passage(quote.ref)
        _emit(
            args,
            {
                "document": quote.document,
                "title": document.title,
                "label": document.label,
                "ref": quote.ref,
                "text": passage.text,
                "citation": quote.footer,
            },
            render_plain(reply, look),
        )
    elif args.command == "search":
        query = " ".join(args.query)
        if args.limit < 1:
            raise UserError("--limit must be at least 1.")
        found = commands.search(library, query, limit=args.limit, within=_filter(args))
        if isinstance(found, ErrorReply):
            _emit(args, {"query": query, "hits": []}, found.text)
            return 0
        text = render_plain(dataclasses.replace(found, has_more=False), look)  # the console's `more` is not typed here
        if found.has_more:
            text += f"\n  [More results: add --limit {args.limit + commands.PAGE_SIZE}]"
        hits = [
            {
                "document": h.document,
                "ref": h.ref,
                "paragraph": h.paragraph,
                "sentence": h.sentence,
                "score": h.score,
                "text": h.text,
                "match": list(h.match),
                "label": h.label,
                "section": h.section,
                "also_in": list(h.also_in),
            }
            for h in found.hits
        ]
        _emit(args, {"query": query, "hits": hits}, text)
    elif args.command == "daily":
        day = args.date or today_utc(clock)  # the day the bots post for, not this machine's local day
        document = library.document(args.document)
        passage = passage_for(day, document)
        today = commands.daily(library, today=day, document=document.id)
        _emit(
            args,
            {
                "date": day.isoformat(),
                "document": document.id,
                "title": document.title,
                "label": document.label,
                "ref": passage.ref,
                "text": passage.text,
                "citation": citation(passage),
            },
            f"{look.title(daily_heading(day))}\n{render_plain(today, look)}",
        )
    elif args.command == "context":
        view = commands.context(library, args.ref, document=args.document)
        data = {
            "document": view.document,
            "paragraph": view.paragraph,
            "paragraphs": [
                {"ref": label.lstrip("§"), "text": text, "target": target}
                for label, text, target in view.sections
                if label != EDITORIAL_LABEL
            ],
            "editorial_notes": [text for label, text, _ in view.sections if label == EDITORIAL_LABEL],
        }
        _emit(args, data, render_plain(view, look))
    elif args.command == "cite":
        document = library.document(args.document)
        passage = document.passage(args.ref)
        text = citation(passage, args.style)
        _emit(args, {"document": document.id, "ref": passage.ref, "style": args.style, "citation": text}, text)
    elif args.command == "about":
        document = library.document(args.document)
        meta = document.meta
        data = {
            "document": document.id,
            "title": meta.title,
            "speaker": meta.speaker,
            "date": meta.date.isoformat() if meta.date else None,
            "occasion": meta.occasion,
            "kind": meta.kind,
            "excerpt": meta.excerpt,
            "translated_from": meta.translated_from,
            "paragraphs": len(document.paragraphs),
            "sentences": len(document.sentences),
            "introduction": document.front_matter,
        }
        _emit(args, data, commands.about(library, document=document.id).text)
    else:
        data = {
            "texts": [
                {
                    "document": d.id,
                    "label": d.label,
                    "title": d.title,
                    "date": _check_row(d)["date"],
                    "paragraphs": len(d.paragraphs),
                    "sentences": len(d.sentences),
                }
                for d in library.documents.values()
            ],
            "data_dir": str(settings.data_dir),
            "cache_dir": str(settings.cache_dir),
        }
        _emit(args, data, "\n".join([commands.texts(library).text, "", *folders_text(settings)]))
    return 0


def folders_text(settings: Settings) -> list[str]:
    """Where speechbot keeps its database, console history and index cache, so nobody has to guess."""
    missing = "" if settings.data_dir.is_dir() else " (created on first run)"
    return [
        f"Data folder (database, console history): {settings.data_dir}{missing}",
        f"Cache folder (parsed texts, safe to delete): {settings.cache_dir}",
        "Set SPEECHBOT_DATA_DIR to keep both somewhere else.",
    ]


def main(argv: Sequence[str] | None = None, *, clock: Clock = utc_now) -> int:
    """Parse the command line, load the texts and do one thing; user mistakes exit 2 with one line."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "texts" and args.action == "check":
            return _check_texts(args)
        if args.command == "texts" and args.action in texts_cli.ACTIONS:
            return texts_cli.run(args, settings, _library(settings, args.texts, options=_options(args)))
        if args.command in {"quote", "search", "daily", "context", "cite", "about", "texts"}:
            library = _library(settings, args.texts, options=_options(args))
            if args.server:
                library, args.document = texts_cli.scoped(
                    settings, library, args.server, getattr(args, "document", None)
                )
            status = _read_command(args, library, settings, clock)
            sys.stdout.flush()  # a closed pipe shows here, inside the handlers below, not at exit
            return status
        if args.command in study_cli.COMMANDS:
            library = _library(settings, args.texts, options=_options(args))
            if args.server:
                library, args.document = texts_cli.scoped(settings, library, args.server, args.document)
            chosen = library.select(_filter(args))  # --document, --by, --from and --to pick the texts
            status = study_cli.run(args, library, chosen, new_seed=lambda: secrets.token_hex(4))
            sys.stdout.flush()
            return status
        if args.command == "console":
            return start_console(_library(settings, args.texts, options=_options(args)), settings, clock=clock)
        return launcher.dispatch(
            args,
            settings,
            lambda: _library(settings, getattr(args, "texts", []), create_data_dir=True, options=_options(args)),
        )
    except (UserError, ConfigError) as problem:
        message = problem.message if isinstance(problem, UserError) else str(problem)
        print(f"speechbot: {message.replace(chr(10), ' ')}", file=sys.stderr)
        return 2
    except ValueError as problem:  # a texts folder that does not exist or holds no text
        print(f"speechbot: {problem}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `speechbot ... | head`: the reader has gone, so stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes
        return 141
    except OSError as problem:  # a data folder or file the system refuses: one line, not a traceback
        print(f"speechbot: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
