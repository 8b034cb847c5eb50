"""A liaison's report goes through while a large import is being written, on SQLite too."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine, create_session_factory
from tests.bot.harness import BotHarness
from tests.kit.big_annex import big_annex
from tests.kit.report_cards import LEAD, button, open_card, press_edit, report_count
from workflows.importing.service import ImportResult, import_annex

TASKS = 400
CHUNK = 100


async def test_a_liaison_reports_while_a_large_import_runs(
    bot: BotHarness, engine: AsyncEngine
) -> None:
    """The import (its own engine, as the CLI's process) is held after its second chunk
    until the report is saved: the report never waits for the whole import."""
    card = await open_card(bot, LEAD, 3)
    before = await report_count(bot)
    cli = create_engine(engine.url.render_as_string(hide_password=False))
    writing, reported = asyncio.Event(), asyncio.Event()
    pauses: list[int] = []

    async def pause(written: int) -> None:
        pauses.append(written)
        writing.set()
        if len(pauses) == 2:
            await reported.wait()

    async def run_import() -> ImportResult:
        async with create_session_factory(cli)() as session:
            return await import_annex(
                session=session,
                data=big_annex(TASKS),
                now=bot.clock() - dt.timedelta(days=1),
                timezone="Asia/Shanghai",
                plan_code="big",
                actor="cli",
                chunk=CHUNK,
                pause=pause,
            )

    importing = asyncio.create_task(run_import())
    try:
        await asyncio.wait_for(writing.wait(), timeout=30)
        percent = await press_edit(bot, LEAD, card.message_id, button(card, "mys:"))
        saved = await press_edit(bot, LEAD, card.message_id, button(percent, "myp:"))
        assert saved.text is not None
        assert saved.text.startswith("✅ 第 3 项任务：已报告“🟢 正常推进”")
        assert not importing.done()
        assert pauses[-1] < TASKS
    finally:
        reported.set()
        result = await importing
        await cli.dispose()
    assert result.task_count == TASKS
    assert pauses == [100, 200, 300]
    assert await report_count(bot) == before + 1
