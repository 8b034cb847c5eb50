"""The outbox: deciding to send a message is writing a delivery row with a unique key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DeliveryState
from db.models import Delivery, Member


@dataclass(frozen=True)
class OutgoingMessage:
    """A delivery ready to render and send."""

    delivery_id: int
    kind: str
    chat_id: int
    member_id: int | None
    language: str
    payload: dict[str, Any]
    attempts: int
    late: bool


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
        "payload": payload,
        "state": DeliveryState.PENDING,
        "attempts": 0,
        "next_attempt_at": not_before or now,
        "late": late,
        "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Delivery).values(**values).on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))


async def due_messages(
    session: AsyncSession, *, now: dt.datetime, limit: int = 100
) -> list[OutgoingMessage]:
    """Pending deliveries whose time has come, oldest first, with the recipient's language."""
    rows = await session.execute(
        select(Delivery, Member.language)
        .outerjoin(Member, Member.id == Delivery.member_id)
        .where(Delivery.state == DeliveryState.PENDING, Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    return [
        OutgoingMessage(
            d.id, d.kind, d.chat_id, d.member_id, language or "zh", d.payload, d.attempts, d.late
        )
        for d, language in rows
    ]


async def mark_sent(
    session: AsyncSession, delivery_id: int, *, now: dt.datetime, message_id: int | None
) -> None:
    """Record that a delivery reached Telegram."""
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(
            state=DeliveryState.SENT,
            sent_at=now,
            telegram_message_id=message_id,
            attempts=Delivery.attempts + 1,
        )
    )


async def mark_retry(
    session: AsyncSession, delivery_id: int, *, next_attempt_at: dt.datetime, error: str
) -> None:
    """Count a failed attempt and set when to try again."""
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(next_attempt_at=next_attempt_at, last_error=error, attempts=Delivery.attempts + 1)
    )


async def mark_failed(session: AsyncSession, delivery_id: int, *, error: str) -> None:
    """Give a delivery up."""
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(state=DeliveryState.FAILED, last_error=error, attempts=Delivery.attempts + 1)
    )


async def mark_unreachable(session: AsyncSession, member_id: int) -> None:
    """Note that a member blocked the bot, so others are tried instead."""
    await session.execute(update(Member).where(Member.id == member_id).values(reachable=False))
