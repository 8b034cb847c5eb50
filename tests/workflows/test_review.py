"""Review of a task the lead reported done: closed or returned once, the lead told."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from db.enums import TaskState
from db.models import AuditEvent, Delivery, Task
from tests.kit.reports import BOSS, BOSS2, LEAD, LEAD2, NOW, Sessions, setup, task_id
from workflows.errors import ConflictError, ForbiddenError, InvalidInputError
from workflows.reports import save_report
from workflows.review import check_review, decide_review

LATER = NOW + dt.timedelta(hours=3)


async def _done(session_factory: Sessions) -> tuple[int, int]:
    """Task 3 reported done by its lead: (task id, report id)."""
    await setup(session_factory)
    async with session_factory() as session:
        task = await task_id(session, 3)
        saved = await save_report(
            session, telegram_id=LEAD, task_id=task, status="done", percent=100, token=0, now=NOW
        )
        return task, saved.report_id


async def _state(session_factory: Sessions, task: int) -> TaskState:
    """A task's state, fresh."""
    async with session_factory() as session:
        row = await session.get(Task, task)
        assert row is not None
        return row.state


async def test_close_is_decided_once(session_factory: Sessions) -> None:
    """办结销号 closes the task; a second press names who decided; liaisons are not coordinators."""
    task, report = await _done(session_factory)
    async with session_factory() as session:
        with pytest.raises(ForbiddenError):
            await check_review(session, telegram_id=LEAD, task_id=task, report_id=report)
        decision = await decide_review(
            session,
            telegram_id=BOSS,
            task_id=task,
            report_id=report,
            close=True,
            reason=None,
            now=LATER,
        )
        assert decision.closed
        with pytest.raises(ConflictError, match="already closed by m9"):
            await decide_review(
                session,
                telegram_id=BOSS2,
                task_id=task,
                report_id=report,
                close=False,
                reason="x",
                now=LATER,
            )
    assert await _state(session_factory, task) is TaskState.CLOSED


async def test_return_needs_a_reason_and_tells_the_lead(session_factory: Sessions) -> None:
    """退办 reopens the task with the reason; both 科技部 members are told; audited."""
    task, report = await _done(session_factory)
    async with session_factory() as session:
        with pytest.raises(InvalidInputError):
            await decide_review(
                session,
                telegram_id=BOSS,
                task_id=task,
                report_id=report,
                close=False,
                reason=" ",
                now=LATER,
            )
        await decide_review(
            session,
            telegram_id=BOSS,
            task_id=task,
            report_id=report,
            close=False,
            reason="材料不全",
            now=LATER,
        )
        with pytest.raises(ConflictError, match="already returned by m9"):
            await check_review(session, telegram_id=BOSS2, task_id=task, report_id=report)
        told = list(
            await session.scalars(select(Delivery).where(Delivery.kind == "review-outcome"))
        )
        assert sorted(d.chat_id for d in told) == [LEAD, LEAD2]
        assert told[0].payload["reason"] == "材料不全"
        event = await session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "review.return", AuditEvent.task_id == task
            )
        )
        assert event is not None
        assert event.after == {"state": "open", "report_id": report, "reason": "材料不全"}
    assert await _state(session_factory, task) is TaskState.OPEN


async def test_an_old_review_button_after_a_new_round_is_out_of_date(
    session_factory: Sessions,
) -> None:
    """Returned, reported done again: the first round's buttons no longer decide anything."""
    task, first = await _done(session_factory)
    async with session_factory() as session:
        await decide_review(
            session,
            telegram_id=BOSS,
            task_id=task,
            report_id=first,
            close=False,
            reason="再补充",
            now=LATER,
        )
        second = await save_report(
            session,
            telegram_id=LEAD,
            task_id=task,
            status="done",
            percent=100,
            token=first,
            now=LATER,
        )
        with pytest.raises(ConflictError, match="already returned"):
            await decide_review(
                session,
                telegram_id=BOSS,
                task_id=task,
                report_id=first,
                close=True,
                reason=None,
                now=LATER,
            )
        await decide_review(
            session,
            telegram_id=BOSS,
            task_id=task,
            report_id=second.report_id,
            close=True,
            reason=None,
            now=LATER,
        )
    assert await _state(session_factory, task) is TaskState.CLOSED
