"""The store's async edge: one method, called in place or awaited off the event loop, on every store."""

from __future__ import annotations

import threading

import pytest

from bot.store import Store
from bot.store.blocking import blocking


class Counter:
    """A small class with blocking methods, standing in for any store to show the descriptor itself."""

    def __init__(self, start: int) -> None:
        self.value = start

    @blocking
    def add(self, amount: int, *, times: int = 1) -> tuple[int, str]:
        """Add amount `times` times and say which thread did it."""
        self.value += amount * times
        return self.value, threading.current_thread().name

    @blocking
    def fail(self, message: str) -> None:
        raise ValueError(message)


class InheritingCounter(Counter):
    """A subclass that inherits the blocking methods unchanged."""


def test_plain_call_runs_on_the_callers_thread() -> None:
    counter = Counter(1)
    assert counter.add(2, times=3) == (7, threading.current_thread().name)
    assert counter.value == 7


async def test_aio_runs_off_the_event_loop_thread_with_the_same_arguments_and_result() -> None:
    counter = Counter(1)
    value, thread = await counter.add.aio(2, times=3)
    assert value == 7
    assert thread != threading.current_thread().name
    assert counter.value == 7


def test_plain_call_raises_the_methods_own_exception() -> None:
    with pytest.raises(ValueError, match="no such text"):
        Counter(0).fail("no such text")


async def test_aio_raises_the_methods_own_exception_in_the_awaiting_task() -> None:
    with pytest.raises(ValueError, match="no such text"):
        await Counter(0).fail.aio("no such text")


async def test_each_instance_gets_its_own_binding_also_on_subclasses() -> None:
    first, second = InheritingCounter(10), Counter(100)
    assert (await first.add.aio(1))[0] == 11
    assert second.add(1)[0] == 101
    assert (first.value, second.value) == (11, 101)


def test_the_class_attribute_keeps_the_methods_docstring() -> None:
    assert Counter.add.__doc__ == "Add amount `times` times and say which thread did it."
    assert Store.subscription.__doc__ == Store.subscription.__wrapped__.__doc__


async def test_a_real_store_answers_the_same_in_place_and_awaited(store: Store) -> None:
    assert await store.schema_version.aio() == store.schema_version() > 0
    assert await store.subscription.aio("discord", "g1", "nowhere") is None
