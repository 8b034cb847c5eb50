"""The progress chart's rows: one per live task, with its lead unit, dates, flags and light."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from db.enums import MemberRole, ReportStatus, TaskState
from db.models import Agency, Member, Plan, StatusReport, Task
from tests.kit.reports import BOSS, CO, LEAD, NOW, Sessions, setup, task_id
from workflows.errors import NotFoundError, NotRegisteredError
from workflows.lights import Light
from workflows.progress import SHORT_TEXT_CHARS, chart_rows, progress_chart, short_text

SCIENCE_TASKS = [1, 3, 4, 5, 11, 13, 15, 20, 21, 22]  # 科技部 leads or co-handles these


async def report(sessions: Sessions, number: int, agency: str, status: ReportStatus) -> None:
    """A status report straight into the database, a day before NOW."""
    async with sessions() as session:
        agency_id = await session.scalar(select(Agency.id).where(Agency.name == agency))
        assert agency_id is not None
        session.add(
            StatusReport(
                task_id=await task_id(session, number),
                agency_id=agency_id,
                status=status,
                reported_at=NOW - dt.timedelta(days=1),
            )
        )
        await session.commit()


async def test_rows_of_the_bundled_plan(session_factory: Sessions) -> None:
    """23 rows in number order, with lead units, dates and the two ongoing tasks."""
    await setup(session_factory)
    async with session_factory() as session:
        rows = await chart_rows(session, now=NOW)
    assert [r.number for r in rows] == list(range(1, 24))
    assert [r.number for r in rows if r.ongoing] == [1, 6]
    first, twelfth = rows[0], rows[11]
    assert (first.lead, first.lead_en) == (
        "发展改革委",
        "National Development and Reform Commission",
    )
    assert (first.start, first.due, first.text) == (dt.date(2015, 1, 6), None, "实施云计算工程")
    assert (twelfth.start, twelfth.due) == (None, dt.date(2015, 12, 31))
    assert rows[4].text == "开展试点示范"
    assert rows[1].text == "引导企业在充分利用公共云计…"
    assert {r.lead for r in rows} >= {"工业和信息化部", "科技部", "商务部"}
    assert not any(r.done for r in rows)


async def test_lights_and_done(session_factory: Sessions) -> None:
    """Overdue and blocked are red, at risk yellow, done tasks marked and green."""
    await setup(session_factory)
    await report(session_factory, 5, "发展改革委", ReportStatus.BLOCKED)
    await report(session_factory, 3, "科技部", ReportStatus.AT_RISK)
    async with session_factory() as session:
        await session.execute(
            update(Task).where(Task.number.in_([19, 20])).values(state=TaskState.CLOSED)
        )
        await session.commit()
        rows = {r.number: r for r in await chart_rows(session, now=NOW)}
    assert [n for n, r in rows.items() if r.light is Light.RED] == [5, 12]  # 12 was due in 2015
    assert [n for n, r in rows.items() if r.light is Light.YELLOW] == [3]
    assert [n for n, r in rows.items() if r.done] == [19, 20]
    assert rows[19].light is Light.GREEN


async def test_silence_turns_yellow(session_factory: Sessions) -> None:
    """Tasks nobody reported on for two check-in cycles are yellow; the cycle is a parameter."""
    await setup(session_factory)
    later = NOW + dt.timedelta(days=30)
    async with session_factory() as session:
        default = await chart_rows(session, now=later)
        longer = await chart_rows(session, now=later, checkin_days=30)
    assert {r.light for r in default if r.number != 12} == {Light.YELLOW}
    assert {r.light for r in longer if r.number != 12} == {Light.GREEN}


async def test_one_agency_and_plans(session_factory: Sessions) -> None:
    """An agency's rows are the tasks it leads or co-handles; plans by id, unknown ones refused."""
    async with session_factory() as session:
        assert await chart_rows(session, now=NOW) == []
    await setup(session_factory)
    async with session_factory() as session:
        science = await session.scalar(select(Agency.id).where(Agency.name == "科技部"))
        plan_id = await session.scalar(select(Plan.id))
        rows = await chart_rows(session, plan_id=plan_id, agency_id=science, now=NOW)
        assert [r.number for r in rows] == SCIENCE_TASKS
        with pytest.raises(NotFoundError):
            await chart_rows(session, plan_id=9999, now=NOW)
        await session.execute(update(Task).where(Task.number == 4).values(removed_at=NOW))
        await session.commit()
        rows = await chart_rows(session, plan_id=plan_id, agency_id=science, now=NOW)
    assert 4 not in [r.number for r in rows]


async def test_progress_chart_by_role(session_factory: Sessions) -> None:
    """A coordinator charts the whole plan, a liaison their agency's tasks, others are refused."""
    await setup(session_factory)
    async with session_factory() as session:
        whole = await progress_chart(session=session, telegram_id=BOSS, now=NOW)
        own = await progress_chart(
            session=session, telegram_id=LEAD, now=NOW, plan_code="gf-2015-5"
        )
        other = await progress_chart(session=session, telegram_id=CO, now=NOW)
        with pytest.raises(NotRegisteredError):
            await progress_chart(session=session, telegram_id=12345, now=NOW)
        with pytest.raises(NotFoundError) as error:
            await progress_chart(session=session, telegram_id=BOSS, now=NOW, plan_code="nope")
    assert (whole.plan_code, whole.agency, len(whole.rows)) == ("gf-2015-5", None, 23)
    assert whole.today == dt.date(2016, 3, 1)
    assert whole.language == "zh"
    assert (own.agency, [r.number for r in own.rows]) == ("科技部", SCIENCE_TASKS)
    assert other.agency == "发展改革委"
    assert {1, 5, 6, 11, 19} <= {r.number for r in other.rows}
    assert len(other.rows) < 23
    assert error.value.template == "No plan matches “{typed}”. /plans lists them."


async def test_nothing_to_chart(session_factory: Sessions) -> None:
    """Before any import, or with every task removed, the chart is empty rather than an error."""
    async with session_factory() as session:
        session.add(Member(telegram_id=BOSS, role=MemberRole.COORDINATOR, created_at=NOW))
        await session.commit()
        before = await progress_chart(session=session, telegram_id=BOSS, now=NOW)
    assert (before.plan_code, before.today, before.rows) == (None, None, ())
    async with session_factory() as session:
        await session.execute(delete(Member))
        await session.commit()
    await setup(session_factory)
    async with session_factory() as session:
        await session.execute(update(Task).values(removed_at=NOW))
        await session.commit()
        after = await progress_chart(session=session, telegram_id=BOSS, now=NOW)
    assert (after.plan_code, after.rows) == ("gf-2015-5", ())


@given(st.text(max_size=60))
def test_short_text_is_a_short_prefix(text: str) -> None:
    """A label is never longer than the limit and starts the task's text."""
    label = short_text(text)
    assert len(label) <= SHORT_TEXT_CHARS
    assert text.strip().startswith(label.removesuffix("…"))
