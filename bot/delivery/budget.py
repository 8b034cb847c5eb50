"""One send budget for every process: shared in PostgreSQL, or one sending process on SQLite.

Telegram's limits (30 messages/s overall, 1/s per chat, 20/min per group) are the bot's, not a
process's. On PostgreSQL each process admits its messages through the `send_slot` table under
one advisory lock, so all of them together keep within the limits; on an SQLite file a lock
file lets one process send the outbox and the others leave it alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import math
import os
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from bot.delivery.pacing import Pacer, _Send, _Window
from db.send_budget import (
    GROUP_WINDOW,
    IN_FLIGHT_SECONDS,
    PRIVATE_WINDOW,
    SlotRow,
    add_holds,
    add_slots,
    counted_slots,
    end_dead_and_forget_old,
    end_slots,
    hold_owner_lock,
    take_turn,
)

log = logging.getLogger(__name__)

# How often to ask again while only another process's message in flight can free a place.
POLL_SECONDS = 0.02
RETRY_SECONDS = 1.0  # after the database failed a round
SWEEP_SECONDS = 1.0  # how often a process deletes rows no window counts any more
AHEAD_SECONDS = 0.2  # a place that frees this soon is given now, with the moment it frees
OFFSET_MEMORY_SECONDS = 10.0  # readings of the database's clock kept to place this one on it


@dataclass
class _Request:
    """A message waiting for a place: its chat; then its row and when (monotonic) it may go."""

    chat_id: int | None
    admitted: asyncio.Future[tuple[int, float]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class SharedPacer(Pacer):
    """The Pacer of a process on PostgreSQL: every process draws from one budget in the database.

    A message counts from its admission until the end of its answer plus the window, as in
    Pacer, so late or slow requests never overfill a window at Telegram. One task per
    process admits the waiting messages in rounds of one transaction each, under a
    transaction-level advisory lock. A place that frees within AHEAD_SECONDS is given
    at once with the moment it frees: the message waits for that moment here, so the
    round's own time is not lost from every place's second.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        overall_per_second: int = 30,
        private_per_second: int = 1,
        group_per_minute: int = 20,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        super().__init__(
            overall_per_second=overall_per_second,
            private_per_second=private_per_second,
            group_per_minute=group_per_minute,
        )
        self.engine = engine
        self.poll_seconds = poll_seconds
        self.owner = random.randint(1, 2**31 - 1)
        self._pending: list[_Request] = []
        self._ended: list[tuple[int, float]] = []  # row ids and when answers came (monotonic)
        self._holds: list[tuple[int, float]] = []
        self._poke = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._connection: AsyncConnection | None = None
        self._swept = -math.inf
        self._failures = 0
        # (when, low, high): the database's clock minus this process's lies in [low, high].
        self._offsets: deque[tuple[float, float, float]] = deque()
        self._begun = 0  # rounds begun, and rounds that reached the database and ended
        self._ended_rounds = 0
        self._round_ended = asyncio.Condition()

    def hold(self, chat_id: int, seconds: float) -> None:
        """Send nothing more to a chat for a while, in every process (a 429's retry_after)."""
        self._holds.append((chat_id, seconds))
        self._start()

    @asynccontextmanager
    async def slot(self, chat_id: int | None) -> AsyncIterator[None]:
        """Wait until the shared budget admits a message to chat_id; count it while it is sent."""
        request = _Request(chat_id)
        self._pending.append(request)
        self._start()
        try:
            slot_id, not_before = await asyncio.shield(request.admitted)
        except asyncio.CancelledError:
            request.admitted.cancel()
            if request.admitted.done() and not request.admitted.cancelled():
                self._end(request.admitted.result()[0])
            raise
        try:
            delay = not_before - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            yield
        finally:
            self._end(slot_id)

    async def next_round(self) -> None:
        """Return once a round begun after this call has ended: what it holds is written,
        and every waiting message that fits by then is admitted."""
        target = self._begun + 1
        self._start()
        async with self._round_ended:
            await self._round_ended.wait_for(lambda: self._ended_rounds >= target)

    async def close(self) -> None:
        """Record what ended, stop the admitting task and close its connection."""
        if self._task is not None and (self._ended or self._holds):
            self._poke.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._task), timeout=2)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        await self._drop()

    def _end(self, slot_id: int) -> None:
        """A message's answer arrived: its row ends then, written at the next round (now)."""
        self._ended.append((slot_id, time.monotonic()))
        self._start()

    def _start(self) -> None:
        """Wake the admitting task, starting it if it is not running."""
        self._poke.set()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._admit_loop(), name="send-budget"
            )

    async def _admit_loop(self) -> None:
        """Run rounds while anything waits or has ended; then stop (a new request restarts it)."""
        while True:
            self._poke.clear()
            self._begun += 1
            try:
                wait = await self._round()
                self._failures = 0
                async with self._round_ended:
                    self._ended_rounds = self._begun
                    self._round_ended.notify_all()
            except Exception as error:  # a database hiccup: waiters wait, the next round retries
                log.warning("the send budget could not be read: %r", error)
                await self._drop()
                # At once on a new connection (the kept one may have been closed while idle).
                wait = RETRY_SECONDS if self._failures else 0.0
                self._failures += 1
            self._pending = [r for r in self._pending if not r.admitted.done()]
            if not (self._pending or self._ended or self._holds or self._poke.is_set()):
                return
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._poke.wait(), timeout=wait)

    async def _connect(self) -> AsyncConnection:
        """This process's connection for the budget (kept: a round is a few statements)."""
        if self._connection is None:
            connection = await self.engine.connect()
            try:
                await hold_owner_lock(connection, self.owner)
            except BaseException:
                await connection.close()
                raise
            self._connection = connection
        return self._connection

    async def _drop(self) -> None:
        """Close the budget's connection (after a failure, or at shutdown)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()

    async def _round(self) -> float:
        """One transaction: record ends and holds, admit what fits; seconds until the next try."""
        connection = await self._connect()
        ended, self._ended = self._ended, []
        holds, self._holds = self._holds, []
        waiting = [r for r in self._pending if not r.admitted.done()]
        admitted: list[tuple[_Request, float]] = []
        slot_ids: list[int] = []
        wait = math.inf
        try:
            async with connection.begin():
                asked = time.monotonic()
                before, now = await take_turn(connection)
                low, high = self._offset(asked, before, time.monotonic())
                if ended:
                    # Placed on the database's clock no earlier than they happened.
                    await end_slots(connection, [(i, min(now, at + high)) for i, at in ended])
                if holds:
                    await add_holds(connection, holds, now=now)
                if now - self._swept >= SWEEP_SECONDS:
                    await end_dead_and_forget_old(connection, now=now)
                    self._swept = now
                if waiting:
                    chats = [r.chat_id for r in waiting if r.chat_id is not None]
                    rows = await counted_slots(connection, now=now, chats=chats)
                    admitted, wait = self._admit(now, waiting, rows)
                if admitted:
                    slot_ids = await add_slots(
                        connection, [(r.chat_id, start) for r, start in admitted], owner=self.owner
                    )
        except BaseException:
            self._ended[:0] = ended  # recorded at the next round instead
            self._holds[:0] = holds
            raise
        for (request, start), slot_id in zip(admitted, slot_ids, strict=True):
            if request.admitted.done():  # its waiter gave up meanwhile
                self._ended.append((slot_id, time.monotonic()))
            else:
                # Sent no earlier than `start` on the database's clock.
                request.admitted.set_result((slot_id, start - low))
        if self._ended:
            return 0.0
        if math.isinf(wait):
            return self.poll_seconds
        return max(wait - AHEAD_SECONDS / 2, 0.001)

    def _offset(self, asked: float, read: float, answered: float) -> tuple[float, float]:
        """Bounds on the database's clock minus this one, from the last seconds' readings."""
        self._offsets.append((answered, read - answered, read - asked))
        while self._offsets[0][0] < answered - OFFSET_MEMORY_SECONDS:
            self._offsets.popleft()
        low = max(sample[1] for sample in self._offsets)
        high = min(sample[2] for sample in self._offsets)
        if low > high:  # a clock stepped: trust only this reading
            self._offsets = deque([self._offsets[-1]])
            return read - answered, read - asked
        return low, high

    def _admit(
        self, now: float, waiting: list[_Request], rows: Sequence[SlotRow]
    ) -> tuple[list[tuple[_Request, float]], float]:
        """Which waiting messages fit every window soon, in order, and from when (the database's
        clock); and the shortest wait of the others."""
        overall = _Window(self._overall.limit, self._overall.seconds)
        chats: dict[int, _Window] = {}
        for request in waiting:
            if request.chat_id is not None and request.chat_id not in chats:
                chats[request.chat_id] = self._fresh_window(request.chat_id)
        for chat_id, started_at, ended_at, hold in rows:
            if ended_at is None and started_at < now - IN_FLIGHT_SECONDS:
                ended_at = started_at + IN_FLIGHT_SECONDS  # its process died mid-send
            window = chats.get(chat_id) if chat_id is not None else None
            if hold:
                if window is not None and ended_at is not None:  # a hold is written with its end
                    window.held_until = max(window.held_until, ended_at)
                continue
            send = _Send(math.inf if ended_at is None else ended_at)
            overall.sends.append(send)
            if window is not None:
                window.sends.append(send)
        admitted: list[tuple[_Request, float]] = []
        wait = math.inf
        for request in waiting:
            chat = chats.get(request.chat_id) if request.chat_id is not None else None
            fits = max(overall.wait(now), chat.wait(now) if chat is not None else 0.0)
            if fits > AHEAD_SECONDS:
                wait = min(wait, fits)
                continue
            # In flight from now on: the place it takes is no one else's.
            send = _Send()
            overall.sends.append(send)
            if chat is not None:
                chat.sends.append(send)
            admitted.append((request, now + fits))
        return admitted, wait

    def _fresh_window(self, chat_id: int) -> _Window:
        """An empty window with a chat's limit (groups have negative ids)."""
        if chat_id < 0:
            return _Window(self._group_per_minute, GROUP_WINDOW)
        return _Window(self._private_per_second, PRIVATE_WINDOW)


