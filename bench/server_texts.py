"""Server texts at scale: 1,000 servers each with its own synthetic 100 KB text, in one process.

Run from the repository root: python bench/server_texts.py [--servers 1000] [--kb 100] [--budget-mb 256]
Prints, for a process that serves every server once: resident memory with the memory budget set and without
it (every index kept), and the first-query latency of a server whose index was evicted (read back from the
disk cache, or rebuilt from the database when there is none) against one whose index is warm.
Each measurement runs in a fresh child process, so resident figures do not mix.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_gen import Generator  # noqa: E402

from bot.core.library import Library  # noqa: E402
from bot.server_texts import Libraries, ServerTexts  # noqa: E402
from bot.store import open_store  # noqa: E402
from bot.store.base import SqlStore  # noqa: E402
from bot.store.texts import TextShelf  # noqa: E402

BASES = 10  # distinct generated texts; each server's is one of them with its paragraphs in its own order
QUERIES = ("the people and the party", "harbour railway", "committee decision on the question of the plan")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def resident_mb() -> tuple[float, float]:
    """(resident now, peak resident) of this process, in MB."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


def server_text(bases: list[list[str]], n: int) -> bytes:
    """Server n's own text: a base text's paragraphs shuffled, each marked with words only this server has."""
    rng = random.Random(n)
    paragraphs = list(bases[n % len(bases)])
    rng.shuffle(paragraphs)
    marked = [f"{p} Room {n} kept note {i} of lesson{n}x." for i, p in enumerate(paragraphs)]
    return (f"# Reader of server {n}\n\n" + "\n\n".join(marked) + "\n").encode()


def populate(data_dir: Path, servers: int, kb: int) -> float:
    """Add one text to each server through the service, as /text add does; returns the seconds taken."""
    generator = Generator(1956)
    bases = [generator.document(b, kb * 1000).split("* * * *", 1)[1].strip().split("\n\n") for b in range(BASES)]
    store = open_store(None, data_dir)
    shelf = TextShelf(cast(SqlStore, store))
    service = ServerTexts(shelf, Libraries(Library.load(), shelf), max_bytes=4 * kb * 1024, max_texts=50)
    started = time.perf_counter()

    async def add_all() -> None:
        for n in range(servers):
            data = server_text(bases, n)
            await service.add(f"discord:{n}", filename=f"reader-{n}.md", data=data, added_by="bench", now=NOW)

    asyncio.run(add_all())
    store.close()
    return time.perf_counter() - started


def timed(libraries: Libraries, scope: str) -> float:
    """Milliseconds for one search in a server's library, including whatever its first use builds."""
    started = time.perf_counter()
    hits = libraries.for_scope(scope).search(QUERIES[0])
    elapsed = (time.perf_counter() - started) * 1000
    if not hits:
        raise SystemExit(f"no hits in {scope}: the bench texts are not what it expects")
    return elapsed


def serve(data_dir: Path, servers: int, budget_mb: int | None, cache_dir: Path | None) -> dict[str, Any]:
    """In this process: answer one search in every server, then time warm and evicted servers' first queries."""
    shared = Library.load()
    store = open_store(None, data_dir)
    shelf = TextShelf(cast(SqlStore, store))
    budget = (budget_mb or 1_000_000) * 1024 * 1024
    libraries = Libraries(shared, shelf, memory_budget_bytes=budget, cache_dir=cache_dir, check_seconds=3600)
    baseline = resident_mb()[0]
    started = time.perf_counter()
    first = [timed(libraries, f"discord:{n}") for n in range(servers)]
    sweep = time.perf_counter() - started
    rss, peak = resident_mb()
    warm_scope = f"discord:{servers - 1}"  # the most recently used: still in memory
    warm = [timed(libraries, warm_scope) for _ in range(20)]
    evicted = [timed(libraries, f"discord:{n}") for n in range(10)] if budget_mb else []
    result = {
        "servers": servers,
        "budget_mb": budget_mb,
        "kept": len(libraries.built),
        "evictions": libraries.built.evictions,
        "estimated_mb": libraries.built.total / 1024 / 1024,
        "baseline_mb": baseline,
        "rss_mb": rss,
        "peak_mb": peak,
        "sweep_s": sweep,
        "first_query_median_ms": statistics.median(first),
        "warm_ms": statistics.median(warm),
        "evicted_ms": statistics.median(evicted) if evicted else None,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    store.close()
    return result


def child(*args: str) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and read its JSON line."""
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True, cwd=ROOT, timeout=3600
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--kb", type=int, default=100, help="size of each server's text")
    parser.add_argument("--budget-mb", type=int, default=256)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # internal: the child's database folder
    parser.add_argument("--no-budget", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        budget = None if args.no_budget else args.budget_mb
        print(json.dumps(serve(args.serve, args.servers, budget, args.cache)))
        return
    with tempfile.TemporaryDirectory(prefix="speechbot-server-texts-") as folder:
        data_dir, cache = Path(folder) / "data", Path(folder) / "cache"
        seconds = populate(data_dir, args.servers, args.kb)
        print(f"{args.servers} servers, each with its own {args.kb} KB text: added in {seconds:.1f} s")
        common = ["--serve", str(data_dir), "--servers", str(args.servers), "--budget-mb", str(args.budget_mb)]
        budgeted = child(*common, "--cache", str(cache))  # builds every index once and fills the disk cache
        cold = child(*common)  # the same without a disk cache: an evicted server is rebuilt from the database
        unbounded = child(*common, "--no-budget", "--cache", str(cache))
    print(
        f"budget {args.budget_mb} MB: resident {budgeted['rss_mb']:.0f} MB (peak {budgeted['peak_mb']:.0f} MB, "
        f"{budgeted['baseline_mb']:.0f} MB before any server), {budgeted['kept']} indexes kept "
        f"(~{budgeted['estimated_mb']:.0f} MB by estimate), {budgeted['evictions']} evictions"
    )
    print(
        f"no budget:    resident {unbounded['rss_mb']:.0f} MB (peak {unbounded['peak_mb']:.0f} MB), "
        f"{unbounded['kept']} indexes kept (~{unbounded['estimated_mb']:.0f} MB by estimate)"
    )
    print(f"memory ratio (no budget / budget): {unbounded['rss_mb'] / budgeted['rss_mb']:.1f}x")
    print(
        f"first query of a server (median over {args.servers}): {budgeted['first_query_median_ms']:.1f} ms "
        f"building from the database, {unbounded['first_query_median_ms']:.1f} ms from the disk cache"
    )
    print(
        f"warm server: {budgeted['warm_ms']:.2f} ms; evicted server: {budgeted['evicted_ms']:.1f} ms from the disk "
        f"cache, {cold['evicted_ms']:.1f} ms rebuilt from the database "
        f"({budgeted['evicted_ms'] / budgeted['warm_ms']:.0f}x and {cold['evicted_ms'] / cold['warm_ms']:.0f}x warm)"
    )


if __name__ == "__main__":
    main()
