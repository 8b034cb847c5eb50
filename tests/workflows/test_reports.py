"""Status reports: own tasks only, append-only, stale and repeated presses, notes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from db.enums import ReportStatus, TaskState
from db.models import AuditEvent, Delivery, StatusReport, Task
from tests.kit.reports import (
    BOSS,
    CO,
    LEAD,
    LEAD2,
    NOW,
    OTHER,
    Sessions,
    setup,
    task_id,
)
from workflows.errors import ConflictError, ForbiddenError, InvalidInputError
from workflows.reports import (
    NOTE_LIMIT,
    add_note,
    choose_status,
    my_tasks,
    note_by_reply,
    parse_percent,
    remember,
    save_report,
    task_card,
)

LATER = NOW + dt.timedelta(hours=1)


async def test_my_tasks_lists_the_agency_s_tasks_lead_first(session_factory: Sessions) -> None:
    """A liaison sees only their agency's tasks, with role; a coordinator has none of their own."""
    await setup(session_factory)
    async with session_factory() as session:
        mine = await my_tasks(session, telegram_id=LEAD, now=NOW)
        assert mine.agency == "科技部"
        roles = {t.number: t.role for t in mine.tasks}
        assert roles[3] == "lead"
        assert roles[1] == "co"
        assert 2 not in roles
        assert mine.tasks[0].role == "lead"
        with pytest.raises(ForbiddenError):
            await my_tasks(session, telegram_id=BOSS, now=NOW)


async def test_a_report_is_saved_once_and_audited(session_factory: Sessions) -> None:
    """Saving twice with the same token yields one row; another member's old token is refused."""
    await setup(session_factory)
    async with session_factory() as session:
        task = await task_id(session, 3)
        choice = await choose_status(
            session, telegram_id=LEAD, task_id=task, status="at_risk", token=0
        )
        assert choice.status is ReportStatus.AT_RISK
        saved = await save_report(
            session, telegram_id=LEAD, task_id=task, status="at_risk", percent=50, token=0, now=NOW
        )
        again = await save_report(
            session,
            telegram_id=LEAD,
            task_id=task,
            status="at_risk",
            percent=50,
            token=0,
            now=LATER,
        )
        assert again.repeated
        assert again.report_id == saved.report_id
        with pytest.raises(ConflictError):
            await save_report(
                session,
                telegram_id=LEAD2,
                task_id=task,
                status="blocked",
                percent=10,
                token=0,
                now=LATER,
            )
        assert await session.scalar(select(func.count()).select_from(StatusReport)) == 1
        actions = list(
            await session.scalars(select(AuditEvent.action).where(AuditEvent.task_id == task))
        )
        assert actions.count("report.add") == 1


async def test_other_agencies_and_forged_payloads_are_refused(session_factory: Sessions) -> None:
    """Task 2 is not 科技部's; a made-up status or percent is refused; nothing is stored."""
    await setup(session_factory)
    async with session_factory() as session:
        other = await task_id(session, 2)
        mine = await task_id(session, 3)
        with pytest.raises(ForbiddenError):
            await task_card(session, telegram_id=LEAD, task_id=other, now=NOW)
        with pytest.raises(ForbiddenError):
            await save_report(
                session,
                telegram_id=LEAD,
                task_id=other,
                status="done",
                percent=100,
                token=0,
                now=NOW,
            )
        with pytest.raises(ConflictError):
            await save_report(
                session,
                telegram_id=LEAD,
                task_id=mine,
                status="finished",
                percent=1,
                token=0,
                now=NOW,
            )
        with pytest.raises(InvalidInputError):
            await save_report(
                session,
                telegram_id=LEAD,
                task_id=mine,
                status="on_track",
                percent=101,
                token=0,
                now=NOW,
            )
        assert await session.scalar(select(func.count()).select_from(StatusReport)) == 0


async def test_lead_and_coordinator_see_every_agency_co_only_its_own(
    session_factory: Sessions,
) -> None:
    """The co-responsible agency's report shows on the lead's and coordinator's cards."""
    await setup(session_factory)
    async with session_factory() as session:
        task = await task_id(session, 3)
        await save_report(
            session, telegram_id=CO, task_id=task, status="on_track", percent=30, token=0, now=NOW
        )
        await save_report(
            session,
            telegram_id=LEAD,
            task_id=task,
            status="on_track",
            percent=60,
            token=0,
            now=LATER,
        )
        lead = await task_card(session, telegram_id=LEAD, task_id=task, now=LATER)
        boss = await task_card(session, telegram_id=BOSS, task_id=task, now=LATER)
        co = await task_card(session, telegram_id=CO, task_id=task, now=LATER)
        assert {r.agency for r in lead.reports} == {"科技部", "发展改革委"}
        assert {r.agency for r in boss.reports} == {"科技部", "发展改革委"}
        assert [r.agency for r in co.reports] == ["发展改革委"]
        assert not boss.can_report
        assert lead.can_report
        assert lead.token != 0


