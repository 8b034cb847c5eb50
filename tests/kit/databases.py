"""Throwaway test databases: SQLite files, PostgreSQL databases, and migrated templates.

Running every migration for every test cost about half a second a test; instead each test
process (each pytest-xdist worker) migrates once into a template and every test that uses
`engine` starts from a copy of it: the SQLite file copied, or a PostgreSQL database created
from the template database. tests/db/test_migrations.py still runs the real migrations on an
empty database.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import create_async_engine as create_admin_engine
from sqlalchemy.pool import NullPool

from db.engine import create_engine
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


async def admin(statement: str) -> None:
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
            await admin(f'CREATE DATABASE "{name}"')
            engine = create_engine(postgres_url(name))
            await upgrade(engine)
            await engine.dispose()
            self.postgres = name
        return self.postgres

    def remove(self) -> None:
        """Drop the PostgreSQL template (the SQLite one goes with pytest's temporary files)."""
        if self.postgres is not None:
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{self.postgres}" WITH (FORCE)'))


@contextlib.asynccontextmanager
async def fresh_postgres_database(template: str | None = None) -> AsyncIterator[str]:
    """A new database on the test PostgreSQL server (a template's copy, or empty): its URL."""
    name = f"{PREFIX}{uuid.uuid4().hex[:12]}"
    await admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield postgres_url(name)
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
