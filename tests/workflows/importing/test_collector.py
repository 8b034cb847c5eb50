"""The cyclic garbage collector paused while imports run, and started again after the last."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from workflows.importing import bulk
from workflows.importing.collector import collector_paused, without_collector
from workflows.importing.service import bundled_annex, import_annex

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    """Leave the collector as the test found it."""
    enabled = gc.isenabled()
    yield
    (gc.enable if enabled else gc.disable)()


def test_overlapping_imports_keep_it_paused_until_the_last_ends() -> None:
    """Two imports overlapping: the first to end does not restart it under the second."""
    gc.enable()
    first = collector_paused()
    second = collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_stopped_by_its_owner_stays_stopped() -> None:
    """A process that runs without the collector still has none after an import."""
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


async def test_a_failed_import_starts_it_again() -> None:
    """The collector runs again when the import raises, and is paused while it runs."""
    gc.enable()
    seen: list[bool] = []

    @without_collector
    async def failing() -> None:
        await asyncio.sleep(0)
        seen.append(gc.isenabled())
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        await failing()
    assert seen == [False]
    assert gc.isenabled()


async def test_an_import_writes_its_rows_with_it_paused(
    session_factory: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundled annex's rows are written while the collector is paused; it runs after."""
    gc.enable()
    real_insert = bulk._insert
    seen: list[bool] = []

    async def watched_insert(session: Any, model: type[Any], rows: Any) -> None:
        seen.append(gc.isenabled())
        await real_insert(session, model, rows)

    monkeypatch.setattr(bulk, "_insert", watched_insert)
    async with session_factory() as session:
        result = await import_annex(
            session=session,
            data=bundled_annex("gf-2015-5"),
            now=NOW,
            timezone="Asia/Shanghai",
            plan_code="gf-2015-5",
        )
    assert result.applied
    assert seen == [False] * len(seen)
    assert len(seen) == 3  # units, milestones, audit events
    assert gc.isenabled()
