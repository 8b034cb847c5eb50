"""Exports: the status matrix and the history of reports and changes, and who may take them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from db.enums import ReportStatus, Role, TaskState
from db.models import Assignment, AuditEvent, StatusReport, Task
from tests.kit.reports import BOSS, CO, LEAD, NOW, OTHER, Sessions, setup, task_id
from workflows.agencies import find_agency
from workflows.errors import ForbiddenError, NotFoundError, NotRegisteredError
from workflows.exports import (
    ExportData,
    ExportTarget,
    HistoryKind,
    build_export,
    export_target,
    member_export_target,
)
from workflows.importing.model import DocumentInfo
from workflows.importing.service import bundled_annex, import_annex
from workflows.lights import Light
from workflows.overview import TaskFilter, list_task_page
from workflows.planning import set_due

LATER = NOW + dt.timedelta(days=2)


async def report(
    sessions: Sessions,
    number: int,
    agency: str,
    status: ReportStatus,
    *,
    at: dt.datetime,
    percent: int | None = 50,
    note: str | None = None,
) -> None:
    """A status report with the audit event the report workflow writes beside it."""
    async with sessions() as session:
        found = await find_agency(session, agency)
        assert found is not None
        task = await task_id(session, number)
        row = StatusReport(
            task_id=task,
            agency_id=found.id,
            status=status,
            percent=percent,
            note=note,
            reported_at=at,
        )
        session.add(row)
        await session.flush()
        session.add(
            AuditEvent(
                at=at,
                actor="system",
                action="report.add",
                entity="status_report",
                entity_id=row.id,
                task_id=task,
                after={"status": str(status)},
            )
        )
        await session.commit()


async def export(
    sessions: Sessions, *, agency: str | None = None, plan: str | None = None
) -> ExportData:
    """The export of a target named as on the command line."""
    async with sessions() as session:
        target = await export_target(session=session, plan_code=plan, agency=agency)
        return await build_export(session=session, target=target, now=LATER)


async def test_matrix_has_a_row_per_task_and_unit(session_factory: Sessions) -> None:
    """Every live assignment once, lead first, with the latest report and the task's light."""
    await setup(session_factory)
    await report(session_factory, 4, "科技部", ReportStatus.ON_TRACK, at=NOW, percent=20)
    await report(
        session_factory,
        4,
        "科技部",
        ReportStatus.BLOCKED,
        at=NOW + dt.timedelta(hours=1),
        percent=30,
        note="缺少经费",
    )
    data = await export(session_factory)
    async with session_factory() as session:
        assignments = await session.scalar(
            select(func.count()).select_from(Assignment).join(Task).where(Task.removed_at.is_(None))
        )
        page = await list_task_page(
            session=session, telegram_id=BOSS, kind=TaskFilter.ALL, now=LATER, page_size=100
        )
    assert len(data.matrix) == assignments
    assert [(r.number, r.role) for r in data.matrix[:2]] == [(1, Role.LEAD), (1, Role.CO)]
    four = [r for r in data.matrix if r.number == 4]
    assert [(r.agency, r.role) for r in four] == [("科技部", Role.LEAD), ("发展改革委", Role.CO)]
    lead, co = four
    assert (lead.status, lead.percent, lead.note) == (ReportStatus.BLOCKED, 30, "缺少经费")
    assert lead.reported_at == NOW + dt.timedelta(hours=1)
    assert (co.status, co.percent, co.reported_at) == (None, None, None)
    assert lead.light is co.light is Light.RED  # one light per task, as /tasks shows it
    assert lead.due_on == dt.date(2017, 12, 31)
    assert lead.next_date == dt.date(2016, 12, 31)
    assert lead.task_state is TaskState.OPEN
    lights = {line.number: line.light for line in page.lines}
    assert all(row.light is lights[row.number] for row in data.matrix)
    assert lights[12] is Light.RED  # due 2015-12-31: overdue
    assert data.timezone("gf-2015-5") == "Asia/Shanghai"


async def test_history_has_reports_and_changes_in_order(session_factory: Sessions) -> None:
    """Reports and audited changes, oldest first; a report is not listed twice."""
    await setup(session_factory)
    await report(session_factory, 4, "科技部", ReportStatus.AT_RISK, at=NOW + dt.timedelta(hours=2))
    async with session_factory() as session:
        await set_due(
            session=session,
            telegram_id=BOSS,
            number=4,
            plan_code=None,
            on_date=dt.date(2018, 6, 30),
            reason="批准延期",
            now=NOW + dt.timedelta(hours=3),
        )
    data = await export(session_factory)
    kinds = [(row.kind, row.action, row.number) for row in data.history]
    assert kinds[0] == (HistoryKind.CHANGE, "task.add", 1)
    assert ("plan.import" in {row.action for row in data.history}) is True
    assert [row.at for row in data.history] == sorted(row.at for row in data.history)
    report_rows = [row for row in data.history if row.kind is HistoryKind.REPORT]
    assert len(report_rows) == 1
    [reported] = report_rows
    assert (reported.agency, reported.status, reported.percent) == (
        "科技部",
        ReportStatus.AT_RISK,
        50,
    )
    assert "report.add" not in {row.action for row in data.history}
    moved = data.history[-1]
    assert (moved.action, moved.number, moved.actor) == ("milestone.due_moved", 4, "m9")
    assert moved.before is not None
    assert moved.after is not None
    assert (moved.before["due_on"], moved.after["due_on"]) == ("2017-12-31", "2018-06-30")


