"""Importing what an annex means: local units, co-leads and guides, leaders' notes, recurring
checkpoints, and schedules flagged with a reason."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from db.enums import MemberRole, MilestoneKind, RoleMarker, TaskState
from db.models import Agency, Assignment, Delivery, Member, Milestone, Plan, Task
from workflows.checkpoints import extend_recurring_checkpoints
from workflows.importing.service import ImportResult, import_annex
from workflows.reminders import plan_deadline_reminders
from workflows.tasks import get_task, list_plans

NOW = dt.datetime(2023, 3, 20, 9, 0, tzinfo=dt.UTC)
Sessions = async_sessionmaker[AsyncSession]

# A provincial annex written with the phrasings of real ones (浙政办发, 湘政发〔2019〕1号,
# 粤府办〔2023〕5号): level prefixes, co-leads, 指导, leaders' posts, 等…和, a quarterly report,
# a deadline then ongoing work, an event-tied deadline, a yearly checkpoint, a month before
# the signing date.
LOCAL_ANNEX = """浙江省人民政府办公厅关于印发浙江省数字政府建设重点任务分工方案的通知

浙政办发〔2023〕7号

各市、县（市、区）人民政府，省政府直属各单位：

现将方案印发给你们，请认真贯彻落实。

浙江省人民政府办公厅
2023年3月10日

一、夯实基础

1.建设一体化数据平台。统筹建设全省一体化数据资源体系。（省大数据局、省发展改革委牵头，\
省财政厅、各市、县（市、区）人民政府按职责分工负责，2023年底前完成，每季度报送进展）

2.推进政务服务改革。深化“最多跑一次”改革。（分管副省长、协管副秘书长负责，省政府办公厅牵头，\
省委网信办指导，省市场监管局等省有关部门和各市人民政府参与，2024年6月底前出台，持续推进）

3.做好防汛准备。开展隐患排查。（省水利厅负责，汛期前完成）

4.开展年度评估。（省发展改革委负责，每年年底前）

5.整治重点区域。（省生态环境厅负责，2月底前完成）
"""


async def _import(sessions: Sessions, data: str, **options: object) -> ImportResult:
    async with sessions() as session:
        return await import_annex(
            session=session,
            data=data.encode(),
            now=options.pop("now", NOW),  # type: ignore[arg-type]
            timezone="Asia/Shanghai",
            **options,  # type: ignore[arg-type]
        )


async def _task(session: AsyncSession, number: int) -> Task:
    task = await session.scalar(
        select(Task)
        .where(Task.number == number)
        .options(
            selectinload(Task.assignments).selectinload(Assignment.agency),
            selectinload(Task.milestones),
        )
    )
    assert task is not None
    return task


async def test_local_units_belong_to_the_jurisdiction_the_issuer_names(
    session_factory: Sessions,
) -> None:
    """省发展改革委 in a 浙江省 document is 浙江省发展改革委, a known local unit."""
    result = await _import(session_factory, LOCAL_ANNEX, plan_code="zj")
    assert result.jurisdiction == "浙江省"
    assert result.unknown_units == ()
    async with session_factory() as session:
        one = await get_task(session, number=1)
        [plan] = await list_plans(session)
        agency = await session.scalar(select(Agency).where(Agency.name == "浙江省发展改革委"))
    assert plan.jurisdiction == "浙江省"
    assert [(u.name, u.role, u.marker, u.is_group) for u in one.units] == [
        ("浙江省大数据局", "lead", None, False),
        ("浙江省发展改革委", "lead", "co_lead", False),
        ("浙江省财政厅", "co", None, False),
        ("浙江省各市、县（市、区）人民政府", "co", None, True),
    ]
    assert agency is not None
    assert agency.jurisdiction == "浙江省"
    assert not agency.in_directory
    assert agency.name_en == "浙江省 counterpart of the National Development and Reform Commission"


async def test_a_jurisdiction_given_by_hand_wins(session_factory: Sessions) -> None:
    result = await _import(
        session_factory, LOCAL_ANNEX, plan_code="zj", jurisdiction="浙江省杭州市"
    )
    assert result.jurisdiction == "浙江省杭州市"
    async with session_factory() as session:
        two = await get_task(session, number=2)
    # 省 units stay the province's; 各市人民政府 is a group within the plan's place.
    assert [u.name for u in two.units][:2] == ["浙江省政府办公厅", "浙江省委网信办"]


async def test_without_a_jurisdiction_local_units_are_reported_with_a_hint(
    session_factory: Sessions,
) -> None:
    annex = "序号\t工作任务\t负责单位\t时间进度\n1\t建设平台。\t省大数据局、财政部\t2016年底前\n"
    result = await _import(session_factory, annex, plan_code="nowhere")
    assert result.jurisdiction is None
    assert [(u.name, u.local) for u in result.unknown_units] == [("省大数据局", True)]
    again = await _import(session_factory, annex, plan_code="nowhere", jurisdiction="四川省")
    assert again.needs_confirmation
    [change] = again.diff.changed
    assert change.units_added == ("四川省大数据局",)
    assert change.units_removed == ("省大数据局",)


async def test_co_leads_guides_and_leaders_posts_are_kept(session_factory: Sessions) -> None:
    """甲、乙牵头: a co-lead; 指导: a guide; 分管副省长: the task's note, not an agency."""
    await _import(session_factory, LOCAL_ANNEX, plan_code="zj")
    async with session_factory() as session:
        two = await get_task(session, number=2)
        posts = await session.scalar(select(Agency).where(Agency.name.like("%副省长%")))
        stored = await _task(session, 2)
    assert posts is None
    assert two.note == "分管副省长、协管副秘书长"
    assert [(u.name, u.role, u.marker) for u in two.units] == [
        ("浙江省政府办公厅", "lead", None),
        ("浙江省委网信办", "co", "guide"),
        ("浙江省市场监管局", "co", None),
        ("浙江省各市人民政府", "co", None),
    ]
    assert two.units_open
    assert stored.responsibility_note == "分管副省长、协管副秘书长"
    assert [a.marker for a in stored.assignments] == [None, RoleMarker.GUIDE, None, None]


