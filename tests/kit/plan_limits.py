"""A second plan beside the bundled one, and coordinators limited to some plans."""

from __future__ import annotations

from bot.chat.application import SENDER_KEY
from tests.bot.harness import BotHarness
from workflows.importing.model import DocumentInfo
from workflows.importing.service import bundled_annex, import_annex
from workflows.plan_grants import limit_coordinator

# Plan B: the bundled annex's text under another document, so it shares agencies and numbers.
PLAN_B = ("gf-2019-3", "国发〔2019〕3号", "国务院关于优化营商环境的意见")


async def add_plan_b(harness: BotHarness) -> None:
    """Import plan B, and send the task notices it brings."""
    code, number, title = PLAN_B
    async with harness.runtime.session() as session:
        await import_annex(
            session=session,
            data=bundled_annex("gf-2015-5"),
            now=harness.clock(),
            timezone="Asia/Shanghai",
            plan_code=code,
            document=DocumentInfo(number=number, title=title),
        )
    await harness.application.bot_data[SENDER_KEY].drain()


async def limit(harness: BotHarness, telegram_id: int, *plans: str) -> None:
    """Limit a coordinator to some plans, as the shell does."""
    async with harness.runtime.session() as session:
        await limit_coordinator(
            session=session,
            by_telegram_id=None,
            who=str(telegram_id),
            plans=list(plans),
            now=harness.clock(),
        )
