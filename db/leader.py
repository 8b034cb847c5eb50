"""Scheduler leadership across processes: a PostgreSQL advisory lock held on its own connection."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

LOCK_KEY = 0x616E6E6578626F74
RETRY_SECONDS = 15.0
# A liveness check that hangs this long counts as a lost connection.
CHECK_TIMEOUT_SECONDS = 5.0


class Leader:
    """Holds (or keeps trying for) the scheduler's advisory lock on a dedicated connection."""

    def __init__(
        self, engine: AsyncEngine, *, key: int = LOCK_KEY, retry_seconds: float = RETRY_SECONDS
    ) -> None:
        self.engine = engine
        self.key = key
        self.retry_seconds = retry_seconds
        self.embedded = engine.dialect.name != "postgresql"
        self._connection: AsyncConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._checking = asyncio.Lock()  # one statement at a time on the lock's connection

    def is_leader(self) -> bool:
        """Whether this process held the lock at the last check (SQLite: always)."""
        return self.embedded or self._connection is not None

    async def start(self) -> None:
        """Try for the lock now, then keep checking (and retrying) in the background."""
        if self.embedded:
            return
        await self.check()
        self._task = asyncio.create_task(self._watch(), name="scheduler-leader")

    async def stop(self) -> None:
        """Stop trying and give the lock up by closing its connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        async with self._checking:
            await self._drop()

    async def check(self) -> bool:
        """Confirm the held lock is alive, or try to take it; True when this process leads."""
        if self.embedded:
            return True
        async with self._checking:
            return await self._check()

    async def _check(self) -> bool:
        """Check or try once, under the lock; any failure drops the connection."""
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                if self._connection is not None:
                    await self._connection.execute(text("SELECT 1"))
                    return True
                return await self._acquire()
        except Exception as error:  # any failure means the lock can no longer be vouched for
            if self._connection is not None:
                log.warning("lost the scheduler lock: %s", error)
            else:
                log.debug("could not try for the scheduler lock: %s", error)
            await self._drop()
            return False

    async def _acquire(self) -> bool:
        """Open a connection and try the lock on it; keep the connection only when it got it."""
        connection = await self.engine.connect()
        try:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            got = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            )
        except BaseException:
            await connection.close()
            raise
        if not got:
            await connection.close()
            return False
        self._connection = connection
        log.info("this process now leads the scheduler")
        return True

    async def _drop(self) -> None:
        """Forget the lock's connection, closing it (which releases the lock) if still open."""
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()

    async def _watch(self) -> None:
        """Every retry interval: confirm the lock is still ours, or try to take it."""
        while True:
            await asyncio.sleep(self.retry_seconds)
            await self.check()
