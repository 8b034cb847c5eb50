"""Members: coordinators and agencies' liaisons, their language, leaving, and who is who."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MemberRole, TaskState
from db.models import Agency, Assignment, Member, Plan, PlanGrant, Task
from workflows.access import Actor, identify, require_coordinator
from workflows.audit import record
from workflows.errors import ConflictError, InvalidInputError
from workflows.live import live_task
from workflows.notices import AGENCY_ROLES

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
    # A limited coordinator's plans, by label (none: every plan).
    plans: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgencyOverview:
    """An agency with live tasks, and who speaks for it."""

    name: str
    tasks: int
    liaisons: tuple[MemberView, ...]


def member_view(member: Member, agency_name: str | None) -> MemberView:
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


def member_actor(member: Member, agency_name: str | None) -> Actor:
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


def member_snapshot(member: Member) -> dict[str, object]:
    """The audited fields of a member."""
    return {
        "role": str(member.role),
        "agency_id": member.agency_id,
        "language": member.language,
        "left_at": member.left_at.isoformat() if member.left_at else None,
    }


async def agency_name_of(session: AsyncSession, agency_id: int | None) -> str | None:
    """The name of an agency by id."""
    if agency_id is None:
        return None
    return await session.scalar(select(Agency.name).where(Agency.id == agency_id))


async def refuse_if_registered(session: AsyncSession, telegram_id: int) -> None:
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
        agency=await agency_name_of(session, member.agency_id) or "",
    )


async def add_coordinator(
    *, session: AsyncSession, telegram_id: int, name: str, now: dt.datetime
) -> MemberView:
    """Make a Telegram user a coordinator (the command-line bootstrap)."""
    await refuse_if_registered(session, telegram_id)
    member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
    before = member_snapshot(member) if member else None
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
        after=member_snapshot(member),
    )
    await session.commit()
    return member_view(member, None)


async def _load_member(session: AsyncSession, telegram_id: int) -> tuple[Actor, Member]:
    """The acting member and their row."""
    actor = await identify(session, telegram_id)
    member = await session.get(Member, actor.member_id)
    assert member is not None
    return actor, member


async def set_language(
    *, session: AsyncSession, telegram_id: int, language: str, now: dt.datetime
) -> MemberView:
    """Set the language a member is written to in (zh or en)."""
    if language not in LANGUAGES:
        raise InvalidInputError("Choose a language: zh or en.")
    actor, member = await _load_member(session, telegram_id)
    if member.language != language:
        before = member_snapshot(member)
        member.language = language
        record(
            session,
            at=now,
            actor=actor,
            action="member.language_set",
            entity="member",
            entity_id=member.id,
            before=before,
            after=member_snapshot(member),
        )
    await session.commit()
    return member_view(member, actor.agency_name)


async def my_membership(*, session: AsyncSession, telegram_id: int) -> MemberView | None:
    """The active membership of a Telegram user, or None."""
    row = (
        await session.execute(
            select(Member, Agency.name)
            .outerjoin(Agency, Agency.id == Member.agency_id)
            .where(Member.telegram_id == telegram_id, Member.left_at.is_(None))
        )
    ).first()
    return member_view(row[0], row[1]) if row else None


async def list_members(*, session: AsyncSession, telegram_id: int) -> list[MemberView]:
    """Active members for a coordinator: coordinators first, then by agency and name."""
    require_coordinator(await identify(session, telegram_id))
    rows = await session.execute(
        select(Member, Agency.name)
        .outerjoin(Agency, Agency.id == Member.agency_id)
        .where(Member.left_at.is_(None))
    )
    limits: dict[int, list[str]] = {}
    granted = await session.execute(
        select(PlanGrant.member_id, Plan.document_number, Plan.code)
        .join(Plan, Plan.id == PlanGrant.plan_id)
        .order_by(Plan.code)
    )
    for member_id, number, code in granted:
        limits.setdefault(member_id, []).append(number or code)
    views = [
        replace(member_view(member, agency), plans=tuple(limits.get(member.id, ())))
        for member, agency in rows
    ]
    order = {"coordinator": 0, "deputy": 1, "liaison": 2}
    return sorted(
        views, key=lambda v: (v.agency_name or "", order[v.role], v.display_name, v.member_id)
    )


async def agencies_overview(*, session: AsyncSession, telegram_id: int) -> list[AgencyOverview]:
    """Each agency with live tasks (in a limited coordinator's plans), its liaisons and deputy."""
    actor = await identify(session, telegram_id)
    require_coordinator(actor)
    counts = await session.execute(
        select(Agency.id, Agency.name, func.count(func.distinct(Assignment.task_id)))
        .join(Assignment, Assignment.agency_id == Agency.id)
        .join(Task, Task.id == Assignment.task_id)
        .where(live_task(), Task.state != TaskState.CLOSED, actor.plan_filter(Task.plan_id))
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
        by_agency.setdefault(member.agency_id, []).append(
            member_view(member, names[member.agency_id])
        )
    return [
        AgencyOverview(name, tasks, tuple(by_agency.get(agency_id, [])))
        for agency_id, name, tasks in agencies
    ]


async def menu_members(*, session: AsyncSession) -> list[tuple[int, MemberRole | None, str]]:
    """(telegram id, role, language) of every member; role None for those who are gone."""
    rows = await session.execute(
        select(Member.telegram_id, Member.role, Member.language, Member.left_at).order_by(Member.id)
    )
    return [
        (telegram_id, None if left_at else role, language)
        for telegram_id, role, language, left_at in rows
    ]
