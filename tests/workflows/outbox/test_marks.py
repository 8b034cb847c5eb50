"""Sweep watermarks: between moments with nothing changed a sweep reads one statement only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.kit.beijing import beijing
from tests.kit.cast import Sessions, cast, coordinator, deputy, liaison
from workflows.checkins import plan_checkins
from workflows.digest.model import CoordinatorDigest, Digest, DigestPart
from workflows.digest.schedule import plan_weekly_digests
from workflows.escalations import plan_overdue_messages

# A Tuesday in March 2016: the bundled plan's 2015 dates are overdue, its tasks have started.
FIRST = beijing(2016, 3, 1, 10, 0)


def one_part(digests: Sequence[Digest], language: str, late: bool) -> list[DigestPart]:
    """A member's digests as one message naming its audience (as the bot's renderer would)."""
    kinds = ["c" if isinstance(d, CoordinatorDigest) else d.agency for d in digests]
    return [DigestPart(f"{' '.join(kinds)} {language} {late}", ())]


async def digests(session: Any, *, now: dt.datetime) -> int:
    """The weekly digest sweep, Mondays at 09:00."""
    return await plan_weekly_digests(session, now=now, weekday=0, at=dt.time(9, 0), render=one_part)


SWEEPS: dict[str, Callable[..., Awaitable[int]]] = {
    "overdue": plan_overdue_messages,
    "checkins": plan_checkins,
    "digest": digests,
}


async def run(
    sessions: Sessions, engine: AsyncEngine, name: str, now: dt.datetime
) -> tuple[int, int]:
    """One sweep: how many it queued and how many statements it sent."""
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with sessions() as session:
            queued = await SWEEPS[name](session, now=now)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)
    return queued, len(statements)


@pytest.mark.parametrize("name", SWEEPS)
async def test_between_mornings_a_sweep_reads_one_statement_until_the_data_changes(
    session_factory: Sessions, engine: AsyncEngine, name: str
) -> None:
    """Five minutes on, nothing is read but the watermark; a new liaison makes it look again."""
    await cast(
        session_factory,
        liaison(1, "发展改革委"),
        deputy(2, "发展改革委"),
        liaison(3, "工业和信息化部"),
        coordinator(900),
        now=beijing(2015, 1, 1, 9, 0),
    )
    first, _ = await run(session_factory, engine, name, FIRST)
    assert first > 0
    assert await run(session_factory, engine, name, FIRST + dt.timedelta(minutes=5)) == (0, 1)
    # A liaison of a lead agency registers: the overdue sweep gives them today's nudges at once.
    await cast(
        session_factory,
        liaison(4, "工业和信息化部"),
        now=FIRST + dt.timedelta(minutes=6),
        plan=None,
    )
    queued, statements = await run(session_factory, engine, name, FIRST + dt.timedelta(minutes=10))
    assert statements > 1
    assert (queued > 0) is (name == "overdue")
    assert await run(session_factory, engine, name, FIRST + dt.timedelta(minutes=15)) == (0, 1)
