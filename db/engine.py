"""Engines and session factories for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.util import await_
from sqlalchemy.util.concurrency import in_greenlet

from db.text import CleanSession

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000
# Statements after which pysqlite has opened a write transaction (it begins one before these).
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_HOLDS = "annexbot_write_lock"
# A PostgreSQL connection idle this long is pinged before use; a restart takes longer than this.
IDLE_PING_SECONDS = 1.0
# Replaced after an hour whatever happens (firewalls and proxies drop quiet connections).
POOL_RECYCLE_SECONDS = 3600
_RETURNED = "annexbot_returned_at"


def _info(connection: PoolProxiedConnection) -> dict[Any, Any] | None:
    """A pooled connection's info (none on the ad hoc one of the engine's first connect)."""
    try:
        return connection.info
    except NotImplementedError:
        return None


class WriteQueue:
    """One write transaction at a time in this process, the others waiting in line.

    SQLite lets one connection write; the others' busy handler sleeps and retries (1 ms, 2 ms,
    5 ms ... up to 100 ms a try), so under concurrent presses a first write waited 0.2-3.5 s
    though the lock was free most of that time. Waiting on an asyncio lock instead, each
    writer starts as soon as the one before commits. Other processes still meet the busy
    handler; after the busy timeout in line a writer goes ahead and lets SQLite decide.
    """

    def __init__(self, timeout: float = SQLITE_BUSY_TIMEOUT_MS / 1000) -> None:
        self.timeout = timeout
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def _lock(self) -> asyncio.Lock:
        """The lock of the running event loop (an engine may outlive a test's loop)."""
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    async def _acquire(self, lock: asyncio.Lock) -> None:
        """Take the lock, or raise TimeoutError after the timeout."""
        async with asyncio.timeout(self.timeout):
            await lock.acquire()

    def before_execute(self, connection: Connection, statement: str) -> None:
        """Wait in line before a connection's first write of a transaction."""
        info = connection.info
        if _HOLDS in info or not in_greenlet():
            return
        if not statement.lstrip().upper().startswith(_WRITES):
            return
        lock = self._lock()
        try:
            await_(self._acquire(lock))
        except TimeoutError:
            log.warning("SQLite write waited %.0f s in line; going ahead", self.timeout)
            info[_HOLDS] = None
            return
        info[_HOLDS] = lock

    def release(self, info: dict[Any, Any] | None) -> None:
        """The transaction ended (or its connection went back or away): let the next one in."""
        lock = None if info is None else info.pop(_HOLDS, None)
        if lock is not None and lock.locked():
            lock.release()

    def install(self, engine: AsyncEngine) -> None:
        """Hook the queue into an SQLite engine: wait before writes, release after the end."""
        sync = engine.sync_engine

        def before_cursor_execute(connection: Connection, *args: Any) -> None:
            self.before_execute(connection, args[1])

        event.listen(sync, "before_cursor_execute", before_cursor_execute)
        dialect: Dialect = sync.dialect
        commit, rollback = dialect.do_commit, dialect.do_rollback

        # After the commit or rollback returned, not before (the events fire before): the next
        # writer would meet the lock still held and sleep in the busy handler.
        def do_commit(connection: PoolProxiedConnection) -> None:
            try:
                commit(connection)
            finally:
                self.release(_info(connection))

        def do_rollback(connection: PoolProxiedConnection) -> None:
            try:
                rollback(connection)
            finally:
                self.release(_info(connection))

        setattr(dialect, "do_commit", do_commit)  # noqa: B010 - this engine's dialect only
        setattr(dialect, "do_rollback", do_rollback)  # noqa: B010

        def gone(_dbapi: Any, record: ConnectionPoolEntry | None, *_: Any) -> None:
            self.release(None if record is None else record.info)

        for name in ("checkin", "invalidate", "close", "detach"):
            event.listen(sync.pool, name, gone)


def _sqlite_on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    """Turn on what SQLite leaves off: foreign keys, WAL and a busy timeout."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def ping_when_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """Check a pooled connection on checkout only when it lay idle for `idle_seconds` or more.

    pool_pre_ping cost a round trip on every checkout, two a press. A connection used a moment
    ago is almost surely alive; one idle across a server restart is not, and is then replaced
    (with every connection pooled before it) instead of failing the update that drew it. One
    that dies in use still fails that statement, and SQLAlchemy then renews the whole pool.
    """
    sync = engine.sync_engine
    dialect = sync.dialect

    def checkin(_dbapi: Any, record: ConnectionPoolEntry | None) -> None:
        if record is not None:
            record.info[_RETURNED] = time.monotonic()

    def checkout(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED)
        if returned is None or time.monotonic() - returned < idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:  # whatever the driver raises, the connection is no good
            raise exc.InvalidatePoolError(f"idle connection failed its ping: {error}") from error

    event.listen(sync.pool, "checkin", checkin)
    event.listen(sync.pool, "checkout", checkout)


def create_engine(
    url: str,
    *,
    connect_args: dict[str, Any] | None = None,
    ping_after: float = IDLE_PING_SECONDS,
) -> AsyncEngine:
    """Create an async engine for the URL, with each backend's settings applied.

    `ping_after`: on PostgreSQL, a connection idle this many seconds is checked on checkout.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(url, connect_args=connect_args or {})
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        WriteQueue().install(engine)
        return engine
    engine = create_async_engine(
        url, pool_recycle=POOL_RECYCLE_SECONDS, connect_args=connect_args or {}
    )
    ping_when_idle(engine, ping_after)
    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The one session factory: sessions keep their objects readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=CleanSession)
