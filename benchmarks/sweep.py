"""Benchmark 3: the deadline-reminder sweep on plans of growing size.

The steady state is measured: one sweep queues everything that is due, and the sweeps after it
(every five minutes in `annexbot run`, the clock moving on) find nothing new. "After a write":
the same, with one task edited since the sweep before. "1,000 due": the plan of the hot tasks
keeps India's time, so their 7-day reminders' moment (08:30 there, 03:00 UTC) comes between two
sweeps while no other plan's does; the sweep after that moment is timed (its reminders are
deleted and its watermark set back five minutes before each run).
"""

from __future__ import annotations

import datetime as dt
import time

from rich.console import Console
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks.common import Database, Figure, QueryCounter, Report, median, sessions_on
from benchmarks.data import MILESTONE_STEP_DAYS, Shape, generate
from db.models import Delivery, Member, Plan, SweepMark, Task
from workflows.reminders import REMINDER_KIND, plan_deadline_reminders

NOW = dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing, a working Tuesday
SWEEP_EVERY = dt.timedelta(minutes=5)
HOT_TIMEZONE = "Asia/Kolkata"  # its 08:30 is 03:00 UTC: no Beijing moment comes near it
DUE_AT = dt.datetime(2026, 3, 3, 3, 1, tzinfo=dt.UTC)
SPAN_DAYS = 20 * 365
MEMBERS_PER_AGENCY = 3
DUE = 1000
NOTHING_DUE_GOAL_MS = 10.0
DUE_GOAL_MS = 200.0


