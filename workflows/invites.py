"""Invites: single-use codes kept as hashes, made by coordinators, redeemed to register."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MemberRole
from db.models import Agency, Invite, Member
from workflows.access import Actor, identify, require_coordinator
from workflows.agencies import find_agency
from workflows.audit import record
from workflows.errors import ConflictError, InvalidInputError, NotFoundError
from workflows.members import (
    LANGUAGES,
    MemberView,
    agency_name_of,
    member_actor,
    member_snapshot,
    member_view,
    refuse_if_registered,
)
from workflows.notices import AGENCY_ROLES, enqueue_pending_notices

INVITE_TTL = dt.timedelta(days=7)


CODE_BYTES = 16


@dataclass(frozen=True)
class InviteView:
    """A fresh invite: the code is shown once and never stored."""

    code: str
    role: str
    agency_name: str | None
    expires_at: dt.datetime


@dataclass(frozen=True)
class Registration:
    """The outcome of redeeming an invite."""

    member: MemberView
    first_liaison: bool
    notices: int


def hash_code(code: str) -> str:
    """The stored form of an invite code."""
    return hashlib.sha256(code.encode()).hexdigest()


async def create_invite(
    *,
    session: AsyncSession,
    by_telegram_id: int | None,
    now: dt.datetime,
    agency: str | None = None,
    coordinator: bool = False,
    deputy: bool = False,
    ttl: dt.timedelta = INVITE_TTL,
) -> InviteView:
    """A single-use invite to an agency (liaison or deputy) or as coordinator.

    `by_telegram_id` None means the command line, which needs no coordinator.
    """
    actor = None
    if by_telegram_id is not None:
        actor = await identify(session, by_telegram_id)
        require_coordinator(actor)
    if coordinator == bool(agency and agency.strip()):
        raise InvalidInputError("Usage: /invite AGENCY [deputy], or /invite coordinator.")
    found: Agency | None = None
    if not coordinator:
        assert agency is not None
        found = await find_agency(session, agency.strip())
        if found is None:
            raise NotFoundError("No agency is called “{name}”.", name=agency.strip())
    role = (
        MemberRole.COORDINATOR
        if coordinator
        else (MemberRole.DEPUTY if deputy else MemberRole.LIAISON)
    )
    code = secrets.token_urlsafe(CODE_BYTES)
    invite = Invite(
        code_hash=hash_code(code),
        agency_id=found.id if found else None,
        role=role,
        created_by_id=actor.member_id if actor else None,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(invite)
    await session.flush()
    record(
        session,
        at=now,
        actor=actor,
        action="invite.created",
        entity="invite",
        entity_id=invite.id,
        after={
            "role": str(role),
            "agency_id": invite.agency_id,
            "expires_at": invite.expires_at.isoformat(),
        },
    )
    await session.commit()
    return InviteView(code, str(role), found.name if found else None, invite.expires_at)


async def _claim_invite(session: AsyncSession, code: str, now: dt.datetime) -> Invite:
    """Mark a valid invite used (atomically, so two people cannot share it); refuse all others."""
    invalid = ConflictError(
        "This invite link cannot be used: it may have expired or been used already. "
        "Ask your coordinator for a new one."
    )
    invite = await session.scalar(select(Invite).where(Invite.code_hash == hash_code(code)))
    if invite is not None and invite.revoked_at is not None and invite.used_at is None:
        raise ConflictError(
            "This invite link was revoked and cannot be used. Ask your coordinator for a new one."
        )
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        raise invalid
    claimed = await session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None), Invite.revoked_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(claimed, "rowcount", 0):
        raise invalid
    return invite


async def redeem_invite(
    *,
    session: AsyncSession,
    code: str,
    telegram_id: int,
    name: str,
    username: str | None,
    language: str,
    now: dt.datetime,
) -> Registration:
    """Register a Telegram user with an invite code, and queue their agency's pending notices."""
    await refuse_if_registered(session, telegram_id)
    invite = await _claim_invite(session, code.strip(), now)
    liaisons = 0
    if invite.agency_id is not None:
        liaisons = (
            await session.scalar(
                select(func.count())
                .select_from(Member)
                .where(
                    Member.agency_id == invite.agency_id,
                    Member.left_at.is_(None),
                    Member.role.in_(AGENCY_ROLES),
                )
            )
            or 0
        )
    member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
    before = member_snapshot(member) if member else None
    if member is None:
        member = Member(telegram_id=telegram_id, created_at=now)
        session.add(member)
    member.display_name = name or str(telegram_id)
    member.username = username
    member.role = invite.role
    member.agency_id = invite.agency_id
    member.language = language if language in LANGUAGES else "zh"
    member.reachable = True
    member.left_at = None
    await session.flush()
    agency_name = await agency_name_of(session, invite.agency_id)
    actor = member_actor(member, agency_name)
    if invite.role is MemberRole.DEPUTY:
        await _demote_other_deputies(session, member, actor, now)
    await session.execute(update(Invite).where(Invite.id == invite.id).values(used_by_id=member.id))
    record(
        session,
        at=now,
        actor=actor,
        action="member.registered",
        entity="member",
        entity_id=member.id,
        before=before,
        after={**member_snapshot(member), "invite_id": invite.id},
    )
    notices = 0
    if invite.agency_id is not None:
        notices = await enqueue_pending_notices(session, now=now, agency_id=invite.agency_id)
    await session.commit()
    return Registration(
        member_view(member, agency_name), invite.agency_id is not None and not liaisons, notices
    )


async def _demote_other_deputies(
    session: AsyncSession, deputy: Member, actor: Actor, now: dt.datetime
) -> None:
    """Keep one deputy per agency: an earlier deputy becomes a liaison."""
    others = await session.scalars(
        select(Member).where(
            Member.agency_id == deputy.agency_id,
            Member.role == MemberRole.DEPUTY,
            Member.left_at.is_(None),
            Member.id != deputy.id,
        )
    )
    for other in others:
        before = member_snapshot(other)
        other.role = MemberRole.LIAISON
        record(
            session,
            at=now,
            actor=actor,
            action="member.deputy_replaced",
            entity="member",
            entity_id=other.id,
            before=before,
            after=member_snapshot(other),
        )