async def test_a_deadline_then_ongoing_work(session_factory: Sessions) -> None:
    """2024年6月底前出台，持续推进: due then, and the task goes on."""
    await _import(session_factory, LOCAL_ANNEX, plan_code="zj")
    async with session_factory() as session:
        two = await get_task(session, number=2)
    assert two.schedule.due_on == dt.date(2024, 6, 30)
    assert two.schedule.ongoing
    assert not two.schedule.flagged


async def test_flags_say_why(session_factory: Sessions) -> None:
    """汛期前 waits for a coordinator; 2月底前 in a March document is not guessed."""
    result = await _import(session_factory, LOCAL_ANNEX, plan_code="zj")
    assert [(f.number, f.reason, f.event) for f in result.flagged] == [
        (3, "event", "汛期"),
        (5, "before_issue", None),
    ]
    assert not result.no_schedule


async def test_quarterly_checkpoints_up_to_the_deadline(session_factory: Sessions) -> None:
    """2023年底前完成，每季度报送进展: a checkpoint at each quarter end, then due."""
    await _import(session_factory, LOCAL_ANNEX, plan_code="zj")
    async with session_factory() as session:
        one = await get_task(session, number=1)
    assert one.schedule.recurrence == "quarter"
    assert [(m.kind, m.on_date) for m in one.milestones] == [
        ("checkpoint", dt.date(2023, 3, 31)),
        ("checkpoint", dt.date(2023, 6, 30)),
        ("checkpoint", dt.date(2023, 9, 30)),
        ("due", dt.date(2023, 12, 31)),
    ]


