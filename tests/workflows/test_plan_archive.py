"""An archived plan sends nothing, shows in no feed, and is restored whole."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from db.enums import FeedScope, MilestoneKind
from db.models import AuditEvent
from tests.kit.cast import Sessions, cast, coordinator, liaison
from workflows.errors import NotFoundError
from workflows.feeds.calendar import build_feed
from workflows.feeds.model import FeedOptions
from workflows.feeds.tokens import create_link, resolve
from workflows.milestones import live_milestones
from workflows.plans import archive_plan, restore_plan

NOW = dt.datetime(2015, 12, 30, 2, 0, tzinfo=dt.UTC)
BOSS, LIAISON = 1, 2


async def _due_milestones(sessions: Sessions) -> int:
    """How many milestones the reminder sweeps would consider."""
    async with sessions() as session:
        every = live_milestones(*MilestoneKind)
        return len((await session.execute(every)).all())


async def _feed(sessions: Sessions, token: str) -> bytes | None:
    """The plan feed's body, or None when it answers 404."""
    async with sessions() as session:
        source = await resolve(session, token)
        assert source is not None
        try:
            feed = await build_feed(
                session, source, options=FeedOptions(uid_domain="example.org"), now=NOW
            )
        except NotFoundError:
            return None
        return feed.body


async def test_archiving_stops_reminders_and_feeds_and_restoring_brings_them_back(
    session_factory: Sessions,
) -> None:
    """The bundled plan's milestones leave the sweeps' query; its feed link answers nothing."""
    await cast(
        session_factory, coordinator(BOSS, "主任"), liaison(LIAISON, "工信部", "小王"), now=NOW
    )
    before = await _due_milestones(session_factory)
    assert before > 0
    async with session_factory() as session:
        token, _ = await create_link(session=session, scope=FeedScope.PLAN, now=NOW)
    assert await _feed(session_factory, token) is not None
    async with session_factory() as session:
        change = await archive_plan(
            session, telegram_id=BOSS, typed="gf-2015-5", now=NOW, carry_over=True
        )
    assert change.carried_over == 23
    assert await _due_milestones(session_factory) == 0
    assert await _feed(session_factory, token) is None
    async with session_factory() as session:
        carried = await session.scalar(
            select(func.count()).where(AuditEvent.action == "task.carry_over")
        )
        assert carried == 23
    async with session_factory() as session:
        await restore_plan(session, telegram_id=BOSS, typed="国发〔2015〕5号", now=NOW)
    assert await _due_milestones(session_factory) == before
    assert await _feed(session_factory, token) is not None
