"""Deadline reminders through the whole bundled plan: each once, re-planned when a date moves."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.enums import DeliveryState, MemberRole, MilestoneKind, Role
from db.models import Agency, Assignment, Delivery, Member, Milestone, Task
from tests.kit.beijing import TZ, beijing
from tests.kit.cast import Person, cast, coordinator, liaison
from tests.kit.sweeps import sweep_and_send
from workflows.planning import add_milestone, assign, set_due
from workflows.reminders import (
    DEFAULT_OFFSETS,
    REMINDER_KIND,
    plan_deadline_reminders,
    reminder_key,
    reminder_message,
    reminder_moment,
)

Sessions = async_sessionmaker[AsyncSession]
BOSS = 900
MEMBERS = [
    (1, "发展改革委", MemberRole.LIAISON),
    (2, "发展改革委", MemberRole.DEPUTY),
    (3, "工业和信息化部", MemberRole.LIAISON),
    (4, "科技部", MemberRole.LIAISON),
    (5, "公安部", MemberRole.LIAISON),
]
LEFT, BLOCKED = 6, 7


IMPORTED = beijing(2015, 1, 1, 9, 0)


async def setup(sessions: Sessions, now: dt.datetime = IMPORTED) -> None:
    """The bundled plan, liaisons of four agencies (one left, one blocked) and a coordinator."""
    await cast(
        sessions,
        *(Person(telegram_id, agency, role) for telegram_id, agency, role in MEMBERS),
        liaison(LEFT, "科技部", left=True),
        liaison(BLOCKED, "公安部", reachable=False),
        coordinator(BOSS),
        now=now,
    )


async def sweep(sessions: Sessions, now: dt.datetime) -> int:
    """One sweep, then "send" what is due, as the outbox sender would."""
    return await sweep_and_send(sessions, plan_deadline_reminders, now)


async def deliveries(sessions: Sessions) -> list[Delivery]:
    """Every reminder decided so far."""
    async with sessions() as session:
        rows = await session.scalars(select(Delivery).where(Delivery.kind == REMINDER_KIND))
        return list(rows)


async def expected_keys(sessions: Sessions, *, skip_task: int) -> set[str]:
    """Every (milestone, offset, active member) reminder of the plan, except one task's."""
    async with sessions() as session:
        rows = await session.execute(
            select(Milestone.id, Milestone.on_date, Member.id)
            .join(Task, Task.id == Milestone.task_id)
            .join(Assignment, Assignment.task_id == Task.id)
            .join(Member, Member.agency_id == Assignment.agency_id)
            .where(
                Milestone.kind != MilestoneKind.START,
                Task.number != skip_task,
                Member.telegram_id.in_([m[0] for m in MEMBERS]),
            )
        )
        return {
            reminder_key(milestone_id, on_date, offset, member_id)
            for milestone_id, on_date, member_id in rows
            for offset in DEFAULT_OFFSETS
        }


async def test_the_whole_plan_reminds_each_member_once_and_a_moved_date_is_replanned(
    session_factory: Sessions,
) -> None:
    """Every reminder goes once; task 12, moved half-way, gets the new date's, no old ones again."""
    await setup(session_factory)
    async with session_factory() as session:
        milestones = list(await session.scalars(select(Milestone)))
        task12 = await session.scalar(
            select(Milestone).join(Task).where(Task.number == 12, Milestone.key == "due")
        )
        assert task12 is not None
        assert task12.on_date == dt.date(2015, 12, 31)
        members12 = set(
            await session.scalars(
                select(Member.id)
                .join(Assignment, Assignment.agency_id == Member.agency_id)
                .join(Task, Task.id == Assignment.task_id)
                .where(Task.number == 12, Member.telegram_id.in_([m[0] for m in MEMBERS]))
            )
        )
    moved_on, new_date = beijing(2015, 12, 25, 10, 0), dt.date(2016, 1, 20)
    dates = {m.on_date for m in milestones} | {new_date}
    moments = {reminder_moment(d, o, timezone=TZ) for d in dates for o in DEFAULT_OFFSETS}
    weekly = {IMPORTED + dt.timedelta(days=7 * n, hours=5) for n in range(162)}
    moved = False
    for now in sorted(moments | weekly):
        if not moved and now >= moved_on:
            async with session_factory() as session:
                await set_due(
                    session=session,
                    telegram_id=BOSS,
                    number=12,
                    plan_code=None,
                    on_date=new_date,
                    reason="more time",
                    now=moved_on,
                )
            moved = True
        await sweep(session_factory, now)
    assert moved
    decided = await deliveries(session_factory)
    keys = [d.idempotency_key for d in decided]
    assert len(keys) == len(set(keys))
    old, new = dt.date(2015, 12, 31), new_date
    task12_keys = {
        reminder_key(task12.id, day, offset, member)
        for member in members12
        for day, offset in [(old, 30), (old, 7), (new, 7), (new, 1), (new, 0)]
    }
    assert set(keys) == await expected_keys(session_factory, skip_task=12) | task12_keys
    assert not any(d.late for d in decided)
    # What actually went: one message per milestone, member and sending moment.
    sent: dict[tuple[int, int, dt.datetime], int] = defaultdict(int)
    for d in decided:
        if d.state is DeliveryState.SENT:
            assert d.member_id is not None
            sent[(d.payload["milestone_id"], d.member_id, d.next_attempt_at)] += 1
    assert set(sent.values()) == {1}
    # 2017-12-31 is a Sunday: the 1-day reminder (Saturday) waits for 2 January 2018 and is
    # replaced by the 0-day one going at the same time, so each member gets only one.
    cancelled = [d for d in decided if d.state is DeliveryState.CANCELLED]
    assert cancelled
    assert {(d.payload["on_date"], d.payload["offset"]) for d in cancelled} == {("2017-12-31", 1)}
    assert all(
        d.state is DeliveryState.SENT for d in decided if d.state is not DeliveryState.CANCELLED
    )


