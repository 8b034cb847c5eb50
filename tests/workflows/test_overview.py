"""What coordinators read: filtered, paged task lists, task cards and audit trails."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from db.enums import ReportStatus, Role, TaskState
from db.models import StatusReport, Task
from tests.kit.cast import Sessions
from tests.kit.office import BOSS, LIAISON, NOW, seed
from workflows.access import find_task
from workflows.agencies import find_agency
from workflows.errors import ForbiddenError, NotFoundError
from workflows.lights import Light
from workflows.overview import TaskFilter, list_task_page, task_audit, task_card
from workflows.planning import assign, set_due
from workflows.tasks import list_tasks


async def report(
    sessions: Sessions, number: int, agency: str, status: ReportStatus, at: dt.datetime
) -> None:
    """A status report, straight into the database."""
    async with sessions() as session:
        task = await find_task(session, number=number)
        found = await find_agency(session, agency)
        assert found is not None
        session.add(
            StatusReport(
                task_id=task.id, agency_id=found.id, status=status, percent=50, reported_at=at
            )
        )
        await session.commit()


async def numbers(
    sessions: Sessions, kind: TaskFilter, *, now: dt.datetime = NOW, agency: str | None = None
) -> list[int]:
    """Every task number a filter lists (one big page)."""
    async with sessions() as session:
        page = await list_task_page(
            session=session, telegram_id=BOSS, kind=kind, agency=agency, now=now, page_size=100
        )
    return [line.number for line in page.lines]


async def test_pages(session_factory: Sessions) -> None:
    """Ten to a page; a page past the end shows the last one."""
    await seed(session_factory)
    async with session_factory() as session:
        first = await list_task_page(
            session=session, telegram_id=BOSS, kind=TaskFilter.ALL, now=NOW
        )
        last = await list_task_page(
            session=session, telegram_id=BOSS, kind=TaskFilter.ALL, now=NOW, page=7
        )
    assert (first.page, first.pages, first.total, len(first.lines)) == (0, 3, 23, 10)
    assert [line.number for line in last.lines] == [21, 22, 23]
    assert last.page == 2
    line = first.lines[1]
    assert (line.number, line.lead, line.light, line.next_date) == (
        2,
        "工业和信息化部",
        Light.GREEN,
        dt.date(2016, 12, 31),
    )
    assert not first.several_plans


async def test_agency_filter_takes_any_name(session_factory: Sessions) -> None:
    """工信部 finds 工业和信息化部's tasks; an unknown name is refused."""
    await seed(session_factory)
    async with session_factory() as session:
        expected = [t.number for t in await list_tasks(session, agency="工业和信息化部")]
    assert await numbers(session_factory, TaskFilter.AGENCY, agency="工信部") == expected
    with pytest.raises(NotFoundError):
        await numbers(session_factory, TaskFilter.AGENCY, agency="火星部")


async def test_light_overdue_done_and_silent_filters(session_factory: Sessions) -> None:
    """Red is overdue or blocked; silent is an agency quiet for 28 days; done is not open."""
    await seed(session_factory)
    await report(session_factory, 3, "科技部", ReportStatus.BLOCKED, NOW)
    async with session_factory() as session:
        await session.execute(update(Task).where(Task.number == 2).values(state=TaskState.DONE))
        await session.commit()
    assert await numbers(session_factory, TaskFilter.RED) == [3, 12]
    assert await numbers(session_factory, TaskFilter.OVERDUE) == [12]
    assert await numbers(session_factory, TaskFilter.DONE) == [2]
    assert 2 not in await numbers(session_factory, TaskFilter.OPEN)
    assert await numbers(session_factory, TaskFilter.SILENT) == []
    later = NOW + dt.timedelta(days=29)
    for agency in ("科技部", "发展改革委"):
        await report(session_factory, 4, agency, ReportStatus.ON_TRACK, NOW + dt.timedelta(days=20))
    silent = await numbers(session_factory, TaskFilter.SILENT, now=later)
    assert 4 not in silent
    assert 3 in silent
    assert 2 not in silent


async def test_liaisons_cannot_list(session_factory: Sessions) -> None:
    """The overview is the coordinators'."""
    await seed(session_factory)
    async with session_factory() as session:
        with pytest.raises(ForbiddenError):
            await list_task_page(session=session, telegram_id=LIAISON, kind=TaskFilter.ALL, now=NOW)


async def test_task_card_and_audit(session_factory: Sessions) -> None:
    """The card has units, milestones, latest reports and history; the audit is newest first."""
    await seed(session_factory)
    await report(session_factory, 4, "科技部", ReportStatus.AT_RISK, NOW)
    async with session_factory() as session:
        await assign(
            session=session,
            telegram_id=BOSS,
            number=4,
            plan_code=None,
            agency="财政部",
            role=Role.CO,
            now=NOW,
        )
    async with session_factory() as session:
        await set_due(
            session=session,
            telegram_id=BOSS,
            number=4,
            plan_code=None,
            on_date=dt.date(2018, 6, 30),
            reason="延期",
            now=NOW + dt.timedelta(minutes=5),
        )
    async with session_factory() as session:
        card = await task_card(session=session, telegram_id=BOSS, number=4, plan_code=None, now=NOW)
        trail = await task_audit(session=session, telegram_id=BOSS, number=4, plan_code=None)
    assert [u.name for u in card.view.units] == ["科技部", "发展改革委", "财政部"]
    assert card.light is Light.YELLOW
    assert [(r.agency, r.status) for r in card.reports] == [("科技部", ReportStatus.AT_RISK)]
    assert card.view.schedule.due_on == dt.date(2018, 6, 30)
    assert [e.action for e in trail.events][:2] == ["milestone.due_moved", "assignment.assigned"]
    assert trail.events[0].actor == "主任"
    assert [e.action for e in card.history][:2] == [e.action for e in trail.events][:2]
    async with session_factory() as session:
        with pytest.raises(ForbiddenError):
            await task_audit(session=session, telegram_id=LIAISON, number=4, plan_code=None)