def shared_pacer(sessions: async_sessionmaker[AsyncSession]) -> SharedPacer | None:
    """The shared budget when the sessions' database is PostgreSQL; None for a local Pacer."""
    engine = sessions.kw.get("bind")
    if isinstance(engine, AsyncEngine) and engine.dialect.name == "postgresql":
        return SharedPacer(engine)
    return None


# SQLite: the sending lock files this process holds, by path (a process takes each once).
_TURNS: dict[Path, IO[bytes]] = {}


class OutboxTurn:
    """Whether this process sends the outbox: on an SQLite file, only the holder of its lock file.

    Several processes on one SQLite file would each pace themselves to Telegram's limits and
    together exceed them; so the first to drain takes the lock and the others log that they
    leave the outbox to it, trying again at each drain (taking over when it stops).
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._refused = False

    def mine(self) -> bool:
        """Whether this process may send now (taking the lock if it is free)."""
        if self.path is None or self.path in _TURNS:
            return True
        handle = self.path.open("ab")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            if not self._refused:
                log.warning(
                    "another process (pid %s) sends the outbox of this SQLite database;"
                    " this one sends nothing until that one stops (lock %s)",
                    _holder(self.path),
                    self.path,
                )
                self._refused = True
            return False
        handle.truncate(0)
        handle.write(str(os.getpid()).encode())
        handle.flush()
        _TURNS[self.path] = handle
        log.info("this process sends the outbox (lock %s)", self.path)
        self._refused = False
        return True


def _holder(path: Path) -> str:
    """The pid the lock's holder wrote into it, if readable."""
    try:
        return path.read_text().strip() or "?"
    except OSError:
        return "?"


def outbox_turn(sessions: async_sessionmaker[AsyncSession]) -> OutboxTurn:
    """The outbox turn for the sessions' database: a lock file beside an SQLite file."""
    engine = sessions.kw.get("bind")
    if not isinstance(engine, AsyncEngine) or engine.dialect.name != "sqlite":
        return OutboxTurn(None)
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return OutboxTurn(None)
    return OutboxTurn(Path(database).resolve().with_name(Path(database).name + ".sender-lock"))
