"""A small fixed plan with a week of events, shared by the digest tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import Role
from db.models import Assignment
from tests.kit.beijing import beijing
from tests.kit.cast import Plan, cast, coordinator, liaison, task_id
from workflows.extensions import request_extension
from workflows.planning import add_milestone, assign, set_due
from workflows.reports import save_report
from workflows.review import decide_review

Sessions = async_sessionmaker[AsyncSession]
MOST, NDRC, BOSS = 101, 102, 109  # 科技部 (zh), 发展改革委 (en), a coordinator (en)
ANNEX = """序号,工作任务,负责单位,时间进度
1,建设<b>云</b>&平台。,科技部、发展改革委,2016年3月底前
2,制定标准。,发展改革委、科技部,2016年6月底前
3,开展试点。,财政部,2015年出台
4,持续推进工作。,科技部、工业和信息化部,持续推进
5,编制指南。,发展改革委,2016年12月底前
""".encode()


IMPORTED = beijing(2016, 2, 1, 9, 0)
MOMENT = beijing(2016, 3, 7, 9, 0)  # a Monday: the period 2016-03-07


async def _done(session: AsyncSession, who: int, number: int, at: dt.datetime) -> int:
    """The lead reports a task done; returns the report's id."""
    saved = await save_report(
        session,
        telegram_id=who,
        task_id=await task_id(session, number),
        status="done",
        percent=100,
        token=0,
        now=at,
    )
    return saved.report_id


async def build_plan(sessions: Sessions) -> None:
    """Plan "demo" (5 tasks), three members, and the events of the week before 7 March 2016."""
    await cast(
        sessions,
        liaison(MOST, "科技部"),
        liaison(NDRC, "发展改革委", language="en"),
        coordinator(BOSS, language="en"),
        now=IMPORTED,
        plan=Plan(ANNEX, code="demo", filename="annex.csv"),
    )
    async with sessions() as session:
        # 科技部 signed for task 1; nobody else signed for anything.
        await session.execute(
            update(Assignment)
            .where(
                Assignment.task_id == await task_id(session, 1),
                Assignment.role == Role.LEAD,
            )
            .values(acknowledged_at=IMPORTED)
        )
        await session.commit()
    async with sessions() as session:
        # Before the week: not a change "since the last digest", but coming up on 15 March.
        await add_milestone(
            session=session,
            telegram_id=BOSS,
            number=1,
            plan_code=None,
            on_date=dt.date(2016, 3, 15),
            label="中期评估",
            now=beijing(2016, 2, 20, 10),
        )
        await set_due(
            session=session,
            telegram_id=BOSS,
            number=2,
            plan_code=None,
            on_date=dt.date(2016, 7, 31),
            reason="等待批复",
            now=beijing(2016, 3, 1, 10),
        )
        await assign(
            session=session,
            telegram_id=BOSS,
            number=3,
            plan_code=None,
            agency="工信部",
            role=Role.CO,
            now=beijing(2016, 3, 1, 11),
        )
        report = await _done(session, MOST, 4, beijing(2016, 3, 2, 10))
        await decide_review(
            session,
            telegram_id=BOSS,
            task_id=await task_id(session, 4),
            report_id=report,
            close=True,
            reason=None,
            now=beijing(2016, 3, 2, 15),
        )
        report = await _done(session, NDRC, 2, beijing(2016, 3, 3, 10))
        await decide_review(
            session,
            telegram_id=BOSS,
            task_id=await task_id(session, 2),
            report_id=report,
            close=False,
            reason="缺少<附件>&说明",
            now=beijing(2016, 3, 4, 10),
        )
        await save_report(
            session,
            telegram_id=MOST,
            task_id=await task_id(session, 1),
            status="on_track",
            percent=50,
            token=0,
            now=beijing(2016, 3, 3, 10),
        )
        await request_extension(
            session,
            telegram_id=MOST,
            number=1,
            date_text="2016-04-30",
            reason="需要协调",
            now=beijing(2016, 3, 4, 11),
        )
        await _done(session, NDRC, 5, beijing(2016, 3, 5, 10))
        # After the moment: not in this period's changes.
        await add_milestone(
            session=session,
            telegram_id=BOSS,
            number=2,
            plan_code=None,
            on_date=dt.date(2016, 5, 1),
            label="草案",
            now=beijing(2016, 3, 7, 10),
        )
