"""Deciding to send a message: writing a delivery row with a unique key, once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DeliveryState
from db.models import Delivery
from db.text import clean


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    chat_id: int,
    payload: dict[str, Any],
    now: dt.datetime,
    member_id: int | None = None,
    not_before: dt.datetime | None = None,
    late: bool = False,
) -> bool:
    """Add a delivery unless one with the same key exists; True when it was added."""
    values = {
        "idempotency_key": key,
        "kind": kind,
        "chat_id": chat_id,
        "member_id": member_id,
        "payload": clean(payload),
        "state": DeliveryState.PENDING,
        "attempts": 0,
        "next_attempt_at": not_before or now,
        "late": late,
        "created_at": now,
    }
    statement = (
        _insert(session).values(**values).on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))


async def enqueue_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Add many deliveries (rows of Delivery columns), skipping existing keys; how many went in.

    Statements of ROWS_PER_INSERT rows: a sweep's thousands of rows bound at once cost more
    memory than the rows themselves.
    """
    if not rows:
        return 0
    # A Core insert on the table: the ORM's bulk path costs more than the database does.
    statement = (
        _insert(session, Delivery.__table__)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(Delivery.__table__.c.id)
    )
    added = 0
    for start in range(0, len(rows), ROWS_PER_INSERT):
        cleaned = [
            row | {"payload": clean(row["payload"])} if "payload" in row else row
            for row in rows[start : start + ROWS_PER_INSERT]
        ]
        added += len((await session.execute(statement, cleaned)).all())
    return added


def _insert(session: AsyncSession, target: Any = Delivery) -> Any:
    """An INSERT into the outbox in the session's dialect (both know ON CONFLICT DO NOTHING)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(target)


KEY_CHUNK = 500
ROWS_PER_INSERT = 1000


async def existing_keys(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Which of these idempotency keys were already decided (queried in chunks)."""
    found: set[str] = set()
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = list(keys[start : start + KEY_CHUNK])
        found.update(
            await session.scalars(
                select(Delivery.idempotency_key).where(Delivery.idempotency_key.in_(chunk))
            )
        )
    return found


async def cancel_superseded_ids(session: AsyncSession, delivery_ids: Sequence[int]) -> None:
    """Cancel unsent deliveries by id (in chunks) that newer ones replace."""
    for start in range(0, len(delivery_ids), KEY_CHUNK):
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(delivery_ids[start : start + KEY_CHUNK]))
            .values(state=DeliveryState.CANCELLED, last_error="superseded")
            .execution_options(synchronize_session=False)
        )


async def cancel_superseded(
    session: AsyncSession, *, kind: str, key_prefix: str, member_id: int, keep: str
) -> None:
    """Cancel a member's unsent deliveries of a kind under a key prefix that `keep` replaces."""
    await session.execute(
        update(Delivery)
        .where(
            Delivery.kind == kind,
            Delivery.state == DeliveryState.PENDING,
            Delivery.member_id == member_id,
            Delivery.idempotency_key.like(f"{key_prefix}%"),
            Delivery.idempotency_key != keep,
        )
        .values(state=DeliveryState.CANCELLED, last_error="superseded")
        .execution_options(synchronize_session=False)
    )
