"""Engines and session factories for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from db.text import CleanSession

# A writer waits out another's transaction: an import's chunk takes a second or two.
SQLITE_BUSY_TIMEOUT_MS = 15_000


def _sqlite_on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    """Turn on what SQLite leaves off: foreign keys, WAL and a busy timeout."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(url: str, *, connect_args: dict[str, Any] | None = None) -> AsyncEngine:
    """Create an async engine for the URL, with each backend's settings applied."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(url, connect_args=connect_args or {})
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        return engine
    return create_async_engine(url, pool_pre_ping=True, connect_args=connect_args or {})


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The one session factory: sessions keep their objects readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=CleanSession)
