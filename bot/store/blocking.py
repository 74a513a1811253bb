"""The async edge of the storage interface: each store method, once, callable in place or awaited off the loop."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")


class Bound(Generic[P, R]):
    """A store method bound to its store: call it to block here, or await `.aio(...)` from the event loop."""

    __slots__ = ("_call",)

    def __init__(self, call: Callable[P, R]) -> None:
        self._call = call

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._call(*args, **kwargs)

    async def aio(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run the call on the default executor's threads, so a slow statement never stalls the event loop.

        The default executor rather than one worker thread per store: PostgreSQL keeps a few connections so
        the scheduler's concurrent deliveries do not queue behind each other, and SQLite already takes turns
        on its one connection through the store's lock; either way the thread is decided here only.
        """
        return await asyncio.to_thread(self._call, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<blocking {self._call!r}>"


class blocking(Generic[S, P, R]):
    """Mark a store method as blocking I/O: `store.m(...)` runs it here, `await store.m.aio(...)` off the loop."""

    def __init__(self, method: Callable[Concatenate[S, P], R]) -> None:
        self._method = method
        self.__doc__ = method.__doc__  # help() and the docs show the method's own words
        self.__wrapped__ = method

    @overload
    def __get__(self, instance: None, owner: type[Any] | None = None) -> blocking[S, P, R]: ...

    @overload
    def __get__(self, instance: S, owner: type[Any] | None = None) -> Bound[P, R]: ...

    def __get__(self, instance: S | None, owner: type[Any] | None = None) -> blocking[S, P, R] | Bound[P, R]:
        if instance is None:
            return self
        return Bound(functools.partial(self._method, instance))
