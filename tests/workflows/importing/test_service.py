"""Importing annexes into the database: first import, re-import diffs, failures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import MemberRole, ReportStatus
from db.models import Agency, AuditEvent, Delivery, Member, Milestone, Plan, StatusReport, Task
from workflows.errors import AnnexFormatError
from workflows.feeds.calendar import feed_version
from workflows.importing import bulk
from workflows.importing.service import bundled_annex, import_annex
from workflows.tasks import get_task, list_tasks

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(days=30)
Sessions = async_sessionmaker[AsyncSession]


async def _import(sessions: Sessions, data: bytes, **options: object) -> object:
    """Run one import in its own session, as a command would."""
    async with sessions() as session:
        return await import_annex(
            session=session,
            data=data,
            now=options.pop("now", NOW),
            timezone="Asia/Shanghai",
            **options,  # type: ignore[arg-type]
        )


def _revised_seed() -> bytes:
    """The bundled annex with task 5's units, task 12's schedule and task 23 changed or gone."""
    text = bundled_annex("gf-2015-5").decode()
    text = text.replace(
        "发展改革委、工业和信息化部、网信办、财政部、科技部、保密局、密码局等，地方各级人民政府",
        "发展改革委、工信部、网信办、财政部、科技部、教育部等，地方各级人民政府",
    )
    text = text.replace(
        "研究支持大规模云计算服务的网络政策。\t工业和信息化部、网信办、发展改革委等\t2015年出台",
        "研究支持大规模云计算服务的网络政策。\t工业和信息化部、网信办、发展改革委等\t2016年6月底前",
    )
    lines = [line for line in text.splitlines() if not line.startswith("23\t")]
    return "\n".join(lines).encode()


async def test_bundled_annex_yields_the_23_tasks(session_factory: Sessions) -> None:
    """The bundled 国发〔2015〕5号 annex imports into 23 tasks with the right units and dates."""
    result = await _import(session_factory, bundled_annex("gf-2015-5"), plan_code="gf-2015-5")
    assert result.plan_created
    assert result.applied
    assert result.task_count == 23
    assert result.document.number == "国发〔2015〕5号"
    assert result.unknown_units == ()
    assert result.flagged == ()
    async with session_factory() as session:
        tasks = await list_tasks(session, plan_code="gf-2015-5")
        assert [t.number for t in tasks] == list(range(1, 24))
        five = await get_task(session, number=5)
        twelve = await get_task(session, number=12)
        one = await get_task(session, number=1)
    assert [u.name for u in five.lead] == ["发展改革委"]
    assert [u.name for u in five.co] == [
        "工业和信息化部",
        "网信办",
        "财政部",
        "科技部",
        "保密局",
        "密码局",
        "地方各级人民政府",
    ]
    assert five.co[-1].is_group
    assert five.units_open
    assert five.lead[0].name_en == "National Development and Reform Commission"
    assert twelve.schedule.due_on == dt.date(2015, 12, 31)
    assert not twelve.schedule.ongoing
    assert one.schedule.ongoing
    assert one.schedule.start_on == dt.date(2015, 1, 6)
    assert one.schedule.due_on is None
    assert [(m.kind, m.on_date) for m in five.milestones] == [
        ("start", dt.date(2015, 1, 6)),
        ("checkpoint", dt.date(2015, 12, 31)),
        ("checkpoint", dt.date(2016, 12, 31)),
        ("due", dt.date(2017, 12, 31)),
    ]


async def test_reimport_of_the_same_file_changes_nothing(session_factory: Sessions) -> None:
    """Importing the same annex again finds no difference and writes nothing."""
    await _import(session_factory, bundled_annex("gf-2015-5"), plan_code="gf-2015-5")
    again = await _import(session_factory, bundled_annex("gf-2015-5"), plan_code="gf-2015-5")
    assert again.diff.is_empty
    assert not again.applied
    assert not again.needs_confirmation


async def test_reimport_shows_the_diff_and_applies_only_when_confirmed(
    session_factory: Sessions,
) -> None:
    """A revised annex is shown as a diff; --apply writes it, keeping milestones and reports."""
    await _import(session_factory, bundled_annex("gf-2015-5"), plan_code="gf-2015-5")
    async with session_factory() as session:
        task5 = await session.scalar(select(Task).where(Task.number == 5))
        secrecy = await session.scalar(select(Agency).where(Agency.name == "密码局"))
        assert task5 is not None
        assert secrecy is not None
        session.add(
            StatusReport(
                task_id=task5.id,
                agency_id=secrecy.id,
                status=ReportStatus.ON_TRACK,
                percent=40,
                note="进展顺利",
                reported_at=NOW,
            )
        )
        await session.commit()
        due12 = await session.scalar(
            select(Milestone).join(Task).where(Task.number == 12, Milestone.key == "due")
        )
        assert due12 is not None

    shown = await _import(session_factory, _revised_seed(), plan_code="gf-2015-5", now=LATER)
    assert shown.needs_confirmation
    assert not shown.applied
    assert [t.number for t in shown.diff.removed] == [23]
    changes = {c.number: c for c in shown.diff.changed}
    assert set(changes) == {5, 12}
    assert changes[5].units_added == ("教育部",)
    assert changes[5].units_removed == ("保密局", "密码局")
    assert changes[12].after.due_on == dt.date(2016, 6, 30)
    async with session_factory() as session:  # nothing written yet
        assert (await get_task(session, number=12)).schedule.due_on == dt.date(2015, 12, 31)

    applied = await _import(
        session_factory, _revised_seed(), plan_code="gf-2015-5", now=LATER, apply=True
    )
    assert applied.applied
    async with session_factory() as session:
        five = await get_task(session, number=5)
        assert "教育部" in [u.name for u in five.co]
        assert "密码局" not in [u.name for u in five.units]
        moved = await session.get(Milestone, due12.id)
        assert moved is not None
        assert moved.on_date == dt.date(2016, 6, 30)
        assert moved.sequence == 1
        assert moved.updated_at == LATER
        assert [t.number for t in await list_tasks(session)] == list(range(1, 23))
        gone = await session.scalar(select(Task).where(Task.number == 23))
        assert gone is not None
        assert gone.removed_at == LATER
        cancelled = await session.scalars(select(Milestone).where(Milestone.task_id == gone.id))
        assert all(m.cancelled_at == LATER for m in cancelled)
        reports = await session.scalar(select(func.count()).select_from(StatusReport))
        assert reports == 1
        actions = set(await session.scalars(select(AuditEvent.action)))
        assert {"plan.import", "task.add", "task.change", "task.remove"} <= actions


async def test_failed_import_leaves_the_database_as_it_was(session_factory: Sessions) -> None:
    """A row without units fails with its line number, and no plan or agency is written."""
    bad = (
        "序号\t工作任务\t负责单位\t时间进度\n"
        "1\t甲任务。\t新设局\t2016年底前\n"
        "2\t乙任务。\t\t2016年底前\n"
    )
    with pytest.raises(AnnexFormatError) as failure:
        await _import(session_factory, bad.encode(), plan_code="bad")
    assert failure.value.line == 3
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Plan)) == 0
        assert await session.scalar(select(func.count()).select_from(Agency)) == 0


async def test_failure_while_writing_rolls_everything_back(
    session_factory: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure half-way through writing leaves no plan, task or agency behind."""
    real_insert = bulk._insert

    async def failing_insert(session: Any, model: type[Any], rows: Any) -> None:
        if model is Milestone:  # the tasks and their units are written by now
            raise RuntimeError("disk full")
        await real_insert(session, model, rows)

    monkeypatch.setattr(bulk, "_insert", failing_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        await _import(session_factory, bundled_annex("gf-2015-5"), plan_code="gf-2015-5")
    async with session_factory() as session:
        for model in (Plan, Task, Agency, Milestone, AuditEvent):
            assert await session.scalar(select(func.count()).select_from(model)) == 0


async def test_unknown_units_are_created_and_reported_and_aliases_resolve(
    session_factory: Sessions,
) -> None:
    """An unknown unit becomes a new agency and is reported; 工信部 is 工业和信息化部."""
    annex = (
        "序号\t工作任务\t负责单位\t时间进度\n"
        "1\t建设平台。\t工信部、云计算推进办公室等\t2016年底前\n"
    )
    result = await _import(session_factory, annex.encode(), plan_code="demo")
    assert [(u.name, u.tasks, u.created) for u in result.unknown_units] == [
        ("云计算推进办公室", (1,), True)
    ]
    async with session_factory() as session:
        task = await get_task(session, number=1, plan_code="demo")
    assert [u.name for u in task.units] == ["工业和信息化部", "云计算推进办公室"]


async def test_dry_run_writes_nothing(session_factory: Sessions) -> None:
    """A dry run reports the tasks but leaves the database empty."""
    result = await _import(session_factory, bundled_annex("gf-2015-5"), plan_code="x", dry_run=True)
    assert result.task_count == 23
    assert not result.applied
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Task)) == 0


