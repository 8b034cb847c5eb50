"""Ending access: a member leaves or is removed, and the feed links that hung on them die."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DeliveryState, MemberRole
from db.models import Agency, Delivery, Member
from workflows.access import Actor, identify, require_coordinator
from workflows.audit import record
from workflows.errors import ConflictError, NotFoundError
from workflows.feeds.tokens import revoke_links_depending_on
from workflows.members import MemberView, agency_name_of, member_snapshot, member_view
from workflows.open_invites import revoke_invites_made_by
from workflows.outbox.queue import enqueue
from workflows.web_access import end_sessions

MEMBER_DEPARTED = "member_departed"
MEMBER_REMOVED = "member_removed"
LEFT, REMOVED = "left", "removed"


@dataclass(frozen=True)
class Departure:
    """A member who left or was removed, and the links (labels) and invites revoked with them."""

    member: MemberView
    revoked_links: tuple[str, ...]
    revoked_invites: tuple[int, ...] = ()


async def find_member(session: AsyncSession, who: str) -> MemberView:
    """An active member by @username, Telegram id or name; several of one name are refused."""
    who = who.strip()
    if not who:
        raise NotFoundError("Usage: /members remove MEMBER (a name, @username or Telegram id).")
    query = (
        select(Member, Agency.name)
        .outerjoin(Agency, Agency.id == Member.agency_id)
        .where(Member.left_at.is_(None))
        .order_by(Member.id)
    )
    if who.startswith("@"):
        query = query.where(func.lower(Member.username) == who[1:].lower())
    elif who.isascii() and who.isdigit():
        query = query.where(Member.telegram_id == int(who))
    else:
        query = query.where(func.lower(Member.display_name) == who.lower())
    found = [member_view(member, agency) for member, agency in await session.execute(query)]
    if not found:
        raise NotFoundError("No registered member is called “{who}”; /members lists them.", who=who)
    if len(found) > 1:
        names = "; ".join(
            f"{m.display_name} ({m.agency_name or m.role}, {m.telegram_id})" for m in found
        )
        raise ConflictError(
            "Several members are called “{who}”: {names}. Name one by @username or Telegram id.",
            who=who,
            names=names,
        )
    return found[0]


async def removable_member(
    *, session: AsyncSession, by_telegram_id: int | None, who: str
) -> MemberView:
    """The member a coordinator (None: the command line) asks to remove, checked."""
    actor = await _coordinator_or_shell(session, by_telegram_id)
    found = await find_member(session, who)
    if actor is not None and found.member_id == actor.member_id:
        raise ConflictError("You cannot remove yourself; send /leave instead.")
    return found


async def remove_member(
    *, session: AsyncSession, by_telegram_id: int | None, member_id: int, now: dt.datetime
) -> Departure:
    """End another member's access (a coordinator, or None: the command line), audited."""
    actor = await _coordinator_or_shell(session, by_telegram_id)
    member = await session.get(Member, member_id)
    if member is None or member.left_at is not None:
        raise ConflictError("This member is no longer registered.")
    if actor is not None and member.id == actor.member_id:
        raise ConflictError("You cannot remove yourself; send /leave instead.")
    departure = await _depart(session, member, actor, now, REMOVED)
    await session.commit()
    return departure


async def leave(*, session: AsyncSession, telegram_id: int, now: dt.datetime) -> Departure:
    """End one's own membership; the person may register again with a new invite."""
    actor = await identify(session, telegram_id)
    member = await session.get(Member, actor.member_id)
    assert member is not None
    departure = await _depart(session, member, actor, now, LEFT)
    await session.commit()
    return departure


async def _coordinator_or_shell(session: AsyncSession, telegram_id: int | None) -> Actor | None:
    """The acting coordinator, or None for the command line (which needs no member)."""
    if telegram_id is None:
        return None
    actor = await identify(session, telegram_id)
    require_coordinator(actor)
    return actor


async def _depart(
    session: AsyncSession, member: Member, actor: Actor | None, now: dt.datetime, how: str
) -> Departure:
    """Mark the member gone, revoke what hung on them, audit it, tell the other coordinators."""
    before = member_snapshot(member)
    member.left_at = now
    # Whoever registers again must not find their old board sessions alive.
    await end_sessions(session, member_id=member.id, now=now)
    record(
        session,
        at=now,
        actor=actor,
        action=f"member.{how}",
        entity="member",
        entity_id=member.id,
        before=before,
        after=member_snapshot(member),
    )
    await _cancel_unsent(session, member, how)
    links = await revoke_links_depending_on(session, member_id=member.id, now=now, actor=actor)
    invites = await revoke_invites_made_by(session, member_id=member.id, actor=actor, now=now)
    view = member_view(member, await agency_name_of(session, member.agency_id))
    departure = Departure(view, tuple(link.label for link in links), tuple(invites))
    await _tell_coordinators(session, departure, actor, now, how)
    if how == REMOVED:
        await _tell_removed(session, member, actor, now)
    return departure


async def _tell_removed(
    session: AsyncSession, member: Member, actor: Actor | None, now: dt.datetime
) -> None:
    """Queue a last note to the removed member, so their silence is not a mystery."""
    await enqueue(
        session,
        key=f"{MEMBER_REMOVED}:{member.id}:{now.isoformat()}",
        kind=MEMBER_REMOVED,
        chat_id=member.telegram_id,
        member_id=member.id,
        payload={"by": actor.display_name if actor is not None else None},
        now=now,
    )


async def _cancel_unsent(session: AsyncSession, member: Member, how: str) -> None:
    """Call off what waits to be sent to them (a reminder held for the morning, say)."""
    await session.execute(
        update(Delivery)
        .where(
            Delivery.state == DeliveryState.PENDING,
            or_(Delivery.member_id == member.id, Delivery.chat_id == member.telegram_id),
        )
        .values(state=DeliveryState.CANCELLED, last_error=f"member {how}")
        .execution_options(synchronize_session=False)
    )


async def _tell_coordinators(
    session: AsyncSession, departure: Departure, actor: Actor | None, now: dt.datetime, how: str
) -> None:
    """Queue a note to every other active coordinator: who went, how, which links died."""
    coordinators = await session.scalars(
        select(Member).where(
            Member.role == MemberRole.COORDINATOR,
            Member.left_at.is_(None),
            Member.reachable.is_(True),
        )
    )
    gone = departure.member
    payload = {
        "member": gone.display_name,
        "agency": gone.agency_name,
        "how": how,
        "by": actor.display_name if actor is not None and how == REMOVED else None,
        "links": list(departure.revoked_links),
        "invites": list(departure.revoked_invites),
    }
    for coordinator in coordinators:
        if actor is not None and coordinator.id == actor.member_id:
            continue  # the one who removed them reads it in their answer
        await enqueue(
            session,
            key=f"{MEMBER_DEPARTED}:{gone.member_id}:{now.isoformat()}>{coordinator.id}",
            kind=MEMBER_DEPARTED,
            chat_id=coordinator.telegram_id,
            member_id=coordinator.id,
            payload=payload,
            now=now,
        )