async def test_downtime_sends_the_latest_missed_reminder_once_marked_late(
    session_factory: Sessions,
) -> None:
    """Down from November to 30 December: one late 1-day reminder per milestone and member."""
    await setup(session_factory)
    assert await sweep(session_factory, beijing(2015, 11, 1, 9, 0)) == 0
    back = beijing(2015, 12, 30, 22, 0)
    queued = await sweep(session_factory, back)
    decided = await deliveries(session_factory)
    assert queued == len(decided) > 0
    assert {d.payload["offset"] for d in decided} == {1}
    assert {d.payload["on_date"] for d in decided} == {"2015-12-31"}
    assert all(d.late for d in decided)
    # Back at night: they wait for the morning.
    assert {d.next_attempt_at for d in decided} == {beijing(2015, 12, 31, 8, 30)}
    pairs = [(d.payload["milestone_id"], d.member_id) for d in decided]
    assert len(pairs) == len(set(pairs))
    assert await sweep(session_factory, back + dt.timedelta(minutes=5)) == 0
    assert await sweep(session_factory, beijing(2015, 12, 31, 8, 30)) == queued
    on_time = [d for d in await deliveries(session_factory) if d.payload["offset"] == 0]
    assert len(on_time) == queued
    assert not any(d.late for d in on_time)


async def test_a_reminder_on_national_day_waits_for_the_first_working_day(
    session_factory: Sessions,
) -> None:
    """A milestone on 1 October 2026: its 0-day reminder goes on 8 October at 08:30."""
    await setup(session_factory)
    async with session_factory() as session:
        await add_milestone(
            session=session,
            telegram_id=BOSS,
            number=12,
            plan_code=None,
            on_date=dt.date(2026, 10, 1),
            label="国庆节检查",
            now=beijing(2026, 8, 1, 10, 0),
        )
    await sweep(session_factory, beijing(2026, 9, 30, 8, 30))
    await sweep(session_factory, beijing(2026, 10, 1, 8, 30))
    decided = {d.payload["offset"]: d for d in await deliveries(session_factory)}
    assert decided[1].next_attempt_at == beijing(2026, 9, 30, 8, 30)
    assert decided[0].next_attempt_at == beijing(2026, 10, 8, 8, 30)
    assert not decided[0].late
    async with session_factory() as session:
        view = await reminder_message(
            session,
            milestone_id=decided[0].payload["milestone_id"],
            on_date=dt.date(2026, 10, 1),
            now=beijing(2026, 10, 8, 8, 30),
        )
    assert view is not None
    assert view.holiday
    assert view.days_left == -7
    assert view.label == "国庆节检查"


async def test_moving_a_date_back_does_not_repeat_what_went_for_it(
    session_factory: Sessions,
) -> None:
    """Moved away and back: reminders already sent for the date never go again."""
    await setup(session_factory)
    for now in (beijing(2015, 12, 1, 8, 30), beijing(2015, 12, 24, 8, 30)):
        await sweep(session_factory, now)
    before = len(await deliveries(session_factory))
    for day, when in ((dt.date(2016, 3, 1), 25), (dt.date(2015, 12, 31), 26)):
        async with session_factory() as session:
            await set_due(
                session=session,
                telegram_id=BOSS,
                number=12,
                plan_code=None,
                on_date=day,
                reason="change",
                now=beijing(2015, 12, when, 9, 0),
            )
        await sweep(session_factory, beijing(2015, 12, when, 9, 5))
    assert len(await deliveries(session_factory)) == before
    async with session_factory() as session:
        due12 = await session.scalar(
            select(Milestone.id).join(Task).where(Task.number == 12, Milestone.key == "due")
        )
        assert due12 is not None
        stale = await reminder_message(
            session,
            milestone_id=due12,
            on_date=dt.date(2016, 3, 1),
            now=beijing(2015, 12, 26, 9, 0),
        )
    assert stale is None


