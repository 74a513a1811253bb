"""Resident memory of `speechbot run` with Discord and Slack both connected to the local stand-ins.

Run from the repository root: python bench/run_memory_bench.py
Target (issue 6): under 120 MB resident. The baseline is a process that only imports discord.py and
slack-bolt, the floor any bot on these libraries pays.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.discord_api import FakeDiscord  # noqa: E402
from tests.fakes.run_against_fakes import start_speechbot_run  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.slack.test_socket_mode import slash_payload  # noqa: E402


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) of a process, in MB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def baseline_mb() -> float:
    """Peak resident memory of a process that only imports the two platform libraries."""
    code = (
        "import discord, slack_bolt.async_app, slack_bolt.adapter.socket_mode.aiohttp, resource;"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout) / 1024


async def measure(queries: int) -> tuple[float, float]:
    discord = FakeDiscord()
    await discord.start()
    slack = await FakeSlack().start()
    with tempfile.TemporaryDirectory() as data:
        process = await start_speechbot_run(discord, slack, Path(data), asyncio.subprocess.DEVNULL)
        try:
            await discord.wait_connected(timeout=60)
            await slack.wait_for_socket(seconds=60)
            for i in range(queries):  # exercise search, quotes and both platforms before reading memory
                await discord.interact(discord.command("search", {"query": f"enemy of the people {i}"}), timeout=15)
                envelope = await slack.send_envelope("slash_commands", slash_payload(slack, "quote 3.2"))
                await slack.wait_for_ack(envelope, seconds=15)
            return memory_mb(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            await process.wait()
            await slack.stop()
            await discord.close()


def main() -> None:
    resident, peak = asyncio.run(measure(queries=50))
    floor = baseline_mb()
    print(f"{'process':55} {'MB':>7}")
    print(f"{'import discord.py + slack-bolt only (baseline, peak)':55} {floor:7.1f}")
    print(f"{'speechbot run, both platforms connected (resident)':55} {resident:7.1f}")
    print(f"{'speechbot run, both platforms connected (peak)':55} {peak:7.1f}")
    print(f"\nratio to baseline: {peak / floor:.2f}x; target < 120 MB: {'met' if peak < 120 else 'MISSED'}")


if __name__ == "__main__":
    main()
