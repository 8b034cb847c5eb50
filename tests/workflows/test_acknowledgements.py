"""Unacknowledged assignments: a reminder after 2 working days, escalation after 5, each once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import MemberRole
from db.models import Agency, Assignment, Member, Task
from tests.kit.beijing import beijing
from tests.kit.cast import UnitOf, agency_of, cast, coordinator, liaison
from tests.kit.sweeps import sent_to_members, sweep_and_send
from workflows.acknowledgements import (
    ACK_ESCALATION_KIND,
    ACK_REMINDER_KIND,
    ack_escalation_message,
    plan_acknowledgement_messages,
)
from workflows.notices import acknowledge

Sessions = async_sessionmaker[AsyncSession]
TASK = 12
LEAD, CO, LATE_CO, BOSS = 1, 2, 3, 900


IMPORTED = beijing(2016, 3, 1, 10, 0)  # a Tuesday


async def setup(sessions: Sessions) -> dict[int, int]:
    """Only task 12 open; liaisons of its first two agencies, a coordinator; agency by member."""
    await cast(
        sessions,
        liaison(LEAD, UnitOf(TASK, 0)),
        liaison(CO, UnitOf(TASK, 1)),
        coordinator(BOSS),
        now=IMPORTED,
        only_task=TASK,
    )
    async with sessions() as session:
        return {
            who: (await agency_of(session, UnitOf(TASK, position))).id
            for who, position in ((LEAD, 0), (CO, 1), (LATE_CO, 2))
        }


async def sweep(sessions: Sessions, now: dt.datetime) -> int:
    """One sweep, then "send" what is due, as the outbox sender would."""
    return await sweep_and_send(sessions, plan_acknowledgement_messages, now)


async def walk(sessions: Sessions, first: dt.date, last: dt.date) -> None:
    """Sweep at several hours (hourly in the daytime) of every day from `first` to `last`."""
    day = first
    while day <= last:
        for hour, minute in ((0, 5), (8, 35), *((h, 5) for h in range(9, 22))):
            await sweep(sessions, beijing(day.year, day.month, day.day, hour, minute))
        day += dt.timedelta(days=1)


async def sent(sessions: Sessions) -> list[tuple[str, int, dt.date, bool, dict[str, object]]]:
    """(kind, telegram id, local send date, late, payload) of every message sent."""
    return [
        (d.kind, who, day, d.late, d.payload) for d, who, day in await sent_to_members(sessions)
    ]


async def assignment_of(sessions: Sessions, agency_id: int) -> int:
    """Task 12's assignment of an agency."""
    async with sessions() as session:
        found = await session.scalar(
            select(Assignment.id)
            .join(Task, Task.id == Assignment.task_id)
            .where(Task.number == TASK, Assignment.agency_id == agency_id)
        )
        assert found is not None
        return found


async def add_liaison(sessions: Sessions, telegram_id: int, agency: int, at: dt.datetime) -> None:
    """A liaison registers."""
    async with sessions() as session:
        session.add(
            Member(
                telegram_id=telegram_id,
                display_name=f"m{telegram_id}",
                agency_id=agency,
                role=MemberRole.LIAISON,
                created_at=at,
            )
        )
        await session.commit()


async def test_reminder_after_two_working_days_escalation_after_five_each_once(
    session_factory: Sessions,
) -> None:
    """Assigned Tue 1 Mar: reminders Thu 3 Mar; the co-unit signs; the lead escalated Tue 8 Mar.

    The third unit's liaison registers Mon 7 Mar: reminded Wed 9, escalated Mon 14 Mar.
    """
    agencies = await setup(session_factory)
    await walk(session_factory, dt.date(2016, 3, 1), dt.date(2016, 3, 3))
    async with session_factory() as session:
        await acknowledge(
            session,
            telegram_id=CO,
            assignment_id=await assignment_of(session_factory, agencies[CO]),
            now=beijing(2016, 3, 4, 9, 0),
        )
    await walk(session_factory, dt.date(2016, 3, 4), dt.date(2016, 3, 6))
    await add_liaison(session_factory, LATE_CO, agencies[LATE_CO], beijing(2016, 3, 7, 11, 0))
    await walk(session_factory, dt.date(2016, 3, 7), dt.date(2016, 3, 31))
    lead = await assignment_of(session_factory, agencies[LEAD])
    late_co = await assignment_of(session_factory, agencies[LATE_CO])
    messages = await sent(session_factory)
    assert [(kind, who, day, late) for kind, who, day, late, _ in messages] == [
        (ACK_REMINDER_KIND, LEAD, dt.date(2016, 3, 3), False),
        (ACK_REMINDER_KIND, CO, dt.date(2016, 3, 3), False),
        (ACK_ESCALATION_KIND, BOSS, dt.date(2016, 3, 8), False),
        (ACK_REMINDER_KIND, LATE_CO, dt.date(2016, 3, 9), False),
        (ACK_ESCALATION_KIND, BOSS, dt.date(2016, 3, 14), False),
    ]
    assert messages[2][4] == {"assignments": [lead], "agency_id": agencies[LEAD]}
    assert messages[4][4] == {"assignments": [late_co], "agency_id": agencies[LATE_CO]}
    async with session_factory() as session:
        view = await ack_escalation_message(
            session, agency_id=agencies[LEAD], assignment_ids=[lead]
        )
        name = await session.scalar(select(Agency.name).where(Agency.id == agencies[LEAD]))
        assert view is not None
        assert view.agency == name
        assert [(t.task_number, t.role) for t in view.tasks] == [(TASK, "lead")]
        await acknowledge(
            session, telegram_id=LEAD, assignment_id=lead, now=beijing(2016, 4, 1, 9, 0)
        )
        gone = await ack_escalation_message(
            session, agency_id=agencies[LEAD], assignment_ids=[lead]
        )
        assert gone is None


async def test_after_downtime_reminder_and_escalation_go_once_marked_late(
    session_factory: Sessions,
) -> None:
    """Down from 1 to 21 March: one late reminder per liaison and one late escalation per agency."""
    await setup(session_factory)
    assert await sweep(session_factory, beijing(2016, 3, 1, 10, 5)) == 0
    assert await sweep(session_factory, beijing(2016, 3, 21, 10, 0)) == 4
    assert await sweep(session_factory, beijing(2016, 3, 21, 10, 5)) == 0
    messages = await sent(session_factory)
    assert sorted((kind, who, late) for kind, who, _, late, _ in messages) == [
        (ACK_ESCALATION_KIND, BOSS, True),
        (ACK_ESCALATION_KIND, BOSS, True),
        (ACK_REMINDER_KIND, LEAD, True),
        (ACK_REMINDER_KIND, CO, True),
    ]