async def test_a_sweep_after_which_nothing_came_or_changed_reads_one_statement_and_writes_nothing(
    session_factory: Sessions, engine: AsyncEngine
) -> None:
    """Between reminder moments the sweep only reads its watermark; the next moment still goes."""
    await setup(session_factory)
    first = await sweep(session_factory, beijing(2015, 12, 24, 8, 30))
    assert first > 0
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        for minutes in (5, 10, 60 * 23):
            async with session_factory() as session:
                now = beijing(2015, 12, 24, 8, 30) + dt.timedelta(minutes=minutes)
                assert await plan_deadline_reminders(session, now=now) == 0
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)
    assert len(statements) == 3  # one a sweep
    assert all(s.lstrip().upper().startswith("SELECT") for s in statements)
    # The next moment comes (the 1-day reminders of 31 December): those go, nothing more.
    queued = await sweep(session_factory, beijing(2015, 12, 30, 8, 35))
    decided = await deliveries(session_factory)
    assert queued > 0
    assert {(d.payload["on_date"], d.payload["offset"]) for d in decided[-queued:]} == {
        ("2015-12-31", 1)
    }


async def test_an_edit_that_decides_nothing_is_read_again_and_writes_nothing(
    session_factory: Sessions, engine: AsyncEngine
) -> None:
    """Task 12 moved months off between moments: each sweep reads the watermark and the changed
    tasks and writes nothing; the next moment goes, without task 12."""
    await setup(session_factory)
    assert await sweep(session_factory, beijing(2015, 12, 24, 8, 30)) > 0
    async with session_factory() as session:
        task12 = await session.scalar(select(Task.id).where(Task.number == 12))
        await set_due(
            session=session,
            telegram_id=BOSS,
            number=12,
            plan_code=None,
            on_date=dt.date(2016, 6, 30),
            reason="more time",
            now=beijing(2015, 12, 24, 8, 32),
        )
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        for minutes in (5, 10):
            async with session_factory() as session:
                now = beijing(2015, 12, 24, 8, 30) + dt.timedelta(minutes=minutes)
                assert await plan_deadline_reminders(session, now=now) == 0
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)
    assert len(statements) == 6  # three a sweep (watermark, changed tasks, their milestones)
    assert all(s.lstrip().upper().startswith("SELECT") for s in statements)
    queued = await sweep(session_factory, beijing(2015, 12, 30, 8, 35))
    decided = (await deliveries(session_factory))[-queued:]
    assert queued > 0
    assert {(d.payload["on_date"], d.payload["offset"]) for d in decided} == {("2015-12-31", 1)}
    assert task12 not in {d.payload["task_id"] for d in decided}


async def test_an_edit_near_now_that_queues_nothing_moves_the_watermark(
    session_factory: Sessions, engine: AsyncEngine
) -> None:
    """Task 12 moved to a date near now whose moments have not come: nothing is queued, yet the
    watermark moves, so the sweep after reads one statement instead of that task again."""
    await setup(session_factory)
    assert await sweep(session_factory, beijing(2015, 12, 24, 8, 30)) > 0
    async with session_factory() as session:
        await set_due(
            session=session,
            telegram_id=BOSS,
            number=12,
            plan_code=None,
            on_date=dt.date(2016, 1, 5),
            reason="a few days more",
            now=beijing(2015, 12, 24, 8, 32),
        )
    assert await sweep(session_factory, beijing(2015, 12, 24, 8, 35)) == 0
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with session_factory() as session:
            now = beijing(2015, 12, 24, 8, 40)
            assert await plan_deadline_reminders(session, now=now) == 0
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)
    assert len(statements) == 1


async def test_an_agency_assigned_after_the_moment_is_reminded_at_the_next_sweep(
    session_factory: Sessions,
) -> None:
    """A change since the last sweep is read again: a new agency gets the moment it missed."""
    await setup(session_factory)
    await sweep(session_factory, beijing(2015, 12, 24, 8, 30))
    async with session_factory() as session:
        task12 = await session.scalar(select(Task).where(Task.number == 12))
        assert task12 is not None
        on_task = set(
            await session.scalars(
                select(Assignment.agency_id).where(Assignment.task_id == task12.id)
            )
        )
        newcomer = await session.scalar(
            select(Member)
            .where(
                Member.telegram_id.in_([m[0] for m in MEMBERS]),
                Member.agency_id.not_in(on_task),
                Member.role == MemberRole.LIAISON,
            )
            .order_by(Member.id)
            .limit(1)
        )
        assert newcomer is not None
        assert newcomer.agency_id is not None
        due12 = await session.scalar(
            select(Milestone.id).where(Milestone.task_id == task12.id, Milestone.key == "due")
        )
        agency = await session.get(Agency, newcomer.agency_id)
        assert due12 is not None
        assert agency is not None
        await assign(
            session=session,
            telegram_id=BOSS,
            number=12,
            plan_code=None,
            agency=agency.name,
            role=Role.CO,
            now=beijing(2015, 12, 24, 10, 0),
        )
    await sweep(session_factory, beijing(2015, 12, 24, 10, 5))
    keys = {d.idempotency_key for d in await deliveries(session_factory)}
    assert reminder_key(due12, dt.date(2015, 12, 31), 7, newcomer.id) in keys
    assert await sweep(session_factory, beijing(2015, 12, 24, 10, 10)) == 0
