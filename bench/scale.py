"""Scale benchmark: load, cache load, peak memory and latency at 1x, 2x, 4x and 8x a ~12 MB synthetic library.

    python bench/scale.py [--base-megabytes 12] [--sizes 1,2,4,8] [--queries 200]

Each size runs in a fresh interpreter (so peak RSS is that library's own): a cold load (parse and index),
a load that writes the on-disk cache, a load from the cache, then queries cut from the library's
sentences (exact, one typo, a word left out), one-word and two-word queries of its most common words
(the first touch of a common word must not build anything) and prefix queries. Prints p50/p99 and,
at the end, the growth per MB between the smallest and the largest size. The machine may be shared:
the load average is printed beside the figures, and sizes run one after another in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, random, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[4])
library_dir, cache_dir, queries = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
started = time.perf_counter()
from bot.core import Library
library = Library.load([library_dir], include_seeds=False, cache_dir=cache_dir if sys.argv[5] == "cache" else None)
loaded = time.perf_counter() - started
peak_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
result = {"load": loaded, "peak_load_mb": peak_load}
if sys.argv[5] == "query":
    from bench.search_bench import library_queries, percentile
    from collections import Counter
    from bisect import bisect_right
    from itertools import accumulate
    documents = list(library.documents.values())
    if all(hasattr(d, "body") for d in documents):  # read sentences one by one, never all at once
        bodies = [d.body for d in documents]
        firsts = [0, *accumulate(b.sentence_count for b in bodies)]
        class Texts:
            def __len__(self): return firsts[-1]
            def __getitem__(self, i):
                at = bisect_right(firsts, i) - 1
                return bodies[at].sentence_text(i - firsts[at])
        texts = Texts()
    else:  # an earlier checkout (--against) without compact storage
        texts = [s.text for d in documents for s in d.sentences]
    rng = random.Random(1956)
    sets = library_queries(texts, queries // 3, rng)
    asked = [q for kind in sets.values() for q, _ in kind]
    sampled = [texts[i] for i in rng.sample(range(len(texts)), 2000)]
    counts = Counter(w.lower() for text in sampled for w in text.split() if w.isalpha())
    from bot.core.normalize import STOPWORDS
    common = [w for w, _ in counts.most_common(200) if len(w) > 3 and w not in STOPWORDS][:20]
    first_touch = []
    for word in common:  # the first query of each common word: nothing may be built on it
        t = time.perf_counter(); library.search(word); first_touch.append((time.perf_counter() - t) * 1000)
    pairs = [f"{a} {b}" for a, b in zip(common, common[1:])]
    timings = {"cut from sentences": [], "common words": [], "prefix": []}
    def timed(kind, query, prefix=False):
        t = time.perf_counter()
        library.search(query, prefix=prefix)
        timings[kind].append((time.perf_counter() - t) * 1000)
    for query in asked:
        timed("cut from sentences", query)
    for query in common + pairs:
        timed("common words", query)
    for query in asked[: len(asked) // 2]:
        head, _, last = query.rpartition(" ")
        timed("prefix", f"{head} {last[:3]}".strip(), prefix=True)
    every = [ms for values in timings.values() for ms in values]
    result["first_touch_max"] = max(first_touch)
    result["p50"], result["p99"] = percentile(every, 0.5), percentile(every, 0.99)
    result["kinds"] = {kind: (percentile(v, 0.5), percentile(v, 0.99)) for kind, v in timings.items()}
    result["sentences"] = len(texts)
result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
result["worker_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # 0: none forked
print(json.dumps(result))
"""


def child(library_dir: Path, cache_dir: Path, mode: str, queries: int, code: Path = ROOT) -> dict:
    """One load (mode: cold, cache or query) of the library in a fresh interpreter, with the code in `code`."""
    output = subprocess.run(
        [sys.executable, "-c", CHILD, str(library_dir), str(cache_dir), str(queries), str(code), mode],
        capture_output=True,
        text=True,
        check=True,
        cwd=code,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-megabytes", type=float, default=12.0)
    parser.add_argument("--sizes", default="1,2,4,8", help="multiples of the base size, comma-separated")
    parser.add_argument("--queries", type=int, default=210)
    parser.add_argument("--against", type=Path, help="another checkout (e.g. an earlier commit) run alongside")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.corpus_gen import generate

    began = time.perf_counter()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    print(
        f"{'size':>8} {'sentences':>9} {'cold load':>9} {'cache load':>10} {'peak RSS':>9} {'x text':>6}"
        f" {'cache RSS':>9} {'p50':>7} {'p99':>7} {'1st common':>10}  load avg"
    )
    rows = []
    codes = [("this", ROOT)] + ([("against", args.against.resolve())] if args.against else [])
    for multiple in [float(size) for size in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as temporary:
            library_dir = Path(temporary) / "library"
            paths = generate(library_dir, megabytes=args.base_megabytes * multiple)
            megabytes = sum(path.stat().st_size for path in paths) / 1e6
            for name, code in codes:
                cache_dir = Path(temporary) / f"cache-{name}"
                cold = child(library_dir, cache_dir, "query", args.queries, code)
                child(library_dir, cache_dir, "cache", 0, code)  # writes the cache file
                cached = child(library_dir, cache_dir, "cache", 0, code)
                if name == "this":
                    rows.append((megabytes, cold, cached))
                label = f"{megabytes:6.1f}MB" if name == "this" else f"{'(' + name + ')':>8}"
                print(
                    f"{label} {cold['sentences']:9} {cold['load']:8.2f}s {cached['load']:9.2f}s"
                    f" {cold['peak_mb']:7.0f}MB {cold['peak_mb'] / megabytes:6.1f} {cached['peak_mb']:7.0f}MB"
                    f" {cold['p50']:5.2f}ms"
                    f" {cold['p99']:5.2f}ms {cold['first_touch_max']:8.2f}ms  {os.getloadavg()[0]:.1f}"
                )
                if cold.get("worker_peak_mb"):
                    print(f"{'':>10}parsed in worker processes, the largest peaking at {cold['worker_peak_mb']:.0f} MB")
                for kind, (p50, p99) in cold["kinds"].items():
                    print(f"{'':>10}{kind:<20} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")
    if len(rows) > 1:
        (small, a, _), (large, b, _) = rows[0], rows[-1]
        span = large - small
        print(
            f"growth per MB: cold load {(b['load'] - a['load']) / span * 1000:.0f} ms, peak RSS"
            f" {(b['peak_mb'] - a['peak_mb']) / span:.1f} MB, p50 {(b['p50'] - a['p50']) / span * 1000:.1f} us,"
            f" p99 {(b['p99'] - a['p99']) / span * 1000:.1f} us"
        )
    print("targets at 100 MB: cold load < 10 s, cache load < 1 s, peak < 3x text, p50 < 3 ms, p99 < 10 ms")
    print(f"finished in {time.perf_counter() - began:.0f} s; load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
