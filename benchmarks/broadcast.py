"""Benchmark 2: a wave of deadline reminders to many members through the real Sender.

The sandbox enforces Telegram's flood limits (30 messages/s overall, 1/s per chat) and answers
429 beyond them; the sender's pacer must keep under them while using them to the full.
"""

from __future__ import annotations

import datetime as dt
import time

from rich.console import Console
from sqlalchemy import select

from benchmarks.common import Database, Figure, Report, median, sessions_on
from benchmarks.data import MILESTONE_STEP_DAYS, Shape, generate
from benchmarks.sandboxed import running_bot
from db.models import Member, Milestone
from workflows.outbox.queue import enqueue
from workflows.reminders import REMINDER_KIND

NOW = dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC)
LIMIT_PER_SECOND = 30
GOAL_SHARE = 0.95


async def run(
    report: Report, database: Database, *, members: int, runs: int, console: Console
) -> None:
    """Send one reminder to each of `members` members, `runs` times; rate and 429 answers."""
    shape = Shape(
        tasks=members,
        agencies=members,
        members_per_agency=1,
        first_day=NOW.date() + dt.timedelta(days=7 - 3 * MILESTONE_STEP_DAYS),
        span_days=1,
        co_agencies=False,
    )
    async with sessions_on(database) as sessions:
        async with sessions() as session:
            await generate(session, shape)
            people = list(await session.execute(select(Member.id, Member.telegram_id)))
            dues = list(
                await session.execute(
                    select(Milestone.id, Milestone.task_id, Milestone.on_date)
                    .where(Milestone.key == "due")
                    .order_by(Milestone.id)
                )
            )
        async with running_bot(sessions, now=NOW) as bot:
            for _, telegram_id in people:
                bot.sandbox.add_user(telegram_id, f"Liaison {telegram_id}")
            limits = bot.sandbox.faults.enforce_rate_limits()
            rates: list[float] = []
            for index in range(runs):
                async with sessions() as session:
                    for (member_id, telegram_id), (milestone_id, task_id, on_date) in zip(
                        people, dues, strict=True
                    ):
                        await enqueue(
                            session,
                            key=f"bench:{index}:{member_id}",
                            kind=REMINDER_KIND,
                            chat_id=telegram_id,
                            member_id=member_id,
                            payload={
                                "milestone_id": milestone_id,
                                "task_id": task_id,
                                "on_date": on_date.isoformat(),
                                "offset": 7,
                            },
                            now=NOW,
                        )
                    await session.commit()
                started = time.perf_counter()
                sent = await bot.sender.drain()
                elapsed = time.perf_counter() - started
                assert sent == len(people), f"sent {sent} of {len(people)}"
                rates.append(sent / elapsed)
                console.log(f"broadcast: {sent} messages in {elapsed:.1f} s")
    rate = median(rates)
    report.add(
        Figure(
            "2 broadcast",
            f"reminders to {len(people):,} members",
            rate,
            "msg/s",
            database.label,
            LIMIT_PER_SECOND,
            "Telegram's limit",
            f">= {GOAL_SHARE:.0%} of {LIMIT_PER_SECOND}/s, no 429",
            rate >= GOAL_SHARE * LIMIT_PER_SECOND and limits.rejected == 0,
            f"{limits.rejected} answers 429 in {runs} waves",
        )
    )