async def test_done_from_co_is_its_part_done_from_lead_asks_for_review(
    session_factory: Sessions,
) -> None:
    """Only the lead's "done" moves the task to review and queues the coordinators."""
    await setup(session_factory)
    async with session_factory() as session:
        task = await task_id(session, 3)
        co = await save_report(
            session, telegram_id=CO, task_id=task, status="done", percent=100, token=0, now=NOW
        )
        assert not co.review_requested
        assert (await session.get(Task, task)).state is TaskState.OPEN  # type: ignore[union-attr]
        lead = await save_report(
            session, telegram_id=LEAD, task_id=task, status="done", percent=100, token=0, now=NOW
        )
        assert lead.review_requested
        session.expire_all()
        assert (await session.get(Task, task)).state is TaskState.DONE  # type: ignore[union-attr]
        kinds = list(await session.scalars(select(Delivery.kind)))
        assert kinds == ["review-request", "review-request"]
        with pytest.raises(ConflictError):
            await save_report(
                session,
                telegram_id=LEAD2,
                task_id=task,
                status="on_track",
                percent=10,
                token=lead.report_id,
                now=LATER,
            )


async def test_a_note_carries_the_latest_status_forward(session_factory: Sessions) -> None:
    """A note is a new report with the same status and percent; limits and order are enforced."""
    await setup(session_factory)
    async with session_factory() as session:
        task = await task_id(session, 3)
        with pytest.raises(ConflictError):
            await add_note(session, telegram_id=LEAD, task_id=task, text="first", now=NOW)
        await save_report(
            session, telegram_id=LEAD, task_id=task, status="at_risk", percent=40, token=0, now=NOW
        )
        with pytest.raises(InvalidInputError):
            await add_note(
                session, telegram_id=LEAD, task_id=task, text="x" * (NOTE_LIMIT + 1), now=NOW
            )
        with pytest.raises(InvalidInputError):
            await add_note(session, telegram_id=LEAD, task_id=task, text="   ", now=NOW)
        with pytest.raises(ForbiddenError):
            await add_note(session, telegram_id=OTHER, task_id=task, text="hi", now=NOW)
        saved = await add_note(
            session, telegram_id=LEAD2, task_id=task, text=" <b>x</b> ", now=LATER
        )
        assert saved.number == 3
        card = await task_card(session, telegram_id=LEAD, task_id=task, now=LATER)
        [report] = card.reports
        assert (report.status, report.percent, report.note) == (
            ReportStatus.AT_RISK,
            40,
            "<b>x</b>",
        )


async def test_note_by_reply_only_for_messages_about_a_task(session_factory: Sessions) -> None:
    """A reply to an unrecorded message is not a note; to a recorded one it is."""
    await setup(session_factory)
    async with session_factory() as session:
        task = await task_id(session, 4)
        await save_report(
            session,
            telegram_id=LEAD,
            task_id=task,
            status="on_track",
            percent=None,
            token=0,
            now=NOW,
        )
        assert (
            await note_by_reply(
                session, telegram_id=LEAD, chat_id=LEAD, message_id=7, text="a", now=NOW
            )
            is None
        )
        await remember(session, chat_id=LEAD, message_id=7, task_id=task, now=NOW)
        saved = await note_by_reply(
            session, telegram_id=LEAD, chat_id=LEAD, message_id=7, text="a", now=NOW
        )
        assert saved is not None
        assert saved.number == 4
        closed = await session.get(Task, task)
        assert closed is not None
        closed.state = TaskState.CLOSED
        await session.commit()
        with pytest.raises(ConflictError, match="awaiting review or closed"):
            await note_by_reply(
                session, telegram_id=LEAD, chat_id=LEAD, message_id=7, text="b", now=NOW
            )


@given(st.integers(min_value=0, max_value=100))
def test_percents_in_range_are_read(value: int) -> None:
    """0–100, with or without a percent sign."""
    assert parse_percent(f" {value}% ") == value
    assert parse_percent(str(value)) == value


@given(st.text(max_size=8))
def test_anything_else_is_not_a_percent(text: str) -> None:
    """Every other input is refused with InvalidInputError, never another exception."""
    try:
        value = parse_percent(text)
    except InvalidInputError:
        return
    assert 0 <= value <= 100
