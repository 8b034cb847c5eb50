"""Benchmark 3: the deadline-reminder sweep on plans of growing size.

The steady state is measured: one sweep queues everything that is due, and the sweeps after it
(every five minutes in `annexbot run`) find nothing new. "1,000 due" removes 1,000 of the
queued reminders and times the sweep that queues them again.
"""

from __future__ import annotations

import datetime as dt
import time

from rich.console import Console
from sqlalchemy import delete, select

from benchmarks.common import Database, Figure, QueryCounter, Report, median, sessions_on
from benchmarks.data import MILESTONE_STEP_DAYS, Shape, generate
from db.enums import DeliveryState
from db.models import Delivery, Member
from workflows.reminders import REMINDER_KIND, plan_deadline_reminders

NOW = dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing, a working Tuesday
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
            # Enough tasks due in seven days (offset 7's moment came this morning) that 1,000
            # reminders are due at every size; they count among the milestones.
            hot = -(-DUE // (2 * MEMBERS_PER_AGENCY))
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
        console.log(f"sweep: generated {label} in {time.perf_counter() - started:.1f} s")
        async with sessions() as session:
            warm = await plan_deadline_reminders(session, now=NOW)
        console.log(f"sweep: the first sweep queued {warm:,} reminders")

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
        for _ in range(runs):
            async with sessions() as session:
                with counter.counting():
                    started = time.perf_counter()
                    queued = await plan_deadline_reminders(session, now=NOW)
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

        busy: list[float] = []
        due_queries = 0
        enqueued = 0
        for _ in range(runs):
            async with sessions() as session:
                ids = list(
                    await session.scalars(
                        select(Delivery.id)
                        .where(
                            Delivery.kind == REMINDER_KIND,
                            Delivery.state == DeliveryState.PENDING,
                        )
                        .order_by(Delivery.id.desc())
                        .limit(DUE)
                    )
                )
                await session.execute(delete(Delivery).where(Delivery.id.in_(ids)))
                await session.commit()
            async with sessions() as session:
                with counter.counting():
                    started = time.perf_counter()
                    enqueued = await plan_deadline_reminders(session, now=NOW)
                    busy.append(time.perf_counter() - started)
                due_queries = counter.count
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
