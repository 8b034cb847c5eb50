"""The outbox: deciding to send a message is writing a delivery row with a unique key."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DeliveryState, MemberRole
from db.models import Agency, Delivery, Member
from workflows.chat import remember_message


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
    statement = (
        _insert(session).values(**values).on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))


async def enqueue_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Add many deliveries (rows of Delivery columns) in one statement, skipping existing keys.

    Returns how many went in.
    """
    if not rows:
        return 0
    statement = (
        _insert(session)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(Delivery.id)
    )
    result = await session.execute(statement, list(rows))
    return len(result.all())


def _insert(session: AsyncSession) -> Any:
    """An INSERT into the outbox in the session's dialect (both know ON CONFLICT DO NOTHING)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(Delivery)


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


# Kinds that tell coordinators about a failed delivery: when one of them fails, nobody is told
# (that would be an alert about an alert, possibly to the same coordinator, in a loop).
ALERT_KINDS = frozenset({"delivery_failed", "member_unreachable"})
_MAX_KEY = 200


@dataclass(frozen=True)
class Failure:
    """What giving a delivery up led to: whom the coordinators were told through, re-routes."""

    alerted: tuple[int, ...]
    rerouted_to: tuple[int, ...] = ()


async def claim_due(
    session: AsyncSession, *, now: dt.datetime, lease: dt.timedelta, limit: int = 100
) -> list[OutgoingMessage]:
    """Claim due deliveries (and ones a crashed sender left leased) for this sender; commits.

    On PostgreSQL, FOR UPDATE SKIP LOCKED lets several senders claim at once without waiting
    for or doubling each other's rows; the claim is the SENDING state with a lease in
    next_attempt_at, so a row whose claimant died becomes claimable again when it runs out.
    """
    query = (
        select(Delivery)
        .where(
            Delivery.state.in_((DeliveryState.PENDING, DeliveryState.SENDING)),
            Delivery.next_attempt_at <= now,
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    deliveries = list(await session.scalars(query))
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
    place: dict[int, int] = {}
    claimed: list[dict[str, Any]] = []
    for index, d in enumerate(deliveries):
        place[d.chat_id] = place.get(d.chat_id, 0) + 1
        spacing = 3.0 if d.chat_id < 0 else 1.0
        until = now + lease + dt.timedelta(seconds=place[d.chat_id] * spacing + index / 30)
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


def _mine(message: OutgoingMessage) -> Any:
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
    await session.execute(
        update(Delivery)
        .where(Delivery.id == message.delivery_id)
        .values(
            state=DeliveryState.SENT,
            sent_at=now,
            telegram_message_id=message_id,
            attempts=Delivery.attempts + 1,
        )
    )
    if task_id is not None:
        await remember_message(
            session, chat_id=message.chat_id, message_id=message_id, task_id=task_id, now=now
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
        .where(_mine(message))
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
            .where(_mine(message))
            .values(state=DeliveryState.PENDING, next_attempt_at=retry_at)
        )
    await session.commit()


async def record_cancelled(session: AsyncSession, message: OutgoingMessage, *, reason: str) -> None:
    """Drop a delivery that has nothing left to say (its renderer returned nothing); commits."""
    await session.execute(
        update(Delivery)
        .where(_mine(message))
        .values(state=DeliveryState.CANCELLED, last_error=reason)
    )
    await session.commit()


async def record_failure(
    session: AsyncSession, message: OutgoingMessage, *, error: str, now: dt.datetime
) -> Failure:
    """Give a delivery up and tell every active coordinator (unless it was an alert); commits."""
    result = await session.execute(
        update(Delivery)
        .where(_mine(message))
        .values(state=DeliveryState.FAILED, last_error=error[:500], attempts=Delivery.attempts + 1)
    )
    alerted: list[int] = []
    if getattr(result, "rowcount", 0) and message.kind not in ALERT_KINDS:
        recipient = await session.get(Member, message.member_id) if message.member_id else None
        payload = {
            "delivery_id": message.delivery_id,
            "kind": message.kind,
            "member": recipient.display_name if recipient is not None else None,
            "chat_id": message.chat_id,
            "attempts": message.attempts + 1,
            "error": error[:200],
        }
        alerted = await _alert(
            session, kind="delivery_failed", key=f"failed:{message.delivery_id}", payload=payload,
            now=now, skip=message.member_id,
        )  # fmt: skip
    await session.commit()
    return Failure(tuple(alerted))


async def record_blocked(
    session: AsyncSession, message: OutgoingMessage, *, error: str, now: dt.datetime
) -> Failure:
    """A recipient blocked the bot: unreachable, row failed, message re-routed, coordinators told.

    The same payload goes to the agency's deputy, else its other active reachable liaisons;
    coordinators hear of it once per member. Alerts themselves are never re-routed.
    """
    result = await session.execute(
        update(Delivery)
        .where(_mine(message))
        .values(state=DeliveryState.FAILED, last_error=error[:500], attempts=Delivery.attempts + 1)
    )
    if not getattr(result, "rowcount", 0):
        await session.commit()
        return Failure(())
    member = await session.get(Member, message.member_id) if message.member_id else None
    if member is None:
        await session.commit()
        if message.kind in ALERT_KINDS:
            return Failure(())
        return await record_failure_alert_only(session, message, error=error, now=now)
    await mark_unreachable(session, member.id)
    if message.kind in ALERT_KINDS:
        await session.commit()
        return Failure(())
    others = await _stand_ins(session, member)
    for other in others:
        await enqueue(
            session,
            key=_derived_key(f"{message.key}>reroute:{member.id}", other.id),
            kind=message.kind,
            chat_id=other.telegram_id,
            member_id=other.id,
            payload=message.payload,
            now=now,
            late=message.late,
        )
    payload = {
        "member": member.display_name,
        "agency": await _agency_name(session, member.agency_id),
        "rerouted_to": [other.display_name for other in others],
    }
    alerted = await _alert(
        session, kind="member_unreachable", key=f"unreachable:{member.id}", payload=payload,
        now=now, skip=member.id,
    )  # fmt: skip
    await session.commit()
    return Failure(tuple(alerted), tuple(other.id for other in others))


async def record_failure_alert_only(
    session: AsyncSession, message: OutgoingMessage, *, error: str, now: dt.datetime
) -> Failure:
    """Tell the coordinators about a delivery already marked failed (a group chat refused)."""
    payload = {
        "delivery_id": message.delivery_id,
        "kind": message.kind,
        "member": None,
        "chat_id": message.chat_id,
        "attempts": message.attempts + 1,
        "error": error[:200],
    }
    alerted = await _alert(
        session, kind="delivery_failed", key=f"failed:{message.delivery_id}", payload=payload,
        now=now, skip=None,
    )  # fmt: skip
    await session.commit()
    return Failure(tuple(alerted))


async def _stand_ins(session: AsyncSession, member: Member) -> list[Member]:
    """Who receives a blocked member's messages: the agency's deputy, else its other liaisons."""
    if member.agency_id is None or member.role is MemberRole.COORDINATOR:
        return []
    colleagues = list(
        await session.scalars(
            select(Member)
            .where(
                Member.agency_id == member.agency_id,
                Member.id != member.id,
                Member.left_at.is_(None),
                Member.reachable.is_(True),
                Member.role.in_((MemberRole.DEPUTY, MemberRole.LIAISON)),
            )
            .order_by(Member.id)
        )
    )
    deputies = [m for m in colleagues if m.role is MemberRole.DEPUTY]
    return deputies or colleagues


async def _agency_name(session: AsyncSession, agency_id: int | None) -> str | None:
    """An agency's short name."""
    if agency_id is None:
        return None
    return await session.scalar(select(Agency.name).where(Agency.id == agency_id))


async def _alert(
    session: AsyncSession,
    *,
    kind: str,
    key: str,
    payload: dict[str, Any],
    now: dt.datetime,
    skip: int | None,
) -> list[int]:
    """Queue one alert to every active reachable coordinator (but `skip`); their member ids."""
    coordinators = list(
        await session.scalars(
            select(Member).where(
                Member.role == MemberRole.COORDINATOR,
                Member.left_at.is_(None),
                Member.reachable.is_(True),
            )
        )
    )
    alerted = []
    for coordinator in coordinators:
        if coordinator.id == skip:
            continue
        await enqueue(
            session,
            key=_derived_key(f"alert:{key}", coordinator.id),
            kind=kind,
            chat_id=coordinator.telegram_id,
            member_id=coordinator.id,
            payload=payload,
            now=now,
        )
        alerted.append(coordinator.id)
    return alerted


def _derived_key(base: str, recipient: int) -> str:
    """A key for a message derived from another, to one recipient, within the column's width."""
    key = f"{base}>{recipient}"
    if len(key) <= _MAX_KEY:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: _MAX_KEY - 65]}#{digest}"


KEY_CHUNK = 500


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