async def test_an_agency_export_keeps_its_own_rows(session_factory: Sessions) -> None:
    """工信部's export: only its rows and its reports, but every change to its tasks."""
    await setup(session_factory)
    await report(session_factory, 3, "科技部", ReportStatus.ON_TRACK, at=NOW)
    await report(session_factory, 3, "工业和信息化部", ReportStatus.DONE, at=NOW, percent=100)
    data = await export(session_factory, agency="工信部")
    assert data.agency == "工业和信息化部"
    assert data.matrix
    assert {row.agency for row in data.matrix} == {"工业和信息化部"}
    assert {row.number for row in data.matrix} >= {2, 3, 5, 12}
    assert 4 not in {row.number for row in data.matrix}
    reports = [row for row in data.history if row.kind is HistoryKind.REPORT]
    assert [(r.agency, r.status) for r in reports] == [("工业和信息化部", ReportStatus.DONE)]
    changes = {row.number for row in data.history if row.kind is HistoryKind.CHANGE}
    assert changes == {row.number for row in data.matrix}
    assert "plan.import" not in {row.action for row in data.history}


async def test_unknown_plan_or_agency(session_factory: Sessions) -> None:
    """A plan or agency that does not exist is named in the error."""
    await setup(session_factory)
    with pytest.raises(NotFoundError, match="nope"):
        await export(session_factory, plan="nope")
    with pytest.raises(NotFoundError, match="火星部"):
        await export(session_factory, agency="火星部")
    data = await export(session_factory, plan="gf-2015-5")
    assert data.plan_code == "gf-2015-5"
    assert len({row.number for row in data.matrix}) == 23


async def test_who_may_export_what(session_factory: Sessions) -> None:
    """Coordinators any agency or all; liaisons their own agency, by any name, and no other."""
    await setup(session_factory)
    async with session_factory() as session:
        everything = await member_export_target(session=session, telegram_id=BOSS)
        one = await member_export_target(session=session, telegram_id=BOSS, agency="工信部")
        own = await member_export_target(session=session, telegram_id=LEAD)
        named = await member_export_target(session=session, telegram_id=CO, agency="国家发展改革委")
        found = await find_agency(session, "科技部")
        assert found is not None
        with pytest.raises(ForbiddenError) as refused:
            await member_export_target(session=session, telegram_id=OTHER, agency="科技部")
        with pytest.raises(NotRegisteredError):
            await member_export_target(session=session, telegram_id=999)
    assert everything == ExportTarget("gf-2015-5", None, None)  # the only plan, named
    assert one.agency == "工业和信息化部"
    assert own == ExportTarget(None, found.id, "科技部")
    assert named.agency == "发展改革委"
    assert refused.value.params == {"agency": "公安部"}


async def test_a_removed_task_leaves_the_matrix_but_keeps_its_history(
    session_factory: Sessions,
) -> None:
    """A task a new import removed is not in the matrix; its reports and changes stay."""
    await setup(session_factory)
    await report(session_factory, 23, "发展改革委", ReportStatus.ON_TRACK, at=NOW)
    async with session_factory() as session:
        await session.execute(update(Task).where(Task.number == 23).values(removed_at=LATER))
        await session.commit()
    data = await export(session_factory)
    assert 23 not in {row.number for row in data.matrix}
    assert {(row.kind, row.number) for row in data.history} >= {
        (HistoryKind.REPORT, 23),
        (HistoryKind.CHANGE, 23),
    }


async def test_an_export_of_several_plans_tells_their_rows_apart(session_factory: Sessions) -> None:
    """An agency's export over two plans: the same task numbers, each row with its plan, in
    both tables; one plan's export holds only that plan."""
    await setup(session_factory)
    async with session_factory() as session:
        await import_annex(
            session=session,
            data=bundled_annex("gf-2015-5"),
            now=NOW,
            timezone="Asia/Shanghai",
            plan_code="gf-2019-3",
            document=DocumentInfo(number="国发〔2019〕3号", title=None),
        )
    both = await export(session_factory, agency="公安部")
    by_plan = {
        plan: sorted({row.number for row in both.matrix if row.plan == plan})
        for plan in {row.plan for row in both.matrix}
    }
    assert by_plan == {"gf-2015-5": [6, 8, 10, 11, 17, 20], "gf-2019-3": [6, 8, 10, 11, 17, 20]}
    assert {row.plan for row in both.history} == {"gf-2015-5", "gf-2019-3"}
    one = await export(session_factory, agency="公安部", plan="gf-2019-3")
    assert {row.plan for row in one.matrix} == {"gf-2019-3"}
