"""Python's cyclic garbage collector paused while an import builds and writes its rows.

A 10,000-row import keeps a few hundred thousand new containers alive (rows, snapshots,
parameter dicts) until it commits; each growth of the heap by a quarter starts a full
collection that walks every object of the process, and these took a quarter of the import's
CPU time (3-5 full collections, 0.5-0.9 s of 2.2-2.7 s). Reference counting still frees all
that is not in a cycle; the cycles left over are collected once the last import ends.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

# Imports running now (in the event loop's thread); the collector restarts after the last.
_running = 0


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block, unless something else already stopped it."""
    global _running
    if _running == 0 and not gc.isenabled():
        yield  # stopped by its owner, who starts it again
        return
    _running += 1
    gc.disable()
    try:
        yield
    finally:
        _running -= 1
        if _running == 0:
            gc.enable()


def without_collector(
    function: Callable[P, Awaitable[R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    """The coroutine function run with the cyclic collector paused (collector_paused)."""

    @functools.wraps(function)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with collector_paused():
            return await function(*args, **kwargs)

    return run
