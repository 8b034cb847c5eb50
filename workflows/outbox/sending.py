"""Sending from the outbox: claiming due deliveries under a lease and recording what happened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DeliveryState
from db.models import Delivery, Member
from workflows.chat import remember_message

# At most this many more rows are claimed to join the groups of one batch.
GROUP_CLAIM_LIMIT = 1000


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
    key: str = ""
    lease: dt.datetime | None = None  # set when claimed: only its claimant may record the outcome


def _due(now: dt.datetime) -> Any:
    """The condition that a delivery is due (waiting, or left leased by a sender)."""
    return Delivery.state.in_((DeliveryState.PENDING, DeliveryState.SENDING)) & (
        Delivery.next_attempt_at <= now
    )


async def _locked(session: AsyncSession, query: Any) -> list[Delivery]:
    """The rows of a query, locked (skipping others' locks) where the database can."""
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(await session.scalars(query))


async def claim_due(
    session: AsyncSession,
    *,
    now: dt.datetime,
    lease: dt.timedelta,
    limit: int = 100,
    together: Collection[str] = (),
) -> list[OutgoingMessage]:
    """Claim due deliveries (and ones a crashed sender left leased) for this sender; commits.

    On PostgreSQL, FOR UPDATE SKIP LOCKED lets several senders claim at once without waiting
    for or doubling each other's rows; the claim is the SENDING state with a lease in
    next_attempt_at, so a row whose claimant died becomes claimable again when it runs out.
    Deliveries of the `together` kinds are claimed with every other due one of those kinds in
    the same chat, under one lease, so that they can go as one message.
    """
    query = (
        select(Delivery)
        .where(_due(now))
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    deliveries = await _locked(session, query)
    grouped_chats = {d.chat_id for d in deliveries if d.kind in together}
    if grouped_chats:
        taken = {d.id for d in deliveries}
        more = await _locked(
            session,
            select(Delivery)
            .where(
                _due(now),
                Delivery.kind.in_(together),
                Delivery.chat_id.in_(grouped_chats),
                Delivery.id.not_in(taken),
            )
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(GROUP_CLAIM_LIMIT),
        )
        deliveries += more
    if not deliveries:
        await session.commit()
        return []
    member_ids = {d.member_id for d in deliveries if d.member_id is not None}
    rows = await session.execute(
        select(Member.id, Member.language).where(Member.id.in_(member_ids))
    )
    languages = {member_id: language for member_id, language in rows}
    # Rows queued behind others in the same chat wait for the pacer: their lease grows with
    # their place (a group takes 20 a minute), so a live sender never loses them mid-batch.
    # A chat's rows going together share one place and one lease (they are one message).
    place: dict[int, int] = {}
    group_lease: dict[int, dt.datetime] = {}
    claimed: list[dict[str, Any]] = []
    for index, d in enumerate(deliveries):
        if d.kind in together and d.chat_id in group_lease:
            until = group_lease[d.chat_id]
        else:
            place[d.chat_id] = place.get(d.chat_id, 0) + 1
            spacing = 3.0 if d.chat_id < 0 else 1.0
            until = now + lease + dt.timedelta(seconds=place[d.chat_id] * spacing + index / 30)
            if d.kind in together:
                group_lease[d.chat_id] = until
        claimed.append({"id": d.id, "state": DeliveryState.SENDING, "next_attempt_at": until})
    await session.execute(update(Delivery), claimed)
    await session.commit()
    return [
        OutgoingMessage(
            d.id,
            d.kind,
            d.chat_id,
            d.member_id,
            languages.get(d.member_id, "zh") if d.member_id is not None else "zh",
            d.payload,
            d.attempts,
            d.late,
            d.idempotency_key,
            row["next_attempt_at"],
        )
        for d, row in zip(deliveries, claimed, strict=True)
    ]


async def next_due(session: AsyncSession) -> dt.datetime | None:
    """When the earliest unsent delivery (waiting, or leased by a sender) falls due; None: none."""
    return await session.scalar(
        select(func.min(Delivery.next_attempt_at)).where(
            Delivery.state.in_((DeliveryState.PENDING, DeliveryState.SENDING))
        )
    )


def still_claimed(message: OutgoingMessage) -> Any:
    """The condition that the row is still this sender's claim."""
    return (
        (Delivery.id == message.delivery_id)
        & (Delivery.state == DeliveryState.SENDING)
        & (Delivery.next_attempt_at == message.lease)
    )


async def record_sent(
    session: AsyncSession,
    message: OutgoingMessage,
    *,
    now: dt.datetime,
    message_id: int,
    task_id: int | None,
) -> None:
    """Record that Telegram accepted a delivery (and which task the message is about); commits."""
    await record_sent_together(session, [message], now=now, message_id=message_id, task_id=task_id)


async def record_sent_together(
    session: AsyncSession,
    messages: Sequence[OutgoingMessage],
    *,
    now: dt.datetime,
    message_id: int,
    task_id: int | None,
) -> None:
    """Record that one Telegram message carried these deliveries, all in one commit."""
    ids = [message.delivery_id for message in messages]
    await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids))
        .values(
            state=DeliveryState.SENT,
            sent_at=now,
            telegram_message_id=message_id,
            attempts=Delivery.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if task_id is not None and messages:
        await remember_message(
            session, chat_id=messages[0].chat_id, message_id=message_id, task_id=task_id, now=now
        )
    await session.commit()


async def record_retry(
    session: AsyncSession,
    message: OutgoingMessage,
    *,
    retry_at: dt.datetime,
    error: str,
    count_attempt: bool = True,
) -> bool:
    """Put a claimed delivery back to be tried at retry_at; False if it was no longer ours."""
    result = await session.execute(
        update(Delivery)
        .where(still_claimed(message))
        .values(
            state=DeliveryState.PENDING,
            next_attempt_at=retry_at,
            last_error=error[:500],
            attempts=Delivery.attempts + (1 if count_attempt else 0),
        )
    )
    await session.commit()
    return bool(getattr(result, "rowcount", 0))


async def release(
    session: AsyncSession, messages: list[OutgoingMessage], *, retry_at: dt.datetime
) -> None:
    """Hand claimed but unsent deliveries back, due at retry_at (no attempt counted); commits."""
    for message in messages:
        await session.execute(
            update(Delivery)
            .where(still_claimed(message))
            .values(state=DeliveryState.PENDING, next_attempt_at=retry_at)
        )
    await session.commit()


async def record_cancelled(session: AsyncSession, message: OutgoingMessage, *, reason: str) -> None:
    """Drop a delivery that has nothing left to say (its renderer returned nothing); commits."""
    await session.execute(
        update(Delivery)
        .where(still_claimed(message))
        .values(state=DeliveryState.CANCELLED, last_error=reason)
    )
    await session.commit()