async def test_yearly_checkpoints_run_until_the_task_is_closed(session_factory: Sessions) -> None:
    """每年年底前: checkpoints a year ahead at import, extended by the reminder sweep while open."""
    await _import(session_factory, LOCAL_ANNEX, plan_code="zj")
    async with session_factory() as session:
        four = await get_task(session, number=4)
    assert four.schedule.ongoing
    assert four.schedule.recurrence == "year"
    assert [(m.kind, m.on_date) for m in four.milestones] == [
        ("start", dt.date(2023, 3, 10)),
        ("checkpoint", dt.date(2023, 12, 31)),
    ]

    # Re-importing the same file later changes nothing: the rule, not the dates, is compared.
    later = NOW + dt.timedelta(days=365)
    again = await _import(session_factory, LOCAL_ANNEX, plan_code="zj", now=later)
    assert again.diff.is_empty

    # As time passes the sweep lays the next one; a liaison hears about it in time.
    async with session_factory() as session:
        agency = await session.scalar(select(Agency).where(Agency.name == "浙江省发展改革委"))
        assert agency is not None
        session.add(
            Member(
                telegram_id=501,
                display_name="王",
                agency_id=agency.id,
                role=MemberRole.LIAISON,
                created_at=NOW,
            )
        )
        await session.commit()
    # The sweep runs every few minutes; one in December 2023 lays the next year's checkpoint
    # (and reminds of this year's), one on 1 December 2024 reminds 30 days ahead of the next.
    for moment in (
        dt.datetime(2023, 12, 1, 2, 0, tzinfo=dt.UTC),
        dt.datetime(2024, 12, 1, 2, 0, tzinfo=dt.UTC),
    ):
        async with session_factory() as session:
            await plan_deadline_reminders(session, now=moment)
    async with session_factory() as session:
        four = await get_task(session, number=4)
        sent = list(await session.scalars(select(Delivery.payload)))
    assert [m.on_date for m in four.milestones if m.kind == "checkpoint"] == [
        dt.date(2023, 12, 31),
        dt.date(2024, 12, 31),
        dt.date(2025, 12, 31),
    ]
    # 2023-12-31 twice: task 1's due date (the agency co-leads it) and task 4's checkpoint.
    assert sorted(payload["on_date"] for payload in sent) == [
        "2023-12-31",
        "2023-12-31",
        "2024-12-31",
    ]

    # Once closed, nothing more is laid.
    async with session_factory() as session:
        task = await _task(session, 4)
        task.state = TaskState.CLOSED
        await session.commit()
        assert (
            await extend_recurring_checkpoints(session, now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
            == 0
        )


async def test_dropping_the_recurrence_cancels_its_checkpoints(session_factory: Sessions) -> None:
    await _import(session_factory, LOCAL_ANNEX, plan_code="zj")
    revised = LOCAL_ANNEX.replace("2023年底前完成，每季度报送进展", "2023年底前完成")
    result = await _import(session_factory, revised, plan_code="zj", apply=True)
    [change] = result.diff.changed
    assert change.fields == ("schedule_text", "recurrence")
    async with session_factory() as session:
        one = await _task(session, 1)
    live = [(m.kind, m.on_date) for m in one.milestones if m.cancelled_at is None]
    assert live == [(MilestoneKind.DUE, dt.date(2023, 12, 31))]
    assert all(m.sequence == 1 for m in one.milestones if m.cancelled_at is not None)


async def test_an_annex_without_any_schedule_says_so_once(session_factory: Sessions) -> None:
    annex = "序号\t工作任务\t责任单位\n1\t建设平台。\t发展改革委、财政部\n2\t完善制度。\t司法部\n"
    result = await _import(session_factory, annex, plan_code="plain")
    assert result.no_schedule
    assert result.flagged == ()
    async with session_factory() as session:
        plan = await session.scalar(select(Plan))
        tasks = list(await session.scalars(select(Task)))
        milestones = list(await session.scalars(select(Milestone)))
    assert plan is not None
    assert [t.schedule_flagged for t in tasks] == [False, False]
    assert milestones == []


async def test_a_guide_column_is_stored_as_a_guide(session_factory: Sessions) -> None:
    """A 指导部门 column: its units are guides, stored with the guide marker, never leads."""
    table = (
        "序号\t重点任务\t牵头单位\t配合单位\t指导部门\t完成时限\n"
        "1\t建设数据平台。\t发展改革委\t财政部\t国务院办公厅\t2024年底前\n"
    )
    await _import(session_factory, table, plan_code="guides")
    async with session_factory() as session:
        one = await get_task(session, number=1)
        stored = await _task(session, 1)
    assert [(u.name, u.role, u.marker) for u in one.units] == [
        ("发展改革委", "lead", None),
        ("财政部", "co", None),
        ("国务院办公厅", "co", "guide"),
    ]
    assert [a.marker for a in stored.assignments] == [None, None, RoleMarker.GUIDE]
