"""Deliveries given up: failures and blocked members, alerts to coordinators, re-routing."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DeliveryState, MemberRole
from db.models import Agency, Delivery, Member
from workflows.outbox.queue import enqueue
from workflows.outbox.sending import OutgoingMessage, still_claimed

# Kinds that tell coordinators about a failed delivery: when one of them fails, nobody is told
# (that would be an alert about an alert, possibly to the same coordinator, in a loop).
ALERT_KINDS = frozenset({"delivery_failed", "member_unreachable"})


_MAX_KEY = 200


@dataclass(frozen=True)
class Failure:
    """What giving a delivery up led to: whom the coordinators were told through, re-routes."""

    alerted: tuple[int, ...]
    rerouted_to: tuple[int, ...] = ()


async def record_failure(
    session: AsyncSession, message: OutgoingMessage, *, error: str, now: dt.datetime
) -> Failure:
    """Give a delivery up and tell every active coordinator (unless it was an alert); commits."""
    result = await session.execute(
        update(Delivery)
        .where(still_claimed(message))
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
        .where(still_claimed(message))
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


async def mark_unreachable(session: AsyncSession, member_id: int) -> None:
    """Note that a member blocked the bot, so others are tried instead."""
    await session.execute(update(Member).where(Member.id == member_id).values(reachable=False))
