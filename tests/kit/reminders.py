"""The deadline-reminder cast of the bot tests: two liaisons of task 12's agencies, a milestone."""

from __future__ import annotations

import datetime as dt

from bot.chat.handlers.reminders import sweep
from tests.bot.harness import BotHarness
from tests.kit.cast import coordinator, liaison
from tests.kit.sweeps import run_sweep
from workflows.planning import add_milestone

ALICE, BOB, BOSS = 2001, 2002, 2009  # 网信办 (zh), 发展改革委 (en), a coordinator


async def plan_with_milestone(harness: BotHarness, on_date: dt.date) -> None:
    """The bundled plan, two liaisons of task 12's agencies, and a milestone on task 12."""
    await harness.cast(
        liaison(ALICE, "网信办", "Alice"),
        liaison(BOB, "发展改革委", "Bob", language="en"),
        coordinator(BOSS, "Boss"),
    )
    async with harness.runtime.session() as session:
        await add_milestone(
            session=session,
            telegram_id=BOSS,
            number=12,
            plan_code=None,
            on_date=on_date,
            label="中期评估",
            now=harness.clock(),
        )


async def run_reminders(harness: BotHarness, at: dt.datetime) -> int:
    """Move the clock, run the reminder sweep and send what it queued."""
    return await run_sweep(harness, sweep, at)
