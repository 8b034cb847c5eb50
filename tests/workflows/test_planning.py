"""Coordinators changing the plan: assignments, due dates, custom milestones, and their audit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import Role
from db.models import Delivery, Milestone
from tests.kit.office import BOSS, LIAISON, NOW, events, seed
from workflows.access import find_task
from workflows.errors import ConflictError, ForbiddenError, NotFoundError
from workflows.planning import AssignmentChange, add_milestone, assign, set_due, unassign

Sessions = async_sessionmaker[AsyncSession]


async def assign_4(
    sessions: Sessions, agency: str, role: Role | None, *, telegram_id: int = BOSS
) -> AssignmentChange:
    """Assign (or with role None, unassign) an agency on task 4."""
    async with sessions() as session:
        if role is None:
            return await unassign(
                session=session,
                telegram_id=telegram_id,
                number=4,
                plan_code=None,
                agency=agency,
                now=NOW,
            )
        return await assign(
            session=session,
            telegram_id=telegram_id,
            number=4,
            plan_code=None,
            agency=agency,
            role=role,
            now=NOW,
        )


async def test_assign_adds_at_the_end_and_notifies_the_agency(session_factory: Sessions) -> None:
    """A new assignment goes last, is audited, and the agency's liaison gets a notice."""
    await seed(session_factory)
    async with session_factory() as session:
        change = await assign(
            session=session,
            telegram_id=BOSS,
            number=7,
            plan_code=None,
            agency="Ministry of Science and Technology",
            role=Role.CO,
            now=NOW,
        )
    assert (change.agency, change.before, change.after, change.changed) == (
        "科技部",
        None,
        "co",
        True,
    )
    async with session_factory() as session:
        task = await find_task(session, number=7)
        assert [(a.agency.name, a.role, a.position) for a in task.assignments][-1] == (
            "科技部",
            Role.CO,
            2,
        )
        notices = list(await session.scalars(select(Delivery.chat_id)))
    assert LIAISON in notices
    [event] = await events(session_factory, "assignment.assigned")
    assert event.before is None
    assert event.after == {"agency": "科技部", "role": "co"}
    assert event.actor_member_id is not None


async def test_assign_changes_a_role_and_refuses_losing_the_lead(session_factory: Sessions) -> None:
    """Re-assigning changes the role; the last lead cannot become co-responsible or leave."""
    await seed(session_factory)
    with pytest.raises(ConflictError):
        await assign_4(session_factory, "科技部", Role.CO)
    with pytest.raises(ConflictError):
        await assign_4(session_factory, "科技部", None)
    change = await assign_4(session_factory, "发展改革委", Role.LEAD)
    assert (change.before, change.after) == ("co", "lead")
    assert not (await assign_4(session_factory, "发展改革委", Role.LEAD)).changed
    gone = await assign_4(session_factory, "科技部", None)
    assert (gone.before, gone.after) == ("lead", None)
    [event] = await events(session_factory, "assignment.removed")
    assert event.before == {"agency": "科技部", "role": "lead"}
    assert event.after is None
    async with session_factory() as session:
        task = await find_task(session, number=4)
        assert [(a.agency.name, a.role) for a in task.assignments] == [("发展改革委", Role.LEAD)]


async def test_unknown_things_and_liaisons_are_refused(session_factory: Sessions) -> None:
    """Unknown agencies, tasks and agencies not on a task are named; liaisons may not plan."""
    await seed(session_factory)
    with pytest.raises(NotFoundError) as raised:
        await assign_4(session_factory, "火星部", Role.CO)
    assert raised.value.params == {"name": "火星部"}
    with pytest.raises(NotFoundError):
        await assign_4(session_factory, "公安部", None)
    async with session_factory() as session:
        with pytest.raises(NotFoundError):
            await set_due(
                session=session,
                telegram_id=BOSS,
                number=99,
                plan_code=None,
                on_date=dt.date(2016, 6, 30),
                reason="x",
                now=NOW,
            )
    with pytest.raises(ForbiddenError):
        await assign_4(session_factory, "财政部", Role.CO, telegram_id=LIAISON)


async def test_set_due_moves_the_milestone(session_factory: Sessions) -> None:
    """The due milestone moves, its sequence rises, and the audit keeps before, after and reason."""
    await seed(session_factory)
    later = NOW + dt.timedelta(hours=1)
    async with session_factory() as session:
        change = await set_due(
            session=session,
            telegram_id=BOSS,
            number=12,
            plan_code="gf-2015-5",
            on_date=dt.date(2016, 6, 30),
            reason="批准延期",
            now=later,
        )
    assert (change.previous, change.on_date, change.sequence) == (
        dt.date(2015, 12, 31),
        dt.date(2016, 6, 30),
        1,
    )
    async with session_factory() as session:
        task = await find_task(session, number=12)
        assert task.due_on == dt.date(2016, 6, 30)
        [due] = [m for m in task.milestones if m.key == "due"]
        assert (due.on_date, due.sequence, due.updated_at.replace(tzinfo=dt.UTC)) == (
            dt.date(2016, 6, 30),
            1,
            later,
        )
        with pytest.raises(ConflictError):
            await set_due(
                session=session,
                telegram_id=BOSS,
                number=12,
                plan_code=None,
                on_date=dt.date(2016, 6, 30),
                reason="again",
                now=later,
            )
    [event] = await events(session_factory, "milestone.due_moved")
    assert event.before == {"due_on": "2015-12-31"}
    assert event.after == {"due_on": "2016-06-30", "reason": "批准延期"}


async def test_set_due_creates_a_missing_due_milestone(session_factory: Sessions) -> None:
    """Task 1 (开始实施, no end) gets a due milestone."""
    await seed(session_factory)
    async with session_factory() as session:
        change = await set_due(
            session=session,
            telegram_id=BOSS,
            number=1,
            plan_code=None,
            on_date=dt.date(2016, 12, 31),
            reason="定期限",
            now=NOW,
        )
    assert (change.previous, change.sequence) == (None, 0)
    async with session_factory() as session:
        task = await find_task(session, number=1)
        assert task.due_on == dt.date(2016, 12, 31)
        assert {m.key for m in task.milestones} == {"start", "due"}


async def test_add_milestone(session_factory: Sessions) -> None:
    """Custom milestones get their own keys and are audited."""
    await seed(session_factory)
    for label in ("形成初稿", "征求意见"):
        async with session_factory() as session:
            await add_milestone(
                session=session,
                telegram_id=BOSS,
                number=5,
                plan_code=None,
                on_date=dt.date(2016, 5, 1),
                label=label,
                now=NOW,
            )
    async with session_factory() as session:
        custom = list(
            await session.scalars(
                select(Milestone).where(Milestone.key.like("custom-%")).order_by(Milestone.key)
            )
        )
    assert [(m.key, m.label, m.kind.value) for m in custom] == [
        ("custom-1", "形成初稿", "custom"),
        ("custom-2", "征求意见", "custom"),
    ]
    added = await events(session_factory, "milestone.added")
    assert [e.after for e in added] == [
        {"on_date": "2016-05-01", "label": "形成初稿"},
        {"on_date": "2016-05-01", "label": "征求意见"},
    ]
