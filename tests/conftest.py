"""Shared fixtures: a migrated database on SQLite, and on PostgreSQL when one is configured.

How the databases are made (a template migrated once per test process, then copied) is in
tests/kit/databases.py.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.engine import create_session_factory
from db.migrations import upgrade
from tests.kit.databases import (
    POSTGRES_URL,
    Templates,
    ThrowawayDatabase,
    fresh_postgres_database,
)

__all__ = ["POSTGRES_URL", "ThrowawayDatabase"]  # what test modules import from here

pytest_plugins = ["tests.kit.corpus_summary"]

# Modules with a test of ten seconds or more, longest first: they start first, so that with
# pytest-xdist the other worker is busy with the many short tests meanwhile and both finish
# together (a long test picked up last would leave one worker idle while it runs). The proofs
# with real processes (SIGKILL, two processes) also share one worker (an xdist group), one
# after another, so they never compete with each other for the CPU.
PROCESS_PROOFS = (
    "tests/bot/delivery/test_crash_exactly_once.py",
    "tests/bot/delivery/test_two_processes.py",
)
SLOW_FIRST = (
    *PROCESS_PROOFS,
    "tests/bot/sandbox/test_console.py",
    "tests/bot/delivery/test_budget.py",
    "tests/benchmarks/test_smoke.py",
    "tests/bot/files/test_chart.py",
    "tests/bot/web/test_feed_flood.py",
    "tests/bot/cli/test_serve.py",
    "tests/bot/demo/test_demo.py",
    "tests/workflows/test_acknowledgements.py",
    "tests/workflows/importing/test_readers_errors.py",
    "tests/bot/web/test_board_browser.py",
    "tests/bot/delivery/test_sender.py",
    "tests/bot/web/test_feed_guard.py",
    "tests/workflows/importing/test_readers_formats.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the slow modules' tests first, in SLOW_FIRST's order, otherwise keeping the order."""

    def rank(item: pytest.Item) -> int:
        starts = [item.nodeid.startswith(module) for module in SLOW_FIRST]
        return starts.index(True) if any(starts) else len(SLOW_FIRST)

    items.sort(key=rank)
    for item in items:
        if item.nodeid.startswith(PROCESS_PROOFS):
            item.add_marker(pytest.mark.xdist_group("process-proofs"))


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    """This process's migrated templates."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    made = Templates(tmp_path_factory.mktemp("templates"), worker)
    yield made
    made.remove()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
    ]
)
async def test_database(
    request: pytest.FixtureRequest, tmp_path: Path, templates: Templates
) -> AsyncIterator[ThrowawayDatabase]:
    """An SQLite file, or a database of its own on the test PostgreSQL server.

    Empty, unless the test also uses `engine`: then already migrated, copied from a template.
    """
    migrated = "engine" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        if migrated:
            shutil.copyfile(await templates.sqlite_file(), path)
        yield ThrowawayDatabase(f"sqlite+aiosqlite:///{path}", {}, "sqlite", migrated)
        return
    if not POSTGRES_URL:
        pytest.skip("ANNEXBOT_TEST_POSTGRES_URL is not set")
    template = await templates.postgres_database() if migrated else None
    async with fresh_postgres_database(template) as url:
        yield ThrowawayDatabase(url, {}, "postgresql", migrated)


@pytest.fixture
async def engine(test_database: ThrowawayDatabase) -> AsyncIterator[AsyncEngine]:
    """An engine on a database migrated to the newest revision."""
    engine = test_database.engine()
    if not test_database.migrated:
        await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The session factory the application would use."""
    return create_session_factory(engine)


@pytest.fixture
def seed_annex() -> Iterator[Path]:
    """The 国发〔2015〕5号 document as shipped with the package."""
    return Path(__file__).resolve().parent.parent / "workflows" / "data" / "gf-2015-5.txt"