async def test_import_queues_notices_for_liaisons_already_registered(
    session_factory: Sessions,
) -> None:
    """A re-import that assigns an agency new tasks queues a notice to its liaisons."""
    header = "序号\t工作任务\t负责单位\t时间进度\n"
    await _import(session_factory, (header + "1\t甲。\t科技部\t2016年\n").encode(), plan_code="p")
    async with session_factory() as session:
        most = await session.scalar(select(Agency).where(Agency.name == "科技部"))
        assert most is not None
        session.add(
            Member(
                telegram_id=77,
                display_name="李",
                agency_id=most.id,
                role=MemberRole.LIAISON,
                created_at=NOW,
            )
        )
        await session.commit()
    revised = header + "1\t甲。\t科技部\t2016年\n2\t乙。\t科技部、财政部\t2017年\n"
    await _import(session_factory, revised.encode(), plan_code="p", apply=True, now=LATER)
    async with session_factory() as session:
        deliveries = list(await session.scalars(select(Delivery)))
    assert [(d.kind, d.chat_id) for d in deliveries] == [("assignment_notice", 77)]
    assert deliveries[0].created_at == LATER


async def test_a_new_plans_bulk_import_raises_the_feed_data_version(
    session_factory: Sessions,
) -> None:
    """The rows written in bulk, past the ORM, still tell kept feeds that the data changed."""
    async with session_factory() as session:
        before = await feed_version(session)
    result = await _import(session_factory, bundled_annex("gf-2015-5"), plan_code="gf-2015-5")
    assert result.applied
    async with session_factory() as session:
        after = await feed_version(session)
    assert before is not None
    assert after is not None
    assert after > before
