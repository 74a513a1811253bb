"""The health server for processes without the Slack HTTP server, and the checker a container runs."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from prometheus_client import CollectorRegistry

from bot.health import check, start_health_server
from bot.metrics import STALE_AFTER, Metrics
from tests.clocks import HandClock

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def clock() -> HandClock:
    return HandClock(0.0)


@pytest.fixture
async def served(clock: HandClock) -> AsyncIterator[tuple[str, Metrics]]:
    metrics = Metrics(CollectorRegistry(), clock=clock)
    runner = await start_health_server(metrics, host="127.0.0.1", port=0, documents=1)
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}", metrics
    await runner.cleanup()


async def test_healthz_is_ok_while_the_scheduler_keeps_up_and_503_once_it_stalls(
    served: tuple[str, Metrics], clock: HandClock
) -> None:
    base, metrics = served
    metrics.scheduler_started()
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/healthz") as response:
            assert response.status == 200
            assert await response.json() == {"ok": True, "documents": 1, "scheduler_lag_seconds": 0.0}
        clock.now += STALE_AFTER + 1
        async with session.get(f"{base}/healthz") as response:
            assert response.status == 503
            assert (await response.json())["ok"] is False


async def test_metrics_page_is_the_prometheus_text_format(served: tuple[str, Metrics]) -> None:
    base, metrics = served
    metrics.record_tick({"sent": 1})
    async with aiohttp.ClientSession() as session, session.get(f"{base}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        assert 'speechbot_daily_posts_total{outcome="sent"} 1.0' in await response.text()


async def test_a_port_in_use_is_one_clear_line(served: tuple[str, Metrics]) -> None:
    from bot.config import ConfigError

    base, metrics = served
    port = int(base.rsplit(":", 1)[1])
    with pytest.raises(ConfigError, match=rf"^Cannot listen on 127.0.0.1:{port} for --health-port"):
        await start_health_server(metrics, host="127.0.0.1", port=port, documents=1)


async def test_checker_says_whether_the_url_is_healthy(served: tuple[str, Metrics], clock: HandClock) -> None:
    base, metrics = served
    ok, line = await asyncio.to_thread(check, f"{base}/healthz")
    assert ok and line.endswith(": 200")
    metrics.scheduler_started()
    clock.now += STALE_AFTER + 1
    ok, line = await asyncio.to_thread(check, f"{base}/healthz")
    assert not ok and ": 503" in line


def test_the_container_healthcheck_command_exits_1_when_nothing_listens() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago, with nothing listening on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run(
        [sys.executable, "-m", "bot.health", f"http://127.0.0.1:{port}/healthz"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1 and f"127.0.0.1:{port}/healthz" in result.stderr and "Traceback" not in result.stderr
