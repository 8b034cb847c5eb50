"""Scheduler leadership: one of two processes leads; when its connection dies, the other does."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from sqlalchemy import text
from telegram.ext import CallbackContext

from bot.delivery.leader import LEADER_KEY, leads
from db.engine import create_engine
from db.leader import Leader
from tests.conftest import POSTGRES_URL

RETRY = 0.05
needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL, reason="ANNEXBOT_TEST_POSTGRES_URL is not set"
)


async def eventually(condition: Callable[[], bool], steps: int = 200) -> None:
    """Wait, in short steps of at most a few seconds in all, until a condition holds."""
    for _ in range(steps):
        if condition():
            return
        await asyncio.sleep(RETRY / 2)
    raise AssertionError("the condition never held")


@pytest.fixture
async def pair() -> AsyncIterator[tuple[Leader, Leader, int]]:
    """Two started Leaders on two engines, as two processes would be, on a test-only lock key."""
    assert POSTGRES_URL is not None
    key = random.randrange(1, 2**62)
    engines = [create_engine(POSTGRES_URL), create_engine(POSTGRES_URL)]
    leaders = [Leader(engine, key=key, retry_seconds=RETRY) for engine in engines]
    for leader in leaders:
        await leader.start()
    try:
        yield leaders[0], leaders[1], key
    finally:
        for leader in leaders:
            await leader.stop()
        for engine in engines:
            await engine.dispose()


async def holder_pid(key: int) -> int | None:
    """The backend holding an advisory lock, seen from a third connection."""
    assert POSTGRES_URL is not None
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.connect() as connection:
            pid = await connection.scalar(
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = :key"
                ),
                {"key": key},
            )
            return None if pid is None else int(pid)
    finally:
        await engine.dispose()


async def terminate(pid: int) -> None:
    """Kill a backend, as a crashed process or a dropped network would."""
    assert POSTGRES_URL is not None
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await engine.dispose()


@needs_postgres
async def test_one_of_two_leads_and_the_other_takes_over_when_its_backend_dies(
    pair: tuple[Leader, Leader, int],
) -> None:
    """Exactly one leads; its connection killed, it steps down and the other leads."""
    first, second, key = pair
    assert [first.is_leader(), second.is_leader()] == [True, False]
    pid = await holder_pid(key)
    assert pid is not None
    await terminate(pid)
    await eventually(second.is_leader)
    assert not await first.check()
    assert await holder_pid(key) not in (None, pid)
    await eventually(lambda: not first.is_leader())
    # Further checks, as the retry loop would make them, keep exactly one leader.
    assert [await first.check(), await second.check()] == [False, True]
    assert [first.is_leader(), second.is_leader()] == [False, True]


@needs_postgres
async def test_a_stopped_leader_hands_over(pair: tuple[Leader, Leader, int]) -> None:
    """Stopping the leader (the bot shutting down) releases the lock to the other at once."""
    first, second, _key = pair
    assert first.is_leader()
    await first.stop()
    assert not first.is_leader()
    await eventually(second.is_leader)
    assert await second.check()


async def test_on_sqlite_the_one_process_always_leads(tmp_path: Path) -> None:
    """SQLite has one process: it leads without any lock."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'leader.sqlite3'}")
    leader = Leader(engine, retry_seconds=RETRY)
    await leader.start()
    try:
        assert leader.is_leader()
        assert await leader.check()
        context = SimpleNamespace(application=SimpleNamespace(bot_data={LEADER_KEY: leader}))
        assert await leads(cast(CallbackContext[Any, Any, Any, Any], context))
    finally:
        await leader.stop()
        await engine.dispose()


async def test_without_a_leader_the_jobs_run() -> None:
    """A bot built without a Leader (the test harness) counts as leading."""
    context = SimpleNamespace(application=SimpleNamespace(bot_data={}))
    assert await leads(cast(CallbackContext[Any, Any, Any, Any], context))
