"""Metrics a host alerts on: daily-post outcomes from each scheduler pass, a stalled scheduler, logged errors."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import CollectorRegistry

from bot.metrics import STALE_AFTER, ErrorCounter, Metrics
from tests.clocks import HandClock


@pytest.fixture
def clock() -> HandClock:
    return HandClock(1_000.0)


@pytest.fixture
def metrics(clock: HandClock) -> Metrics:
    return Metrics(CollectorRegistry(), clock=clock)


def _value(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_each_pass_adds_its_outcomes_and_alertable_ones_start_at_zero(metrics: Metrics) -> None:
    assert _value(metrics, "speechbot_daily_posts_total", outcome="paused") == 0.0
    metrics.record_tick({"sent": 2, "retry": 1})
    metrics.record_tick({"sent": 1, "paused": 1, "busy": 0})
    assert _value(metrics, "speechbot_daily_posts_total", outcome="sent") == 3.0
    assert _value(metrics, "speechbot_daily_posts_total", outcome="paused") == 1.0
    assert _value(metrics, "speechbot_daily_posts_total", outcome="retry") == 1.0
    assert _value(metrics, "speechbot_daily_posts_total", outcome="busy") is None


def test_without_a_scheduler_there_is_no_lag_and_the_process_is_healthy(metrics: Metrics) -> None:
    assert _value(metrics, "speechbot_scheduler_running") == 0.0
    assert _value(metrics, "speechbot_scheduler_lag_seconds") is None
    assert metrics.scheduler_lag() is None and metrics.healthy()


def test_lag_grows_until_a_pass_finishes_and_a_stalled_scheduler_is_unhealthy(
    metrics: Metrics, clock: HandClock
) -> None:
    metrics.scheduler_started()
    clock.now += 20
    assert _value(metrics, "speechbot_scheduler_running") == 1.0
    assert _value(metrics, "speechbot_scheduler_lag_seconds") == 20.0
    metrics.record_tick({})
    assert _value(metrics, "speechbot_scheduler_lag_seconds") == 0.0
    clock.now += STALE_AFTER - 1
    assert metrics.healthy()
    clock.now += 1
    assert not metrics.healthy()


def test_commands_are_counted_by_platform_in_the_text_format(metrics: Metrics) -> None:
    metrics.count_command("slack")
    metrics.count_command("slack")
    metrics.count_command("discord")
    text = metrics.render().decode()
    assert 'speechbot_commands_answered_total{platform="slack"} 2.0' in text
    assert 'speechbot_commands_answered_total{platform="discord"} 1.0' in text
    assert "# HELP speechbot_daily_posts_total" in text


def test_logged_errors_are_counted_by_library_without_their_text(metrics: Metrics) -> None:
    logger = logging.getLogger("test_metrics.isolated")
    logger.propagate = False
    handler = ErrorCounter(metrics)
    logger.addHandler(handler)
    try:
        logger.error("secret user text")
        logger.warning("not an error")
        logging.getLogger("discord.client").addHandler(handler)
        logging.getLogger("discord.client").error("boom")
    finally:
        logger.removeHandler(handler)
        logging.getLogger("discord.client").removeHandler(handler)
    assert _value(metrics, "speechbot_errors_total", source="test_metrics") == 1.0
    assert _value(metrics, "speechbot_errors_total", source="discord") == 1.0
    assert "secret user text" not in metrics.render().decode()
