"""催办: urging the liaisons of a task's agencies through the outbox, once per minute."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from db.enums import TaskState
from db.models import AuditEvent, Delivery, Task
from tests.kit.cast import Sessions, cast, deputy, liaison
from tests.kit.office import BOSS, LIAISON, NOW, seed
from workflows.errors import ConflictError, ForbiddenError, NotFoundError
from workflows.nudges import NUDGE_KIND, nudge, nudge_message


async def urge(
    sessions: Sessions, number: int, agency: str | None = None, *, now: dt.datetime = NOW
) -> tuple[int, int, tuple[str, ...], tuple[str, ...]]:
    """Nudge as the coordinator: (urged, repeats, agencies urged, agencies without liaison)."""
    async with sessions() as session:
        result = await nudge(
            session=session,
            telegram_id=BOSS,
            number=number,
            plan_code=None,
            agency=agency,
            now=now,
        )
    return result.nudged, result.repeated, result.agencies, result.without_liaison


async def test_nudge_reaches_liaisons_once_a_minute(session_factory: Sessions) -> None:
    """Every liaison of the task's agencies is urged; a double tap is not; a minute later is."""
    await seed(session_factory)
    await cast(
        session_factory,
        deputy(3, "科技部", "小王"),
        liaison(4, "发展改革委", "小张"),
        now=NOW,
        plan=None,
    )
    assert await urge(session_factory, 4) == (3, 0, ("科技部", "发展改革委"), ())
    assert await urge(session_factory, 4, now=NOW + dt.timedelta(seconds=20)) == (
        0,
        3,
        ("科技部", "发展改革委"),
        (),
    )
    assert (await urge(session_factory, 4, now=NOW + dt.timedelta(minutes=1)))[0] == 3
    async with session_factory() as session:
        deliveries = list(
            await session.scalars(select(Delivery).where(Delivery.kind == NUDGE_KIND))
        )
        audited = list(
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "task.nudged"))
        )
        message = await nudge_message(session, task_id=deliveries[0].payload["task_id"], by="主任")
    assert sorted(d.chat_id for d in deliveries) == [2, 2, 3, 3, 4, 4]
    assert len(audited) == 2
    assert audited[0].after == {"agencies": ["科技部", "发展改革委"], "people": 3}
    assert message is not None
    assert (message.number, message.due_on) == (4, dt.date(2017, 12, 31))


async def test_nudge_one_agency_and_report_those_without_liaisons(
    session_factory: Sessions,
) -> None:
    """Only the named agency is urged; agencies nobody speaks for are listed, groups aside."""
    await seed(session_factory)
    assert await urge(session_factory, 3, "科技部") == (1, 0, ("科技部",), ())
    nudged, _, agencies, without = await urge(
        session_factory, 22, now=NOW + dt.timedelta(minutes=1)
    )
    assert (nudged, agencies) == (1, ("科技部",))
    assert without == ("人力资源社会保障部", "教育部")
    with pytest.raises(NotFoundError):
        await urge(session_factory, 3, "公安部")
    with pytest.raises(NotFoundError):
        await urge(session_factory, 3, "火星部")


async def test_nudge_is_refused_for_liaisons_and_closed_tasks(session_factory: Sessions) -> None:
    """Only coordinators urge, and only open tasks."""
    await seed(session_factory)
    async with session_factory() as session:
        with pytest.raises(ForbiddenError):
            await nudge(
                session=session, telegram_id=LIAISON, number=3, plan_code=None, agency=None, now=NOW
            )
        await session.execute(update(Task).where(Task.number == 3).values(state=TaskState.CLOSED))
        await session.commit()
    with pytest.raises(ConflictError):
        await urge(session_factory, 3)
    async with session_factory() as session:
        task_id = await session.scalar(select(Task.id).where(Task.number == 3))
        assert task_id is not None
        assert await nudge_message(session, task_id=task_id, by="主任") is None
