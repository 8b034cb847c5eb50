"""Assignment notices: grouped, queued once per liaison and assignment, and 签收."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Agency, Assignment, AuditEvent, Delivery, Task
from tests.kit.cast import cast, coordinator, deputy, liaison
from workflows.errors import ForbiddenError, NotFoundError
from workflows.notices import NOTICE_KIND, TASKS_PER_NOTICE, acknowledge, enqueue_pending_notices

NOW = dt.datetime(2016, 3, 1, 2, 0, tzinfo=dt.UTC)
Sessions = async_sessionmaker[AsyncSession]


async def _setup(sessions: Sessions) -> None:
    """The bundled plan; two 科技部 liaisons, one 公安部 liaison who blocked the bot."""
    await cast(
        sessions,
        liaison(1, "科技部"),
        deputy(2, "科技部"),
        liaison(3, "公安部", reachable=False),
        coordinator(4),
        liaison(5, "发展改革委"),
        now=NOW,
    )


async def _assignment_of(session: AsyncSession, agency: str) -> int:
    """The first assignment of an agency."""
    found = await session.scalar(
        select(Assignment.id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .join(Task, Task.id == Assignment.task_id)
        .where(Agency.name == agency)
        .order_by(Task.number)
    )
    assert found is not None
    return found


async def test_notices_are_grouped_and_queued_once(session_factory: Sessions) -> None:
    """Each reachable liaison gets their agency's assignments, in chunks, never twice."""
    await _setup(session_factory)
    async with session_factory() as session:
        queued = await enqueue_pending_notices(session, now=NOW)
        await session.commit()
        again = await enqueue_pending_notices(session, now=NOW)
        await session.commit()
        deliveries = list(await session.scalars(select(Delivery).order_by(Delivery.id)))
        science = await session.scalar(select(Agency).where(Agency.name == "科技部"))
        assert science is not None
        count = len(
            list(
                await session.scalars(
                    select(Assignment.id).where(Assignment.agency_id == science.id)
                )
            )
        )
        ndrc_count = len(
            list(
                await session.scalars(
                    select(Assignment.id)
                    .join(Agency, Agency.id == Assignment.agency_id)
                    .where(Agency.name == "发展改革委")
                )
            )
        )
    assert again == 0
    assert queued == len(deliveries)
    assert {d.chat_id for d in deliveries} == {1, 2, 5}
    assert all(d.kind == NOTICE_KIND for d in deliveries)
    for chat in (1, 2):
        ids = [a for d in deliveries if d.chat_id == chat for a in d.payload["assignments"]]
        assert len(ids) == count > 1
    ndrc = [d for d in deliveries if d.chat_id == 5]
    assert ndrc_count > TASKS_PER_NOTICE
    assert len(ndrc) == -(-ndrc_count // TASKS_PER_NOTICE)
    assert all(len(d.payload["assignments"]) <= TASKS_PER_NOTICE for d in deliveries)


async def test_only_new_assignments_are_noticed_later(session_factory: Sessions) -> None:
    """Acknowledged assignments are not noticed; a new one is, to those not yet told."""
    await _setup(session_factory)
    async with session_factory() as session:
        first = await _assignment_of(session, "科技部")
        await session.execute(
            update(Assignment).where(Assignment.id == first).values(acknowledged_at=NOW)
        )
        await enqueue_pending_notices(session, now=NOW, agency_id=None)
        await session.commit()
        payloads = [
            d.payload["assignments"]
            for d in await session.scalars(select(Delivery).where(Delivery.chat_id == 1))
        ]
    assert first not in [a for p in payloads for a in p]


async def test_acknowledge_records_once_and_reports_who_signed(session_factory: Sessions) -> None:
    """The first 签收 is recorded and audited; the second says who signed and when."""
    await _setup(session_factory)
    async with session_factory() as session:
        assignment = await _assignment_of(session, "科技部")
    async with session_factory() as session:
        signed = await acknowledge(session, telegram_id=1, assignment_id=assignment, now=NOW)
    later = NOW + dt.timedelta(hours=1)
    async with session_factory() as session:
        again = await acknowledge(session, telegram_id=2, assignment_id=assignment, now=later)
    assert signed.already is False
    assert again.already is True
    assert (again.by_name, again.at) == ("m1", NOW)
    assert again.notice[0].acknowledged_by == "m1"
    async with session_factory() as session:
        row = await session.get(Assignment, assignment)
        events = list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "assignment.acknowledged")
            )
        )
    assert row is not None
    assert row.acknowledged_at == NOW
    assert len(events) == 1
    assert events[0].entity_id == assignment


async def test_only_the_agency_liaisons_may_sign(session_factory: Sessions) -> None:
    """A coordinator or another agency's liaison is refused; a forged id finds nothing."""
    await _setup(session_factory)
    async with session_factory() as session:
        assignment = await _assignment_of(session, "科技部")
        for outsider in (3, 4):
            with pytest.raises(ForbiddenError):
                await acknowledge(session, telegram_id=outsider, assignment_id=assignment, now=NOW)
        with pytest.raises(NotFoundError):
            await acknowledge(session, telegram_id=1, assignment_id=987654, now=NOW)