async def run(
    report: Report,
    database: Database,
    *,
    milestones: int,
    members: int,
    runs: int,
    console: Console,
) -> None:
    """Generate a plan of `milestones` milestones and `members` members, then time sweeps."""
    shape = Shape(
        tasks=max(1, milestones // 4 - -(-DUE // (2 * MEMBERS_PER_AGENCY))),
        agencies=max(1, members // MEMBERS_PER_AGENCY),
        members_per_agency=MEMBERS_PER_AGENCY,
        first_day=NOW.date() - dt.timedelta(days=SPAN_DAYS // 2),
        span_days=SPAN_DAYS,
    )
    label = f"{shape.milestones + 4 * -(-DUE // (2 * MEMBERS_PER_AGENCY)):,} milestones"
    async with sessions_on(database) as sessions:
        started = time.perf_counter()
        async with sessions() as session:
            await generate(session, shape)
            # Enough tasks due in seven days (offset 7's moment comes at DUE_AT) that 1,000
            # reminders are due at every size; they count among the milestones.
            hot = -(-DUE // (2 * MEMBERS_PER_AGENCY))
            hot_plans = select(func.max(Plan.id)).scalar_subquery()
            await generate(
                session,
                Shape(
                    tasks=hot,
                    agencies=max(2, hot // 5),
                    members_per_agency=MEMBERS_PER_AGENCY,
                    first_day=NOW.date() + dt.timedelta(days=7 - 3 * MILESTONE_STEP_DAYS),
                    span_days=1,
                ),
                telegram_id_base=20_000_000,
            )
            await session.execute(
                update(Plan).where(Plan.id == hot_plans).values(timezone=HOT_TIMEZONE)
            )
            await session.commit()
        console.log(f"sweep: generated {label} in {time.perf_counter() - started:.1f} s")
        async with sessions() as session:
            warm = await plan_deadline_reminders(session, now=NOW)
        console.log(f"sweep: the first sweep queued {warm:,} reminders")
        if database.backend == "postgresql":
            # Autovacuum analyzes a million new rows within a minute or so; the steady state
            # measured here has statistics (without them the planner scans the milestones).
            async with sessions() as session:
                await session.execute(text("ANALYZE"))
                await session.commit()

        engine = sessions.kw["bind"]
        counter = QueryCounter(engine)
        round_trips: list[float] = []
        lookups: list[float] = []
        for index in range(runs * 5):
            async with sessions() as session:
                started = time.perf_counter()
                await session.execute(select(1))
                round_trips.append(time.perf_counter() - started)
                started = time.perf_counter()
                await session.scalar(
                    select(Member).where(Member.telegram_id == 10_000_001 + index % members)
                )
                lookups.append(time.perf_counter() - started)
        baseline = median(round_trips) * 1000

        idle: list[float] = []
        queries = 0
        now = NOW
        for _ in range(runs):
            now += SWEEP_EVERY
            async with sessions() as session:
                with counter.counting():
                    started = time.perf_counter()
                    queued = await plan_deadline_reminders(session, now=now)
                    idle.append(time.perf_counter() - started)
                queries = counter.count
            assert queued == 0, f"a nothing-due sweep queued {queued}"
        idle_ms = median(idle) * 1000
        report.add(
            Figure(
                "3 reminder sweep",
                f"nothing due, {label}",
                idle_ms,
                "ms",
                database.label,
                baseline,
                "SELECT 1",
                f"< {NOTHING_DUE_GOAL_MS:g} ms",
                idle_ms < NOTHING_DUE_GOAL_MS,
                f"{queries} queries; {warm:,} reminders in the window; "
                f"indexed lookup {median(lookups) * 1000:.2f} ms",
            )
        )

        edited: list[float] = []
        edited_queries = 0
        task_ids = list(await _task_ids(sessions))
        for index in range(runs):
            now += SWEEP_EVERY
            async with sessions() as session:
                task_id = task_ids[index * 7919 % len(task_ids)]
                await session.execute(
                    update(Task).where(Task.id == task_id).values(updated_at=now - SWEEP_EVERY / 2)
                )
                await session.commit()
            async with sessions() as session:
                with counter.counting():
                    started = time.perf_counter()
                    queued = await plan_deadline_reminders(session, now=now)
                    edited.append(time.perf_counter() - started)
                edited_queries = counter.count
            assert queued == 0, f"a sweep after an edit queued {queued}"
        edited_ms = median(edited) * 1000
        report.add(
            Figure(
                "3 reminder sweep",
                f"nothing due after a task edit, {label}",
                edited_ms,
                "ms",
                database.label,
                baseline,
                "SELECT 1",
                f"< {NOTHING_DUE_GOAL_MS:g} ms",
                edited_ms < NOTHING_DUE_GOAL_MS,
                f"{edited_queries} queries",
            )
        )

        busy: list[float] = []
        due_queries = 0
        enqueued = 0
        for _ in range(runs):
            async with sessions() as session:
                await session.execute(
                    delete(Delivery).where(
                        Delivery.kind == REMINDER_KIND, Delivery.created_at == DUE_AT
                    )
                )
                await session.execute(
                    update(SweepMark)
                    .where(SweepMark.name == REMINDER_KIND)
                    .values(through=DUE_AT - SWEEP_EVERY)
                )
                await session.commit()
            async with sessions() as session:
                with counter.counting():
                    started = time.perf_counter()
                    enqueued = await plan_deadline_reminders(session, now=DUE_AT)
                    busy.append(time.perf_counter() - started)
                due_queries = counter.count
            assert enqueued >= DUE, f"the sweep at the hot moment queued {enqueued}"
        busy_ms = median(busy) * 1000
        report.add(
            Figure(
                "3 reminder sweep",
                f"{enqueued:,} due, {label}",
                busy_ms,
                "ms",
                database.label,
                baseline,
                "SELECT 1",
                f"< {DUE_GOAL_MS:g} ms",
                busy_ms < DUE_GOAL_MS,
                f"{due_queries} queries",
            )
        )


async def _task_ids(sessions: async_sessionmaker[AsyncSession]) -> list[int]:
    """Every generated task's id."""
    async with sessions() as session:
        return list(await session.scalars(select(Task.id).order_by(Task.id)))
