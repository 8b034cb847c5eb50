"""Extension requests: asked by an agency on the task, decided once by a coordinator."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from db.enums import RequestState
from db.models import AuditEvent, Delivery, Milestone, Task
from tests.kit.reports import (
    BOSS,
    BOSS2,
    CO,
    LEAD,
    NOW,
    OTHER,
    Sessions,
    setup,
    task_id,
)
from workflows.errors import ConflictError, ForbiddenError, InvalidInputError
from workflows.extensions import decide_extension, extension_target, request_extension

LATER = NOW + dt.timedelta(hours=2)


async def _due(session_factory: Sessions, task: int) -> tuple[dt.date | None, Milestone | None]:
    """The task's due date and its "due" milestone, fresh."""
    async with session_factory() as session:
        row = await session.get(Task, task)
        assert row is not None
        milestone = await session.scalar(
            select(Milestone).where(Milestone.task_id == task, Milestone.key == "due")
        )
        return row.due_on, milestone


async def test_approval_moves_the_due_milestone_once(session_factory: Sessions) -> None:
    """Approve: date and milestone move, sequence rises, audited, liaison told; decided once."""
    await setup(session_factory)
    async with session_factory() as session:
        task = await task_id(session, 3)
    old_due, old_milestone = await _due(session_factory, task)
    assert old_due == dt.date(2017, 12, 31)
    assert old_milestone is not None
    async with session_factory() as session:
        view = await request_extension(
            session,
            telegram_id=LEAD,
            number=3,
            date_text="2018年6月30日",
            reason="调研推迟",
            now=NOW,
        )
        assert view.state is RequestState.PENDING
        assert view.requested_due_on == dt.date(2018, 6, 30)
        kinds = list(await session.scalars(select(Delivery.kind)))
        assert kinds == ["extension-request", "extension-request"]
        decided = await decide_extension(
            session,
            telegram_id=BOSS,
            request_id=view.request_id,
            approve=True,
            note=None,
            now=LATER,
        )
        assert decided.state is RequestState.APPROVED
        assert decided.decided_by == "m9"
        with pytest.raises(ConflictError, match="already approved by m9"):
            await decide_extension(
                session,
                telegram_id=BOSS2,
                request_id=view.request_id,
                approve=False,
                note="no",
                now=LATER,
            )
        actions = set(
            await session.scalars(select(AuditEvent.action).where(AuditEvent.task_id == task))
        )
        assert {"extension.request", "extension.approve", "milestone.due_moved"} <= actions
        answers = list(
            await session.scalars(select(Delivery).where(Delivery.kind == "extension-answer"))
        )
        assert [d.chat_id for d in answers] == [LEAD]
    new_due, milestone = await _due(session_factory, task)
    assert new_due == dt.date(2018, 6, 30)
    assert milestone is not None
    assert milestone.on_date == dt.date(2018, 6, 30)
    assert milestone.sequence == old_milestone.sequence + 1
    assert milestone.updated_at == LATER


async def test_denial_keeps_the_date_and_records_the_reason(session_factory: Sessions) -> None:
    """Deny: nothing moves, the reason is kept, the liaison is told."""
    await setup(session_factory)
    async with session_factory() as session:
        task = await task_id(session, 3)
        view = await request_extension(
            session, telegram_id=CO, number=3, date_text="2018-03-31", reason="需要协调", now=NOW
        )
        denied = await decide_extension(
            session,
            telegram_id=BOSS,
            request_id=view.request_id,
            approve=False,
            note="请按期完成",
            now=LATER,
        )
        assert denied.state is RequestState.DENIED
        assert denied.decision_note == "请按期完成"
    due, _ = await _due(session_factory, task)
    assert due == dt.date(2017, 12, 31)


async def test_bad_requests_are_refused(session_factory: Sessions) -> None:
    """Another agency's task, malformed or earlier dates, no reason, a second pending request."""
    await setup(session_factory)
    async with session_factory() as session:
        with pytest.raises(ForbiddenError):
            await extension_target(session, telegram_id=OTHER, number=3)
        with pytest.raises(InvalidInputError, match="Cannot read the date"):
            await request_extension(
                session, telegram_id=LEAD, number=3, date_text="2018-13-45", reason="r", now=NOW
            )
        with pytest.raises(InvalidInputError, match="later than"):
            await request_extension(
                session, telegram_id=LEAD, number=3, date_text="2017-01-01", reason="r", now=NOW
            )
        with pytest.raises(InvalidInputError, match="reason"):
            await request_extension(
                session, telegram_id=LEAD, number=3, date_text="2018-01-01", reason=" ", now=NOW
            )
        await request_extension(
            session, telegram_id=LEAD, number=3, date_text="2018-01-01", reason="r", now=NOW
        )
        with pytest.raises(ConflictError):
            await request_extension(
                session, telegram_id=LEAD, number=3, date_text="2018-02-01", reason="r", now=NOW
            )
        with pytest.raises(ForbiddenError):
            await decide_extension(
                session, telegram_id=LEAD, request_id=1, approve=True, note=None, now=NOW
            )
