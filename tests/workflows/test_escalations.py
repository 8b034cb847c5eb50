"""Overdue nudges and escalations, walking the clock over weeks around a due date."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import ReportStatus, Role, TaskState
from db.models import Agency, Assignment, Milestone, StatusReport, Task
from tests.kit.beijing import beijing
from tests.kit.cast import UnitOf, cast, coordinator, liaison
from tests.kit.cast import deputy as deputy_of
from tests.kit.sweeps import sent_to_members, sweep_and_send
from tests.workflows.calendars import package_calendar
from workflows.escalations import (
    COORDINATORS,
    DEPUTY,
    ESCALATION_KIND,
    NUDGE_KIND,
    overdue_message,
    plan_overdue_messages,
)
from workflows.planning import set_due

Sessions = async_sessionmaker[AsyncSession]
TASK = 12
LEAD_1, LEAD_2, DEPUTY_ID, CO_LIAISON, BOSS_1, BOSS_2 = 1, 2, 3, 4, 900, 901


IMPORTED = beijing(2016, 3, 1, 9, 0)


async def setup(sessions: Sessions, due: dt.date, *, deputy: bool = True) -> None:
    """The bundled plan with only task 12 open, due on `due`; its units' people, coordinators."""
    lead, co = UnitOf(TASK, 0), UnitOf(TASK, 1)
    people = [
        liaison(LEAD_1, lead),
        liaison(LEAD_2, lead),
        liaison(CO_LIAISON, co),
        coordinator(BOSS_1),
        coordinator(BOSS_2),
    ]
    if deputy:
        people.append(deputy_of(DEPUTY_ID, lead))
    await cast(sessions, *people, now=IMPORTED, only_task=TASK)
    await move_due(sessions, due, IMPORTED)


async def move_due(sessions: Sessions, due: dt.date, now: dt.datetime) -> None:
    """A coordinator moves task 12's due date."""
    async with sessions() as session:
        await set_due(
            session=session,
            telegram_id=BOSS_1,
            number=TASK,
            plan_code=None,
            on_date=due,
            reason="test",
            now=now,
        )


async def sweep(sessions: Sessions, now: dt.datetime) -> int:
    """One sweep, then "send" what is due, as the outbox sender would."""
    return await sweep_and_send(sessions, plan_overdue_messages, now)


async def walk(sessions: Sessions, first: dt.date, last: dt.date) -> None:
    """Sweep at several hours of every day from `first` to `last`."""
    day = first
    while day <= last:
        for hour, minute in ((0, 5), (8, 0), (8, 35), (13, 0), (21, 0)):
            await sweep(sessions, beijing(day.year, day.month, day.day, hour, minute))
        day += dt.timedelta(days=1)


async def sent(sessions: Sessions) -> list[tuple[str, int, dt.date, bool, str | None]]:
    """(kind, telegram id, local send date, late, audience) of every message sent."""
    return [
        (d.kind, who, day, d.late, d.payload.get("audience"))
        for d, who, day in await sent_to_members(sessions)
    ]


async def test_one_nudge_per_working_day_and_escalation_over_national_day(
    session_factory: Sessions,
) -> None:
    """Due 28 Sep 2016: a nudge each working day (none 1-7 Oct); deputy day 3, coordinators 4."""
    due = dt.date(2016, 9, 28)
    await setup(session_factory, due)
    await walk(session_factory, dt.date(2016, 9, 20), dt.date(2016, 10, 20))
    messages = await sent(session_factory)
    nudges = [m for m in messages if m[0] == NUDGE_KIND]
    assert all(not late for _, _, _, late, _ in messages)
    per_day = Counter((who, day) for _, who, day, _, _ in nudges)
    working = [
        due + dt.timedelta(days=n)
        for n in range(1, 23)
        if package_calendar().is_working_day(due + dt.timedelta(days=n))
    ]
    assert dt.date(2016, 10, 8) in working
    assert set(per_day) == {(who, day) for who in (LEAD_1, LEAD_2) for day in working}
    assert set(per_day.values()) == {1}
    assert not any(dt.date(2016, 10, 1) <= day <= dt.date(2016, 10, 7) for _, day in per_day)
    escalations = sorted(
        (who, day, audience) for kind, who, day, _, audience in messages if kind == ESCALATION_KIND
    )
    assert escalations == [
        (DEPUTY_ID, working[2], DEPUTY),
        (BOSS_1, working[3], COORDINATORS),
        (BOSS_2, working[3], COORDINATORS),
    ]


async def test_without_a_deputy_the_coordinators_hear_on_day_n(session_factory: Sessions) -> None:
    """No deputy: the coordinators are told on the third working day, once."""
    await setup(session_factory, dt.date(2016, 3, 8), deputy=False)
    await walk(session_factory, dt.date(2016, 3, 7), dt.date(2016, 3, 18))
    escalations = [m for m in await sent(session_factory) if m[0] == ESCALATION_KIND]
    assert sorted((who, day) for _, who, day, _, _ in escalations) == [
        (BOSS_1, dt.date(2016, 3, 11)),
        (BOSS_2, dt.date(2016, 3, 11)),
    ]


