"""A large import is written in chunks: between them the database is free for other writers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.engine import create_engine
from db.models import AuditEvent, Task
from tests.kit.big_annex import big_annex
from workflows.importing import chunked
from workflows.importing.service import import_annex

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
Sessions = async_sessionmaker[AsyncSession]


async def _tasks(sessions: Sessions) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Task)) or 0)


async def test_other_writers_get_in_between_chunks(
    session_factory: Sessions, engine: AsyncEngine
) -> None:
    """At each pause the import holds no lock: a writer that will not wait gets in at once."""
    if engine.dialect.name != "sqlite":
        pytest.skip("one writer at a time is SQLite's rule")
    other = create_engine(engine.url.render_as_string(hide_password=False))
    seen: list[tuple[int, int]] = []

    async def pause(written: int) -> None:
        async with other.connect() as connection:
            await connection.execute(text("PRAGMA busy_timeout=0"))
            await connection.execute(text("BEGIN IMMEDIATE"))  # fails at once if locked
            count = await connection.scalar(text("SELECT count(*) FROM task"))
            await connection.execute(text("ROLLBACK"))
        seen.append((written, int(count or 0)))

    try:
        async with session_factory() as session:
            result = await import_annex(
                session=session,
                data=big_annex(250),
                now=NOW,
                timezone="Asia/Shanghai",
                plan_code="big",
                chunk=100,
                pause=pause,
            )
    finally:
        await other.dispose()
    assert result.task_count == 250
    assert seen == [(100, 100), (200, 200)]  # each chunk committed before the pause
    assert await _tasks(session_factory) == 250
    async with session_factory() as session:
        actions = await session.scalars(select(AuditEvent.action))
        assert sorted(set(actions)) == ["plan.import", "task.add"]


async def test_an_import_cut_short_is_finished_by_importing_again(
    session_factory: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure in the third chunk keeps the first two; importing with apply adds the rest."""
    real_write = chunked.write_task

    def failing_write(task: Task, *args: Any, **kwargs: Any) -> None:
        if task.number == 250:
            raise RuntimeError("disk full")
        real_write(task, *args, **kwargs)

    async def no_pause(_written: int) -> None:
        """Nothing else is writing."""

    options: dict[str, Any] = {"now": NOW, "timezone": "Asia/Shanghai", "plan_code": "big"}
    monkeypatch.setattr(chunked, "write_task", failing_write)
    with pytest.raises(RuntimeError, match="disk full"):
        async with session_factory() as session:
            await import_annex(
                session=session, data=big_annex(300), chunk=100, pause=no_pause, **options
            )
    assert await _tasks(session_factory) == 200
    monkeypatch.setattr(chunked, "write_task", real_write)
    async with session_factory() as session:
        result = await import_annex(session=session, data=big_annex(300), apply=True, **options)
    assert len(result.diff.added) == 100
    assert await _tasks(session_factory) == 300
