"""Members: coordinators bootstrapped from the command line, invites, registration and leaving."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MemberRole, TaskState
from db.models import Agency, Assignment, Invite, Member, Task
from workflows.access import Actor, identify, require_coordinator
from workflows.agencies import find_agency
from workflows.audit import record
from workflows.errors import ConflictError, InvalidInputError, NotFoundError
from workflows.notices import AGENCY_ROLES, enqueue_pending_notices

INVITE_TTL = dt.timedelta(days=7)
CODE_BYTES = 16
LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class MemberView:
    """A member as coordinators see them."""

    member_id: int
    telegram_id: int
    display_name: str
    username: str | None
    role: str
    agency_name: str | None
    language: str
    reachable: bool


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


@dataclass(frozen=True)
class AgencyOverview:
    """An agency with live tasks, and who speaks for it."""

    name: str
    tasks: int
    liaisons: tuple[MemberView, ...]


def hash_code(code: str) -> str:
    """The stored form of an invite code."""
    return hashlib.sha256(code.encode()).hexdigest()


def _view(member: Member, agency_name: str | None) -> MemberView:
    """A member row as a view."""
    return MemberView(
        member_id=member.id,
        telegram_id=member.telegram_id,
        display_name=member.display_name,
        username=member.username,
        role=str(member.role),
        agency_name=agency_name,
        language=member.language,
        reachable=member.reachable,
    )


def _actor(member: Member, agency_name: str | None) -> Actor:
    """A member row as the actor of an audit event."""
    return Actor(
        member_id=member.id,
        telegram_id=member.telegram_id,
        role=member.role,
        agency_id=member.agency_id,
        agency_name=agency_name,
        language=member.language,
        display_name=member.display_name,
    )


def _snapshot(member: Member) -> dict[str, object]:
    """The audited fields of a member."""
    return {
        "role": str(member.role),
        "agency_id": member.agency_id,
        "language": member.language,
        "left_at": member.left_at.isoformat() if member.left_at else None,
    }


async def _agency_name(session: AsyncSession, agency_id: int | None) -> str | None:
    """The name of an agency by id."""
    if agency_id is None:
        return None
    return await session.scalar(select(Agency.name).where(Agency.id == agency_id))


async def _already_registered(session: AsyncSession, telegram_id: int) -> None:
    """Refuse a Telegram user who is an active member already, saying as what."""
    member = await session.scalar(
        select(Member).where(Member.telegram_id == telegram_id, Member.left_at.is_(None))
    )
    if member is None:
        return
    if member.role is MemberRole.COORDINATOR:
        raise ConflictError("You are already registered as a coordinator.")
    raise ConflictError(
        "You are already registered for {agency}. To change, send /leave first.",
        agency=await _agency_name(session, member.agency_id) or "",
    )


async def add_coordinator(
    *, session: AsyncSession, telegram_id: int, name: str, now: dt.datetime
) -> MemberView:
    """Make a Telegram user a coordinator (the command-line bootstrap)."""
    await _already_registered(session, telegram_id)
    member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
    before = _snapshot(member) if member else None
    if member is None:
        member = Member(telegram_id=telegram_id, created_at=now, language="zh")
        session.add(member)
    member.display_name = name or member.display_name or str(telegram_id)
    member.role = MemberRole.COORDINATOR
    member.agency_id = None
    member.left_at = None
    member.reachable = True
    await session.flush()
    record(
        session,
        at=now,
        actor=None,
        action="member.coordinator_added",
        entity="member",
        entity_id=member.id,
        before=before,
        after=_snapshot(member),
    )
    await session.commit()
    return _view(member, None)


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
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        raise invalid
    claimed = await session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None))
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
    await _already_registered(session, telegram_id)
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
    before = _snapshot(member) if member else None
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
    agency_name = await _agency_name(session, invite.agency_id)
    actor = _actor(member, agency_name)
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
        after={**_snapshot(member), "invite_id": invite.id},
    )
    notices = 0
    if invite.agency_id is not None:
        notices = await enqueue_pending_notices(session, now=now, agency_id=invite.agency_id)
    await session.commit()
    return Registration(
        _view(member, agency_name), invite.agency_id is not None and not liaisons, notices
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
        before = _snapshot(other)
        other.role = MemberRole.LIAISON
        record(
            session,
            at=now,
            actor=actor,
            action="member.deputy_replaced",
            entity="member",
            entity_id=other.id,
            before=before,
            after=_snapshot(other),
        )


async def _load_member(session: AsyncSession, telegram_id: int) -> tuple[Actor, Member]:
    """The acting member and their row."""
    actor = await identify(session, telegram_id)
    member = await session.get(Member, actor.member_id)
    assert member is not None
    return actor, member


async def leave(*, session: AsyncSession, telegram_id: int, now: dt.datetime) -> MemberView:
    """End a membership; the person may register again with a new invite."""
    actor, member = await _load_member(session, telegram_id)
    before = _snapshot(member)
    member.left_at = now
    record(
        session,
        at=now,
        actor=actor,
        action="member.left",
        entity="member",
        entity_id=member.id,
        before=before,
        after=_snapshot(member),
    )
    await session.commit()
    return _view(member, actor.agency_name)


async def set_language(
    *, session: AsyncSession, telegram_id: int, language: str, now: dt.datetime
) -> MemberView:
    """Set the language a member is written to in (zh or en)."""
    if language not in LANGUAGES:
        raise InvalidInputError("Choose a language: zh or en.")
    actor, member = await _load_member(session, telegram_id)
    if member.language != language:
        before = _snapshot(member)
        member.language = language
        record(
            session,
            at=now,
            actor=actor,
            action="member.language_set",
            entity="member",
            entity_id=member.id,
            before=before,
            after=_snapshot(member),
        )
    await session.commit()
    return _view(member, actor.agency_name)


async def my_membership(*, session: AsyncSession, telegram_id: int) -> MemberView | None:
    """The active membership of a Telegram user, or None."""
    row = (
        await session.execute(
            select(Member, Agency.name)
            .outerjoin(Agency, Agency.id == Member.agency_id)
            .where(Member.telegram_id == telegram_id, Member.left_at.is_(None))
        )
    ).first()
    return _view(row[0], row[1]) if row else None


async def list_members(*, session: AsyncSession, telegram_id: int) -> list[MemberView]:
    """Active members for a coordinator: coordinators first, then by agency and name."""
    require_coordinator(await identify(session, telegram_id))
    rows = await session.execute(
        select(Member, Agency.name)
        .outerjoin(Agency, Agency.id == Member.agency_id)
        .where(Member.left_at.is_(None))
    )
    views = [_view(member, agency) for member, agency in rows]
    order = {"coordinator": 0, "deputy": 1, "liaison": 2}
    return sorted(
        views, key=lambda v: (v.agency_name or "", order[v.role], v.display_name, v.member_id)
    )


async def agencies_overview(*, session: AsyncSession, telegram_id: int) -> list[AgencyOverview]:
    """Each agency with live tasks, its liaisons and deputy, and whether they can be reached."""
    require_coordinator(await identify(session, telegram_id))
    counts = await session.execute(
        select(Agency.id, Agency.name, func.count(func.distinct(Assignment.task_id)))
        .join(Assignment, Assignment.agency_id == Agency.id)
        .join(Task, Task.id == Assignment.task_id)
        .where(Task.removed_at.is_(None), Task.state != TaskState.CLOSED)
        .group_by(Agency.id, Agency.name)
        .order_by(Agency.name)
    )
    agencies = [(agency_id, name, tasks) for agency_id, name, tasks in counts]
    people = await session.scalars(
        select(Member)
        .where(
            Member.agency_id.in_([a for a, _, _ in agencies]),
            Member.left_at.is_(None),
            Member.role.in_(AGENCY_ROLES),
        )
        .order_by(Member.role, Member.display_name, Member.id)
    )
    by_agency: dict[int, list[MemberView]] = {}
    names = {agency_id: name for agency_id, name, _ in agencies}
    for member in people:
        assert member.agency_id is not None
        by_agency.setdefault(member.agency_id, []).append(_view(member, names[member.agency_id]))
    return [
        AgencyOverview(name, tasks, tuple(by_agency.get(agency_id, [])))
        for agency_id, name, tasks in agencies
    ]


async def menu_members(*, session: AsyncSession) -> list[tuple[int, MemberRole, str]]:
    """(telegram id, role, language) of every member who has not left, for their menus."""
    rows = await session.execute(
        select(Member.telegram_id, Member.role, Member.language)
        .where(Member.left_at.is_(None))
        .order_by(Member.id)
    )
    return [(telegram_id, role, language) for telegram_id, role, language in rows]