async def test_a_done_task_or_a_moved_date_stops_the_nudges(session_factory: Sessions) -> None:
    """Moved on 10 Mar: nothing until the new date is overdue; DONE on 21 Mar: nothing more."""
    await setup(session_factory, dt.date(2016, 3, 8))
    await walk(session_factory, dt.date(2016, 3, 9), dt.date(2016, 3, 9))
    await move_due(session_factory, dt.date(2016, 3, 15), beijing(2016, 3, 10, 7, 0))
    await walk(session_factory, dt.date(2016, 3, 10), dt.date(2016, 3, 18))
    async with session_factory() as session:
        await session.execute(update(Task).where(Task.number == TASK).values(state=TaskState.DONE))
        await session.commit()
    await walk(session_factory, dt.date(2016, 3, 21), dt.date(2016, 4, 1))
    days = sorted({day for kind, _, day, _, _ in await sent(session_factory) if kind == NUDGE_KIND})
    assert days == [
        dt.date(2016, 3, 9),
        dt.date(2016, 3, 16),
        dt.date(2016, 3, 17),
        dt.date(2016, 3, 18),
    ]


async def test_after_downtime_one_late_nudge_and_each_escalation_once(
    session_factory: Sessions,
) -> None:
    """Down from 9 to 22 March: one late nudge per liaison, each escalation once, late."""
    await setup(session_factory, dt.date(2016, 3, 8))
    await sweep(session_factory, beijing(2016, 3, 9, 9, 0))
    assert await sweep(session_factory, beijing(2016, 3, 22, 10, 0)) == 5
    assert await sweep(session_factory, beijing(2016, 3, 22, 10, 5)) == 0
    later = [m for m in await sent(session_factory) if m[2] == dt.date(2016, 3, 22)]
    assert sorted((kind, who, late) for kind, who, _, late, _ in later) == sorted(
        [
            (NUDGE_KIND, LEAD_1, True),
            (NUDGE_KIND, LEAD_2, True),
            (ESCALATION_KIND, DEPUTY_ID, True),
            (ESCALATION_KIND, BOSS_1, True),
            (ESCALATION_KIND, BOSS_2, True),
        ]
    )


async def test_downtime_over_night_sends_the_newest_nudge_once_in_the_morning(
    session_factory: Sessions,
) -> None:
    """Back at 23:00: the missed nudge waits for the morning, and only the newest day's goes."""
    await setup(session_factory, dt.date(2016, 3, 8))
    await sweep(session_factory, beijing(2016, 3, 10, 23, 0))
    await walk(session_factory, dt.date(2016, 3, 11), dt.date(2016, 3, 11))
    nudges = [m for m in await sent(session_factory) if m[0] == NUDGE_KIND]
    assert sorted((who, day, late) for _, who, day, late, _ in nudges) == [
        (LEAD_1, dt.date(2016, 3, 11), False),
        (LEAD_2, dt.date(2016, 3, 11), False),
    ]


async def test_the_message_names_units_and_who_is_silent(session_factory: Sessions) -> None:
    """The co-unit reported after the cut-off, the lead never did: the lead is silent."""
    await setup(session_factory, dt.date(2016, 3, 8))
    async with session_factory() as session:
        task = await session.scalar(select(Task).where(Task.number == TASK))
        assert task is not None
        co = await session.scalar(
            select(Assignment.agency_id).where(
                Assignment.task_id == task.id, Assignment.role == Role.CO
            )
        )
        assert co is not None
        session.add(
            StatusReport(
                task_id=task.id,
                agency_id=co,
                status=ReportStatus.ON_TRACK,
                reported_at=beijing(2016, 3, 1, 10, 0),
            )
        )
        await session.commit()
        co_name = await session.scalar(select(Agency.name).where(Agency.id == co))
        milestone = await session.scalar(
            select(Milestone).where(Milestone.task_id == task.id, Milestone.key == "due")
        )
        assert milestone is not None
        view = await overdue_message(
            session,
            milestone_id=milestone.id,
            on_date=dt.date(2016, 3, 8),
            now=beijing(2016, 3, 14, 9, 0),
        )
        stale = await overdue_message(
            session,
            milestone_id=milestone.id,
            on_date=dt.date(2016, 3, 7),
            now=beijing(2016, 3, 14, 9, 0),
        )
    assert stale is None
    assert view is not None
    assert view.days_overdue == 6
    assert view.working_days_overdue == 4
    assert [u.role for u in view.units][:2] == ["lead", "co"]
    assert view.silent == tuple(u for u in view.units if u.agency != co_name)
    assert view.units[0] in view.silent


async def test_national_day_2026_holds_nudges_and_escalation_until_after_the_holiday(
    session_factory: Sessions,
) -> None:
    """Due 29 Sep 2026: nudges 30 Sep, then 8 Oct on; the deputy on 9 Oct, coordinators 10 Oct."""
    await setup(session_factory, dt.date(2026, 9, 29))
    await walk(session_factory, dt.date(2026, 9, 28), dt.date(2026, 10, 13))
    messages = await sent(session_factory)
    nudge_days = sorted({day for kind, who, day, _, _ in messages if kind == NUDGE_KIND})
    assert nudge_days == [
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 8),
        dt.date(2026, 10, 9),
        dt.date(2026, 10, 10),  # a Saturday worked in lieu
        dt.date(2026, 10, 12),
        dt.date(2026, 10, 13),
    ]
    escalations = {(who, day) for kind, who, day, _, _ in messages if kind == ESCALATION_KIND}
    assert escalations == {
        (DEPUTY_ID, dt.date(2026, 10, 9)),
        (BOSS_1, dt.date(2026, 10, 10)),
        (BOSS_2, dt.date(2026, 10, 10)),
    }
