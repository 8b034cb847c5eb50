"""Engines: SQLite writers wait in line in the process; PostgreSQL pings only idle connections."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.engine import create_engine, create_session_factory
from tests.conftest import POSTGRES_URL

WRITERS = 20


def _no_busy_wait(dbapi_connection: Any, _record: Any) -> None:
    """Make SQLite refuse a locked database at once: only the queue can make writers wait."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=0")
    cursor.close()


async def _engine(path: Path) -> AsyncEngine:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    event.listen(engine.sync_engine, "connect", _no_busy_wait)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE note (writer INTEGER, step INTEGER)"))
    return engine


async def _write(engine: AsyncEngine, writer: int) -> None:
    """Two writes in one transaction, with a pause between them that lets others run."""
    async with create_session_factory(engine)() as session:
        await session.execute(text("INSERT INTO note VALUES (:w, 1)"), {"w": writer})
        await asyncio.sleep(0)
        await session.execute(text("INSERT INTO note VALUES (:w, 2)"), {"w": writer})
        await session.commit()


async def _fail_after_writing(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        await session.execute(text("INSERT INTO note VALUES (2, 1)"))
        raise RuntimeError("the handler failed before committing")


async def test_concurrent_write_transactions_take_turns(tmp_path: Path) -> None:
    engine = await _engine(tmp_path / "queue.sqlite3")
    try:
        await asyncio.gather(*(_write(engine, writer) for writer in range(WRITERS)))
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT writer, step FROM note"))).all()
    finally:
        await engine.dispose()
    assert sorted(rows) == [(w, s) for w in range(WRITERS) for s in (1, 2)]


async def test_a_transaction_rolled_back_or_dropped_lets_the_next_writer_in(
    tmp_path: Path,
) -> None:
    engine = await _engine(tmp_path / "released.sqlite3")
    sessions = create_session_factory(engine)
    try:
        async with sessions() as session:
            await session.execute(text("INSERT INTO note VALUES (1, 1)"))
            await session.rollback()
        with pytest.raises(RuntimeError):
            await _fail_after_writing(sessions)
        await asyncio.wait_for(_write(engine, 3), timeout=5)
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT writer FROM note"))).scalars().all()
    finally:
        await engine.dispose()
    assert rows == [3, 3]


async def test_without_the_queue_the_same_writers_collide(tmp_path: Path) -> None:
    """The check above can fail: with the queue off, SQLite refuses the second writer."""
    engine = await _engine(tmp_path / "unqueued.sqlite3")
    engine.sync_engine.dispatch.before_cursor_execute.clear()
    try:
        with pytest.raises(OperationalError, match="locked"):
            await asyncio.gather(*(_write(engine, writer) for writer in range(WRITERS)))
    finally:
        await engine.dispose()


needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL, reason="ANNEXBOT_TEST_POSTGRES_URL is not set"
)


async def _backend_of(engine: AsyncEngine) -> int:
    """Use a pooled connection (it goes back to the pool); the pid of its server process."""
    async with create_session_factory(engine)() as session:
        return int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)


async def _kill(pid: int) -> None:
    """Terminate a server process from outside, as a server restart would."""
    assert POSTGRES_URL is not None
    other = create_engine(POSTGRES_URL)
    try:
        async with other.begin() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await other.dispose()


@needs_postgres
async def test_a_connection_that_died_while_idle_is_replaced_before_use() -> None:
    """Idle for longer than ping_after (here: any time at all), it is checked and replaced."""
    assert POSTGRES_URL is not None
    engine = create_engine(POSTGRES_URL, ping_after=0.0)
    try:
        first = await _backend_of(engine)
        await _kill(first)
        second = await _backend_of(engine)
    finally:
        await engine.dispose()
    assert second not in (0, first)


@needs_postgres
async def test_a_connection_used_a_moment_ago_is_not_pinged_and_fails_only_once() -> None:
    """No ping for a connection just returned: the dead one fails one use, then the pool renews."""
    assert POSTGRES_URL is not None
    engine = create_engine(POSTGRES_URL, ping_after=3600.0)
    try:
        first = await _backend_of(engine)
        await _kill(first)
        with pytest.raises(DBAPIError) as failed:
            await _backend_of(engine)
        second = await _backend_of(engine)
    finally:
        await engine.dispose()
    assert failed.value.connection_invalidated  # had it been pinged, it would not have failed
    assert second not in (0, first)
