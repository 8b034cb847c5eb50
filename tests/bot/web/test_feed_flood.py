"""Token guessing through the real HTTP server: only 404s, one log line, bounded memory.

5,000 guesses 200 at a time are test_feed_guard.py's, in process; over HTTP (on one
database: it is the server under test) six hundred make the point at an eighth of the cost.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import secrets
import tracemalloc
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.runtime import Runtime
from bot.settings import Settings
from bot.web.app import build_web_app, serve
from bot.web.feed_throttle import BadTokenThrottle
from bot.web.feeds import feed_route
from tests.kit.reports import NOW, Sessions, setup

GUESSES = 600
WARM_UP = 200
AT_ONCE = 200


async def test_600_guesses_200_at_a_time_over_http(
    session_factory: Sessions,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    engine: AsyncEngine,
) -> None:
    """Every answer a 404 (never a 500), one warning, no traceback, memory that does not grow."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the HTTP server is under test, not the database")
    await setup(session_factory)

    async def no_wait(_seconds: float) -> None:
        await asyncio.sleep(0)  # the delays are the throttle's own test; here only the load

    runtime = Runtime(
        settings=Settings(data_dir=tmp_path, public_base_url="https://feeds.example.org/"),
        sessions=session_factory,
        clock=lambda: NOW,
    )
    throttle = BadTokenThrottle()
    app = build_web_app(runtime, routes=[feed_route(runtime, throttle=throttle, sleep=no_wait)])
    statuses: dict[int, int] = {}
    caplog.set_level(logging.WARNING)

    async def guess(client: httpx.AsyncClient, count: int) -> None:
        """`count` bad tokens, AT_ONCE requests in flight."""
        guesses = iter(secrets.token_urlsafe(24) for _ in range(count))

        async def guesser() -> None:
            for token in guesses:
                response = await client.get(f"/feeds/{token}.ics")
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        await asyncio.gather(*(guesser() for _ in range(AT_ONCE)))

    async with serve(app, host="127.0.0.1", port=0) as port:
        # A connection each, as guessers from behind one NAT would open.
        limits = httpx.Limits(max_connections=AT_ONCE, max_keepalive_connections=0)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", limits=limits, trust_env=False, timeout=120
        ) as client:
            await guess(client, WARM_UP)  # caches warm, the address already slowed
            gc.collect()
            tracemalloc.start()
            try:
                await guess(client, GUESSES - WARM_UP)
                gc.collect()
                kept, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    assert statuses == {404: GUESSES}
    assert kept < 1 << 20  # nothing kept per guess
    assert peak < 32 << 20
    assert len(throttle._failures["127.0.0.1"]) <= throttle.free + throttle.max_counted
    assert throttle._gates == {}
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in warnings] == ["bot.web.feed_throttle"]
    assert not [r for r in caplog.records if r.exc_info]
