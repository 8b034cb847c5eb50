"""A liaison's report is saved while a large import is being written, on SQLite too."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.engine import create_engine, create_session_factory
from db.models import StatusReport
from tests.kit.big_annex import big_annex
from tests.kit.cast import task_id
from tests.kit.reports import LEAD, NOW, setup
from workflows.importing import bulk
from workflows.importing.service import import_annex
from workflows.reports import save_report

TASKS = 2000
# How long the import keeps its transaction open after its first rows, as a slow disk would.
HOLD_SECONDS = 0.5


async def test_a_report_waits_for_the_import_and_is_saved(
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The import (its own engine, as the CLI's process) holds its transaction open while the
    report is saved: the report waits for it rather than failing with "database is locked"."""
    await setup(session_factory)
    async with session_factory() as session:
        task = await task_id(session, 3)
    cli = create_engine(engine.url.render_as_string(hide_password=False))
    writing = asyncio.Event()
    real_insert = bulk._insert

    async def held_insert(session: Any, model: type[Any], rows: Any) -> None:
        await real_insert(session, model, rows)
        if not writing.is_set():
            writing.set()
            await asyncio.sleep(HOLD_SECONDS)

    monkeypatch.setattr(bulk, "_insert", held_insert)

    async def run_import() -> int:
        async with create_session_factory(cli)() as session:
            result = await import_annex(
                session=session,
                data=big_annex(TASKS),
                now=NOW,
                timezone="Asia/Shanghai",
                plan_code="big",
            )
            return result.task_count

    importing = asyncio.create_task(run_import())
    try:
        await asyncio.wait_for(writing.wait(), timeout=60)
        async with session_factory() as session:
            await save_report(
                session,
                telegram_id=LEAD,
                task_id=task,
                status="on_track",
                percent=40,
                token=0,
                now=NOW,
            )
    finally:
        imported = await importing
        await cli.dispose()
    assert imported == TASKS
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(StatusReport)) == 1
