"""A small HTTP server with /healthz and /metrics for processes without the Slack server, and its checker."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence

from aiohttp import web

from bot.metrics import CONTENT_TYPE, METRICS_PATH, Metrics

HEALTH_PATH = "/healthz"

log = logging.getLogger("speechbot.health")


def health_app(metrics: Metrics, *, documents: int) -> web.Application:
    """/healthz answers 503 once the daily posts have stalled; /metrics is the Prometheus text format."""

    async def healthz(request: web.Request) -> web.Response:
        ok = metrics.healthy()
        lag = metrics.scheduler_lag()
        body = {"ok": ok, "documents": documents, "scheduler_lag_seconds": None if lag is None else round(lag, 1)}
        return web.json_response(body, status=200 if ok else 503)

    async def metrics_page(request: web.Request) -> web.Response:
        return metrics_response(metrics)

    app = web.Application()
    app.add_routes([web.get(HEALTH_PATH, healthz), web.get(METRICS_PATH, metrics_page)])
    return app


def metrics_response(metrics: Metrics) -> web.Response:
    """The /metrics answer, shared with the Slack HTTP server."""
    response = web.Response(body=metrics.render())
    response.headers["Content-Type"] = CONTENT_TYPE
    return response


async def start_health_server(metrics: Metrics, *, host: str, port: int, documents: int) -> web.AppRunner:
    """Listen on host:port; a port already in use is one clear line."""
    from bot.config import ConfigError

    runner = web.AppRunner(health_app(metrics, documents=documents), handle_signals=False, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        await runner.cleanup()
        raise ConfigError(f"Cannot listen on {host}:{port} for --health-port: {error.strerror}.") from None
    log.info("health checks on http://%s:%s%s and %s", host, port, HEALTH_PATH, METRICS_PATH)
    return runner


async def serve_health(metrics: Metrics, *, host: str, port: int, documents: int) -> None:
    """Serve /healthz and /metrics until cancelled."""
    runner = await start_health_server(metrics, host=host, port=port, documents=documents)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def check(url: str, *, timeout: float = 5.0) -> tuple[bool, str]:
    """Whether the health URL answers 200, with a line saying what it answered; for container HEALTHCHECKs."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - the operator's own URL
            return response.status == 200, f"{url}: {response.status}"
    except urllib.error.HTTPError as error:
        return False, f"{url}: {error.code} {error.read(200).decode('utf-8', 'replace')}"
    except (urllib.error.URLError, OSError) as error:
        return False, f"{url}: {getattr(error, 'reason', error)}"


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bot.health [URL]`: exit 0 when healthy, 1 otherwise (Docker's HEALTHCHECK contract)."""
    port = os.environ.get("SPEECHBOT_HEALTH_PORT") or "8080"
    parser = argparse.ArgumentParser(prog="python -m bot.health", description=main.__doc__)
    parser.add_argument(
        "url",
        nargs="?",
        default=f"http://127.0.0.1:{port}{HEALTH_PATH}",
        help="the health URL (default: this machine's $SPEECHBOT_HEALTH_PORT, else 8080: %(default)s)",
    )
    args = parser.parse_args(argv)
    if not args.url.startswith(("http://", "https://")):
        parser.error("the URL must start with http:// or https://")
    ok, line = check(args.url)
    print(line, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
