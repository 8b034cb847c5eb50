"""Shared fixtures: a migrated database on SQLite, and on PostgreSQL when one is configured.

Running every migration for every test cost about half a second a test; instead each test
process (each pytest-xdist worker) migrates once into a template and every test that uses
`engine` starts from a copy of it: the SQLite file copied, or a PostgreSQL database created
from the template database. tests/db/test_migrations.py still runs the real migrations on an
empty database (`test_database` without `engine`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as create_admin_engine
from sqlalchemy.pool import NullPool

from db.engine import create_engine, create_session_factory
from db.migrations import upgrade

POSTGRES_URL = os.environ.get("ANNEXBOT_TEST_POSTGRES_URL")
PREFIX = "annexbot_t_"  # every database the tests create on the server is named so


@dataclass(frozen=True)
class ThrowawayDatabase:
    """A throwaway database: its URL, how to connect to it, and its backend's name.

    `migrated` says it is already at the newest revision (a copy of the worker's template).
    """

    url: str
    connect_args: dict[str, Any]
    backend: str
    migrated: bool = False

    def engine(self) -> AsyncEngine:
        """A new engine on this database."""
        return create_engine(self.url, connect_args=self.connect_args)


async def _admin(statement: str) -> None:
    """Run one statement outside a transaction on the test PostgreSQL server."""
    assert POSTGRES_URL is not None
    admin = create_admin_engine(POSTGRES_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await admin.dispose()


def postgres_url(database: str) -> str:
    """The test server's URL with another database name."""
    assert POSTGRES_URL is not None
    return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)


@dataclass
class Templates:
    """Migrated templates of this test process, made on first use and removed at its end."""

    directory: Path
    worker: str
    sqlite: Path | None = None
    postgres: str | None = None

    async def sqlite_file(self) -> Path:
        """An SQLite file at the newest revision, in rollback-journal mode so one file is all."""
        if self.sqlite is None:
            path = self.directory / "migrated.sqlite3"
            engine = create_engine(f"sqlite+aiosqlite:///{path}")
            await upgrade(engine)
            await engine.dispose()
            with sqlite3.connect(path) as connection:
                connection.execute("PRAGMA journal_mode=DELETE")
            connection.close()
            self.sqlite = path
        return self.sqlite

    async def postgres_database(self) -> str:
        """The name of a PostgreSQL database at the newest revision, nobody connected to it."""
        if self.postgres is None:
            name = f"{PREFIX}template_{self.worker}_{uuid.uuid4().hex[:8]}"
            await _admin(f'CREATE DATABASE "{name}"')
            engine = create_engine(postgres_url(name))
            await upgrade(engine)
            await engine.dispose()
            self.postgres = name
        return self.postgres

    def remove(self) -> None:
        """Drop the PostgreSQL template (the SQLite one goes with pytest's temporary files)."""
        if self.postgres is not None:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{self.postgres}" WITH (FORCE)'))


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
    name = f"{PREFIX}{uuid.uuid4().hex[:12]}"
    template = f' TEMPLATE "{await templates.postgres_database()}"' if migrated else ""
    await _admin(f'CREATE DATABASE "{name}"{template}')
    try:
        yield ThrowawayDatabase(postgres_url(name), {}, "postgresql", migrated)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
