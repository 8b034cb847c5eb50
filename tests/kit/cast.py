"""The cast of a test: a plan, coordinators, liaisons and deputies of named agencies.

Workflow tests seat them through a session factory (`cast`), bot tests through the harness
(`BotHarness.cast`, which also makes each one a sandbox user); both write the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import MemberRole, ReportStatus, Role, TaskState
from db.models import Agency, Assignment, Member, StatusReport, Task
from tests.kit.beijing import TZ
from tests.kit.snapshots import replayed
from workflows.agencies import find_agency
from workflows.importing.service import bundled_annex, import_annex

Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class UnitOf:
    """The agency at a position (0 leads) in a task's list of units, known after the import."""

    task: int
    position: int = 0


@dataclass(frozen=True)
class Person:
    """A member to seat: their agency (a name, an alias or a task's unit) and role."""

    telegram_id: int
    agency: str | UnitOf | None
    role: MemberRole
    name: str = ""
    language: str = "zh"
    reachable: bool = True
    left: bool = False

    @property
    def display_name(self) -> str:
        """The name shown for them: the given one, or m<telegram id>."""
        return self.name or f"m{self.telegram_id}"


def coordinator(
    telegram_id: int, name: str = "", *, language: str = "zh", reachable: bool = True
) -> Person:
    """A coordinator (no agency)."""
    return Person(telegram_id, None, MemberRole.COORDINATOR, name, language, reachable)


def liaison(
    telegram_id: int,
    agency: str | UnitOf,
    name: str = "",
    *,
    language: str = "zh",
    reachable: bool = True,
    left: bool = False,
) -> Person:
    """A liaison of an agency."""
    return Person(telegram_id, agency, MemberRole.LIAISON, name, language, reachable, left)


def deputy(
    telegram_id: int,
    agency: str | UnitOf,
    name: str = "",
    *,
    language: str = "zh",
    reachable: bool = True,
) -> Person:
    """A deputy of an agency (escalations go to them before the coordinators)."""
    return Person(telegram_id, agency, MemberRole.DEPUTY, name, language, reachable)


@dataclass(frozen=True)
class Plan:
    """An annex to import: the bundled 国发〔2015〕5号 unless told otherwise."""

    data: bytes = field(default_factory=lambda: bundled_annex("gf-2015-5"), repr=False)
    code: str = "gf-2015-5"
    timezone: str = TZ
    filename: str | None = None


BUNDLED = Plan()


async def import_plan(session: AsyncSession, *, now: dt.datetime, plan: Plan = BUNDLED) -> None:
    """Import a plan (the import commits); into an empty database, replayed after the first."""

    async def step() -> None:
        await import_annex(
            session=session,
            data=plan.data,
            now=now,
            timezone=plan.timezone,
            plan_code=plan.code,
            filename=plan.filename,
        )

    await replayed(session, ("import", plan, now), step)


async def agency_of(session: AsyncSession, agency: str | UnitOf) -> Agency:
    """The agency a person belongs to."""
    if isinstance(agency, UnitOf):
        found = await session.scalar(
            select(Agency)
            .join(Assignment, Assignment.agency_id == Agency.id)
            .join(Task, Task.id == Assignment.task_id)
            .where(Task.number == agency.task, Assignment.position == agency.position)
        )
    else:
        found = await find_agency(session, agency)
    assert found is not None, f"no agency {agency}"
    return found


async def seat(
    session: AsyncSession, people: Iterable[Person], *, now: dt.datetime
) -> dict[int, int]:
    """Add the people as members (flushed, not committed); member ids by Telegram id."""
    members: dict[int, Member] = {}
    for person in people:
        agency = None if person.agency is None else await agency_of(session, person.agency)
        members[person.telegram_id] = member = Member(
            telegram_id=person.telegram_id,
            display_name=person.display_name,
            agency_id=None if agency is None else agency.id,
            role=person.role,
            language=person.language,
            reachable=person.reachable,
            created_at=now,
            left_at=now if person.left else None,
        )
        session.add(member)
    await session.flush()
    return {telegram_id: member.id for telegram_id, member in members.items()}


async def only_open(session: AsyncSession, number: int) -> None:
    """Close every task but one (flushed), so a sweep has only that one to think about."""
    await session.execute(update(Task).where(Task.number != number).values(state=TaskState.CLOSED))
    await session.flush()


async def cast(
    sessions: Sessions,
    *people: Person,
    now: dt.datetime,
    plan: Plan | None = BUNDLED,
    only_task: int | None = None,
) -> dict[int, int]:
    """Import the plan (None: none), seat the people, and commit; member ids by Telegram id."""
    async with sessions() as session:
        if plan is not None:
            await import_plan(session, now=now, plan=plan)
        if only_task is not None:
            await only_open(session, only_task)
        ids = await seat(session, people, now=now)
        await session.commit()
        return ids


async def task_id(session: AsyncSession, number: int) -> int:
    """The id of a task by number."""
    found = await session.scalar(select(Task.id).where(Task.number == number))
    assert found is not None, f"no task {number}"
    return found


async def agency_id(session: AsyncSession, name: str) -> int:
    """The id of an agency by name or alias."""
    return (await agency_of(session, name)).id


async def units(session: AsyncSession, number: int) -> list[tuple[str, Role]]:
    """A task's agencies and their roles, lead first."""
    rows = await session.execute(
        select(Agency.name, Assignment.role)
        .join(Assignment, Assignment.agency_id == Agency.id)
        .join(Task, Task.id == Assignment.task_id)
        .where(Task.number == number)
        .order_by(Assignment.position)
    )
    return [(name, role) for name, role in rows]


async def add_report(
    session: AsyncSession,
    *,
    number: int,
    agency: str,
    at: dt.datetime,
    status: ReportStatus = ReportStatus.AT_RISK,
    percent: int | None = 40,
) -> None:
    """An agency's report on a task, written straight to the database (commits)."""
    session.add(
        StatusReport(
            task_id=await task_id(session, number),
            agency_id=await agency_id(session, agency),
            status=status,
            percent=percent,
            reported_at=at,
        )
    )
    await session.commit()
