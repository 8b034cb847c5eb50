"""Shared fixtures: a migrated database on SQLite, and on PostgreSQL when one is configured."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.engine import create_engine, create_session_factory
from db.migrations import upgrade

POSTGRES_URL = os.environ.get("ANNEXBOT_TEST_POSTGRES_URL")


@dataclass(frozen=True)
class ThrowawayDatabase:
    """A throwaway database: its URL, how to connect to it, and its backend's name."""

    url: str
    connect_args: dict[str, Any]
    backend: str

    def engine(self) -> AsyncEngine:
        """A new engine on this database."""
        return create_engine(self.url, connect_args=self.connect_args)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
    ]
)
async def test_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[ThrowawayDatabase]:
    """An empty database: an SQLite file, or a fresh schema on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield ThrowawayDatabase(f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}", {}, "sqlite")
        return
    if not POSTGRES_URL:
        pytest.skip("ANNEXBOT_TEST_POSTGRES_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield ThrowawayDatabase(
            POSTGRES_URL, {"server_settings": {"search_path": schema}}, "postgresql"
        )
    finally:
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture
async def engine(test_database: ThrowawayDatabase) -> AsyncIterator[AsyncEngine]:
    """An engine on a database migrated to the newest revision."""
    engine = test_database.engine()
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
