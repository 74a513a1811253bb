"""Prometheus metrics a host can alert on: commands answered, errors, daily posts, and a stalled scheduler."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, ProcessCollector, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

METRICS_PATH = "/metrics"
CONTENT_TYPE = CONTENT_TYPE_LATEST
# Outcomes shown as 0 before they first happen, so an alert on them has a series from the start.
WATCHED_OUTCOMES = ("sent", "found", "retry", "paused", "missed", "failed")
# A scheduler that has not finished a pass for this long is stuck: it looks at least every 30 seconds.
STALE_AFTER = 300.0


class Metrics:
    """The process's counters and the scheduler's heartbeat, in one registry of their own."""

    def __init__(self, registry: CollectorRegistry | None = None, *, clock: Callable[[], float] = time.time) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self.clock = clock
        self.commands = Counter(
            "speechbot_commands_answered",
            "Commands answered, by platform.",
            ["platform"],
            registry=self.registry,
        )
        self.errors = Counter(
            "speechbot_errors",
            "Errors logged by speechbot and its libraries, by logger.",
            ["source"],
            registry=self.registry,
        )
        self.daily_posts = Counter(
            "speechbot_daily_posts",
            "Daily passages handled by the scheduler, by outcome (sent, found, retry, paused, missed, failed, ...).",
            ["outcome"],
            registry=self.registry,
        )
        for outcome in WATCHED_OUTCOMES:
            self.daily_posts.labels(outcome)
        self._started: float | None = None
        self._last_tick: float | None = None
        self.registry.register(_SchedulerCollector(self))

    def scheduler_started(self) -> None:
        """The daily-post loop runs in this process from now on; lag counts from here until its first pass."""
        self._started = self.clock()

    def record_tick(self, outcomes: Mapping[str, int]) -> None:
        """Count one finished scheduler pass and what it did to each due subscription."""
        for outcome, count in outcomes.items():
            if count:
                self.daily_posts.labels(outcome).inc(count)
        self._last_tick = self.clock()

    def count_command(self, platform: str) -> None:
        """One command answered on `platform`."""
        self.commands.labels(platform).inc()

    def scheduler_lag(self) -> float | None:
        """Seconds since the scheduler last finished a pass; None when no scheduler runs in this process."""
        since = self._last_tick if self._last_tick is not None else self._started
        return None if since is None else max(0.0, self.clock() - since)

    def healthy(self) -> bool:
        """False once the daily posts have stalled: the failure hosts most need to hear about."""
        lag = self.scheduler_lag()
        return lag is None or lag < STALE_AFTER

    def render(self) -> bytes:
        """The Prometheus text format of every metric."""
        return generate_latest(self.registry)


class _SchedulerCollector(Collector):
    """The scheduler's heartbeat, computed when scraped so a stuck loop shows as growing lag."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterable[Metric]:
        """Running flag, always; lag and last pass only once a scheduler runs here."""
        lag = self.metrics.scheduler_lag()
        running = GaugeMetricFamily("speechbot_scheduler_running", "1 when this process runs the daily-post scheduler.")
        running.add_metric([], 0.0 if lag is None else 1.0)
        yield running
        if lag is not None:
            yield GaugeMetricFamily(
                "speechbot_scheduler_lag_seconds",
                "Seconds since the scheduler last finished a pass over due posts (it looks every 30 s or sooner).",
                value=lag,
            )


class ErrorCounter(logging.Handler):
    """Counts ERROR records by their top-level logger (speechbot, discord, slack_bolt, ...); never stores text."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(level=logging.ERROR)
        self.metrics = metrics

    def emit(self, record: logging.LogRecord) -> None:
        """One more error from this record's library."""
        self.metrics.errors.labels(record.name.split(".", 1)[0]).inc()


# This process's metrics, with its CPU and memory: shared by the scheduler, the bots and both HTTP servers.
METRICS = Metrics()
ProcessCollector(registry=METRICS.registry)
