"""How long `speechbot search` takes from a fresh shell, next to bare Python and to importing the bot libraries.

Run: python bench/startup_bench.py [--runs 15]
Target (issue 6): `speechbot search` on the seed under 0.5 s wall, with discord and slack not imported.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def wall_times(command: list[str], runs: int) -> list[float]:
    """Wall-clock seconds of `runs` fresh processes (one warm-up run first, for the file cache)."""
    subprocess.run(command, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    entry = shutil.which("speechbot")
    search = [entry, "search", "enemy of the peopel"] if entry else [sys.executable, "-m", "bot", "search", "enemy"]
    rows = [
        ("python -c pass (floor)", [sys.executable, "-c", "pass"]),
        ("speechbot search (seed)", search),
        (
            "python -c 'import discord, slack_bolt' (what we avoid)",
            [sys.executable, "-c", "import discord, slack_bolt.async_app"],
        ),
    ]
    print(f"{'command':58} {'median s':>9} {'p90 s':>7}")
    medians = {}
    for label, command in rows:
        times = sorted(wall_times(command, runs))
        medians[label] = statistics.median(times)
        print(f"{label:58} {medians[label]:9.3f} {times[int(0.9 * (len(times) - 1))]:7.3f}")
    ours = medians["speechbot search (seed)"]
    print(f"\nspeechbot search: {ours:.3f} s median (target < 0.5 s): {'met' if ours < 0.5 else 'MISSED'}")
    print(f"ratio to bare python: {ours / medians['python -c pass (floor)']:.1f}x")


if __name__ == "__main__":
    main()
