"""The shared send budget's statements (PostgreSQL): its rows, its lock and its clock.

Every process admits messages through the `send_slot` table under one transaction-level
advisory lock, on the database's clock (epoch seconds), so that all of them read one clock.
A live process also holds a session-level advisory lock (OWNER_CLASS, its owner number) on
its budget connection: the rows it left in flight when it died are ended by the next sweep.
The caller owns the connection and each round's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, bindparam, delete, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from db.models import SendSlot

BUDGET_LOCK_KEY = 0x616E6E6578627564  # "annexbud": admissions happen one at a time
OWNER_CLASS = 0x616E6E65
# A row left in flight by a process that lives on (a lost answer) counts this long at most.
IN_FLIGHT_SECONDS = 120.0
GROUP_WINDOW = 60.0
PRIVATE_WINDOW = 1.0

SlotRow = tuple[int | None, float, float | None, bool]

# The database's clock before taking the lock (to place this process's clock on it) and after.
_NOW = text(
    "SELECT before, extract(epoch FROM clock_timestamp())::float8 FROM"
    " (SELECT extract(epoch FROM clock_timestamp())::float8 AS before,"
    " pg_advisory_xact_lock(:key) AS locked) AS taken"
)
# The rows in flight of processes that died (their owner lock is gone) end now.
_DEAD = text(
    "UPDATE send_slot SET ended_at = :now WHERE ended_at IS NULL AND owner IS NOT NULL"
    " AND NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND classid = CAST(:class AS oid) AND objid = CAST(owner AS oid) AND objsubid = 2)"
)
_END = update(SendSlot).where(SendSlot.id == bindparam("slot")).values(ended_at=bindparam("ended"))


async def hold_owner_lock(connection: AsyncConnection, owner: int) -> None:
    """Mark the connection's process as alive, for as long as the connection lives."""
    async with connection.begin():
        await connection.execute(
            text("SELECT pg_advisory_lock(:class, :owner)"),
            {"class": OWNER_CLASS, "owner": owner},
        )


async def take_turn(connection: AsyncConnection) -> tuple[float, float]:
    """Take the admissions lock; the database's clock before asking for it and once it is held."""
    before, now = (await connection.execute(_NOW, {"key": BUDGET_LOCK_KEY})).one()
    return float(before), float(now)


async def end_slots(connection: AsyncConnection, ended: Sequence[tuple[int, float]]) -> None:
    """End the rows of messages whose answers came (row id, when on the database's clock)."""
    await connection.execute(_END, [{"slot": i, "ended": at} for i, at in ended])


async def add_holds(
    connection: AsyncConnection, holds: Sequence[tuple[int, float]], *, now: float
) -> None:
    """Hold chats from now for a number of seconds each (Telegram's retry_after)."""
    await connection.execute(
        insert(SendSlot),
        [{"chat_id": c, "started_at": now, "ended_at": now + s, "hold": True} for c, s in holds],
    )


async def end_dead_and_forget_old(connection: AsyncConnection, *, now: float) -> None:
    """End the rows of processes that died; delete the rows no window counts any more."""
    await connection.execute(_DEAD, {"now": now, "class": OWNER_CLASS})
    end = func.coalesce(SendSlot.ended_at, SendSlot.started_at + IN_FLIGHT_SECONDS)
    await connection.execute(
        delete(SendSlot).where(
            or_(
                end < now - GROUP_WINDOW,
                (SendSlot.chat_id >= 0) & (end < now - PRIVATE_WINDOW),
            )
        )
    )


async def counted_slots(
    connection: AsyncConnection, *, now: float, chats: Sequence[int]
) -> list[SlotRow]:
    """The rows that may still count: in the last second overall, or for one of the chats."""
    query: Select[int | None, float, float | None, bool] = select(
        SendSlot.chat_id, SendSlot.started_at, SendSlot.ended_at, SendSlot.hold
    )
    recent = or_(SendSlot.ended_at.is_(None), SendSlot.ended_at > now - PRIVATE_WINDOW)
    if chats:
        query = query.where(or_(recent, SendSlot.chat_id.in_(sorted(set(chats)))))
    else:
        query = query.where(recent)
    return [(c, s, e, h) for c, s, e, h in await connection.execute(query)]


async def add_slots(
    connection: AsyncConnection, starts: Sequence[tuple[int | None, float]], *, owner: int
) -> list[int]:
    """Rows for admitted messages (chat, start on the database's clock), in flight; their ids."""
    ids = await connection.scalars(
        insert(SendSlot).returning(SendSlot.id, sort_by_parameter_order=True),
        [
            {"chat_id": chat_id, "started_at": start, "hold": False, "owner": owner}
            for chat_id, start in starts
        ],
    )
    return list(ids)
