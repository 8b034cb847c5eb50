"""Check-ins on the bundled plan: a prompt per cycle, follow-ups to the silent, catch-up once."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import DeliveryState, ReportStatus
from db.models import Agency, Assignment, Delivery, Member, StatusReport, Task
from tests.kit.beijing import beijing
from tests.kit.cast import cast, deputy, liaison
from tests.kit.sweeps import sweep_and_send
from workflows.checkins import (
    FOLLOW_UP_KIND,
    PROMPT_KIND,
    checkin_message,
    plan_checkins,
    silent_agencies,
)

Sessions = async_sessionmaker[AsyncSession]
NDRC, NDRC_DEPUTY, MOST, LOCAL = 1, 2, 3, 4
GROUP = "地方各级人民政府"


IMPORTED = beijing(2015, 1, 1, 9, 0)


async def setup(sessions: Sessions) -> None:
    """The bundled plan (most tasks start 6 January 2015) and liaisons of three agencies."""
    await cast(
        sessions,
        liaison(NDRC, "发展改革委"),
        deputy(NDRC_DEPUTY, "发展改革委"),
        liaison(MOST, "科技部"),
        liaison(LOCAL, GROUP),
        now=IMPORTED,
    )


async def task_ids(sessions: Sessions, agency: str) -> dict[int, int]:
    """Task number to id of an agency's tasks."""
    async with sessions() as session:
        rows = await session.execute(
            select(Task.number, Task.id)
            .join(Assignment, Assignment.task_id == Task.id)
            .join(Agency, Agency.id == Assignment.agency_id)
            .where(Agency.name == agency)
        )
        return {number: task_id for number, task_id in rows}


async def report(sessions: Sessions, *, task_id: int, agency: str, at: dt.datetime) -> None:
    """An agency's status report on a task."""
    async with sessions() as session:
        agency_id = await session.scalar(select(Agency.id).where(Agency.name == agency))
        assert agency_id is not None
        session.add(
            StatusReport(
                task_id=task_id, agency_id=agency_id, status=ReportStatus.ON_TRACK, reported_at=at
            )
        )
        await session.commit()


async def sweep(sessions: Sessions, now: dt.datetime) -> int:
    """One sweep, then "send" what is due, as the outbox sender would."""
    return await sweep_and_send(sessions, plan_checkins, now)


async def decided(sessions: Sessions) -> list[tuple[str, int, int, int, Delivery]]:
    """Every check-in decided: (kind, telegram id, task id, cycle, delivery)."""
    async with sessions() as session:
        rows = await session.execute(
            select(Delivery, Member.telegram_id)
            .join(Member, Member.id == Delivery.member_id)
            .where(Delivery.kind.in_([PROMPT_KIND, FOLLOW_UP_KIND]))
        )
        return [
            (d.kind, telegram_id, d.payload["task_id"], d.payload["cycle"], d)
            for d, telegram_id in rows
        ]


async def test_a_prompt_per_cycle_and_follow_ups_only_to_the_silent(
    session_factory: Sessions,
) -> None:
    """Three cycles walked: one prompt per cycle and liaison, skipped after a report, no groups."""
    await setup(session_factory)
    ndrc, most = (
        await task_ids(session_factory, "发展改革委"),
        await task_ids(session_factory, "科技部"),
    )
    reported = next(n for n in ndrc if n != 12)
    day, end = dt.date(2015, 1, 2), dt.date(2015, 2, 28)
    while day <= end:
        for hour, minute in [(8, 30), (12, 0), (21, 0)]:
            now = beijing(day.year, day.month, day.day, hour, minute)
            if now == beijing(2015, 1, 21, 12, 0):
                await report(session_factory, task_id=ndrc[reported], agency="发展改革委", at=now)
            await sweep(session_factory, now)
        day += dt.timedelta(days=1)
    rows = await decided(session_factory)
    assert not any(telegram_id == LOCAL for _, telegram_id, *_ in rows)
    assert not any(d.late for *_, d in rows)
    assert all(d.state is DeliveryState.SENT for *_, d in rows)
    prompts = Counter((t, task, c) for kind, t, task, c, _ in rows if kind == PROMPT_KIND)
    assert set(prompts.values()) == {1}
    # Tasks starting 6 January: prompts on 20 January, 3 and 17 February (cycles 1-3).
    # Task 12 counts from its import on 1 January: 15 and 29 January, 12 and 26 February.
    starts = {n: [1, 2, 3, 4] if n == 12 else [1, 2, 3] for n in {*ndrc, *most}}
    expected = {(MOST, most[n], c) for n in most for c in starts[n]}
    for member in (NDRC, NDRC_DEPUTY):
        for n in ndrc:
            cycles = [1, 3] if n == reported else starts[n]  # its report of 21 January counts
            expected |= {(member, ndrc[n], c) for c in cycles}
    assert set(prompts) == expected
    moments = {d.next_attempt_at for kind, *_, d in rows if kind == PROMPT_KIND}
    assert moments == {beijing(2015, 1, day, 8, 30) for day in (15, 20, 29)} | {
        beijing(2015, 2, day, 8, 30) for day in (3, 12, 17, 26)
    }
    follows = {(t, task, c) for kind, t, task, c, _ in rows if kind == FOLLOW_UP_KIND}
    # Two working days after each prompt, unless the agency reported since: the 17 February
    # prompt's waits out the Spring Festival (26th), the 26th's goes on Saturday 28th (worked).
    assert (NDRC, ndrc[reported], 1) not in follows
    assert follows == {
        (t, task, c)
        for t, task, c in expected
        if not (t in (NDRC, NDRC_DEPUTY) and task == ndrc[reported] and c == 1)
    }
    assert (MOST, ndrc[reported], 1) in follows or ndrc[reported] not in most.values()
    follow_moments = {d.next_attempt_at for kind, *_, d in rows if kind == FOLLOW_UP_KIND}
    assert beijing(2015, 1, 22, 8, 30) in follow_moments
    assert beijing(2015, 2, 15, 8, 30) in follow_moments  # a Sunday worked for the festival
    assert beijing(2015, 2, 26, 8, 30) in follow_moments
    assert beijing(2015, 2, 28, 8, 30) in follow_moments


async def test_after_downtime_only_the_current_cycle_is_caught_up_once_and_late(
    session_factory: Sessions,
) -> None:
    """Down until 10 February: cycle 2's prompts go once, late; the follow-up two days later."""
    await setup(session_factory)
    task12 = (await task_ids(session_factory, "发展改革委"))[12]
    assert await sweep(session_factory, beijing(2015, 1, 6, 9, 0)) == 0
    back = beijing(2015, 2, 10, 10, 0)
    queued = await sweep(session_factory, back)
    rows = await decided(session_factory)
    assert queued == len(rows) > 0
    assert {c for *_, c, _ in rows} == {2}
    assert all(d.late for *_, d in rows)
    assert {kind for kind, *_ in rows} == {PROMPT_KIND}
    assert await sweep(session_factory, back + dt.timedelta(minutes=10)) == 0
    # Task 12 (counted from 1 January) starts its cycle 3 that morning: its cycle 2 gets no
    # follow-up, but new prompts (one per NDRC member); every other prompt its follow-up.
    assert await sweep(session_factory, beijing(2015, 2, 12, 8, 40)) == queued
    after = await decided(session_factory)
    follows = {(t, task, c) for kind, t, task, c, _ in after if kind == FOLLOW_UP_KIND}
    assert follows == {(t, task, c) for _, t, task, c, _ in rows if task != task12}
    assert not any(d.late for kind, *_, d in after if kind == FOLLOW_UP_KIND)
    assert {c for kind, _, task, c, _ in after if task == task12 and kind == PROMPT_KIND} == {2, 3}


async def test_a_prompt_is_not_sent_once_the_agency_reported(session_factory: Sessions) -> None:
    """A prompt held over the weekend reads as nothing when the agency reported meanwhile."""
    await setup(session_factory)
    most = await task_ids(session_factory, "科技部")
    task = next(iter(most.values()))
    since = beijing(2015, 1, 6, 8, 30)
    async with session_factory() as session:
        agency_id = await session.scalar(select(Agency.id).where(Agency.name == "科技部"))
        assert agency_id is not None
        view = await checkin_message(session, task_id=task, agency_id=agency_id, since=since)
        assert view is not None
        assert view.agency == "科技部"
        assert view.last_report is None
    await report(session_factory, task_id=task, agency="科技部", at=beijing(2015, 1, 21, 9, 0))
    async with session_factory() as session:
        assert (
            await checkin_message(session, task_id=task, agency_id=agency_id, since=since) is None
        )


async def test_silent_agencies_count_days_since_they_were_last_heard_from(
    session_factory: Sessions,
) -> None:
    """On 25 January: agencies silent since 6 January, not one that reported, never a group."""
    await setup(session_factory)
    most = await task_ids(session_factory, "科技部")
    task = next(n for n in most if n != 12)
    await report(session_factory, task_id=most[task], agency="科技部", at=beijing(2015, 1, 21, 9))
    async with session_factory() as session:
        silent = await silent_agencies(session, now=beijing(2015, 1, 25, 9, 0), every_days=14)
    assert silent
    assert GROUP not in {s.agency for s in silent}
    assert (task, "科技部") not in {(s.task_number, s.agency) for s in silent}
    by_task = {(s.task_number, s.agency): s.days_silent for s in silent}
    other = next(n for n in most if n not in (task, 12))
    assert by_task[(other, "科技部")] == 19
    assert silent[0].days_silent == max(s.days_silent for s in silent)
