"""The access matrix through the web door: who may read which page and whose notes, and write."""

from __future__ import annotations

import pytest

from tests.bot.harness import BotHarness
from tests.bot.web.board_kit import bot as bot
from tests.bot.web.board_kit import client, csrf, form_value, sign_in
from tests.kit.cast import coordinator
from tests.kit.plan_limits import PLAN_B, add_plan_b, limit
from tests.kit.report_cards import BOSS, CO, LEAD, OTHER, task_id
from workflows.reports import add_note, save_report

LEAD_NOTE, CO_NOTE = "科技部的内部进展", "发展改革委的内部进展"
PAGES = (
    "/board/gf-2015-5",
    "/board/gf-2015-5/task/3",
    "/board/gf-2015-5/task/10",
    "/board/gf-2015-5/agency/科技部",
    "/board/gf-2015-5/agency/公安部",
)
LIMITED = 5011  # a coordinator limited to plan B, on gf-2015-5's pages
# Per member: the status of each page above, the notes they read on task 3, and the
# status of a report they post on task 3 (303 saved; 403 refused).
MATRIX = {
    BOSS: ((200, 200, 200, 200, 200), {LEAD_NOTE, CO_NOTE}, 403),
    LEAD: ((200, 200, 403, 200, 403), {LEAD_NOTE, CO_NOTE}, 303),
    CO: ((200, 200, 403, 403, 403), {CO_NOTE}, 303),
    OTHER: ((200, 403, 200, 403, 200), set(), 403),
    LIMITED: ((403, 403, 403, 403, 403), set(), 403),
}


async def _seat_limited(bot: BotHarness) -> None:
    """Plan B beside gf-2015-5, and a coordinator limited to plan B."""
    await add_plan_b(bot)
    await bot.cast(coordinator(LIMITED, "省督查室"), plan=None)
    await limit(bot, LIMITED, PLAN_B[0])


async def _notes(bot: BotHarness) -> None:
    """科技部 (lead on task 3) and 发展改革委 (co) each report on task 3 with a note."""
    task = await task_id(bot, 3)
    for user_id, note in ((LEAD, LEAD_NOTE), (CO, CO_NOTE)):
        async with bot.runtime.session() as session:
            await save_report(
                session,
                telegram_id=user_id,
                task_id=task,
                status="on_track",
                percent=20,
                token=0,
                now=bot.clock(),
            )
            await add_note(session, telegram_id=user_id, task_id=task, text=note, now=bot.clock())


@pytest.mark.parametrize("member", list(MATRIX))
async def test_the_web_door_follows_the_access_matrix(bot: BotHarness, member: int) -> None:
    """Each member reads, and writes, exactly what the chat would let them."""
    statuses, notes, report = MATRIX[member]
    await _notes(bot)
    if member == LIMITED:
        await _seat_limited(bot)
    async with client(bot) as browser:
        await sign_in(bot, browser, member)
        answers = [await browser.get(page) for page in PAGES]
        assert tuple(answer.status_code for answer in answers) == statuses
        task = answers[1]
        assert {note for note in (LEAD_NOTE, CO_NOTE) if note in task.text} == notes
        board = answers[0]
        assert LEAD_NOTE not in board.text  # the board shows no notes at all
        assert CO_NOTE not in board.text
        form = {
            "csrf": csrf(board),
            "task": str(await task_id(bot, 3)),
            "token": form_value(task, "token") if 'name="token"' in task.text else "0",
            "status": "at_risk",
            "percent": "30",
        }
        posted = await browser.post("/board/gf-2015-5/task/3/report", data=form)
        assert posted.status_code == report


async def test_a_limited_coordinator_sees_only_their_plans_on_the_web(bot: BotHarness) -> None:
    """The plans page lists plan B alone; plan B's pages, timeline and export open, not A's."""
    await _seat_limited(bot)
    async with client(bot) as browser:
        await sign_in(bot, browser, LIMITED)
        plans = await browser.get("/board")
        assert plans.status_code == 200
        assert PLAN_B[1] in plans.text
        assert PLAN_B[0] in plans.text
        assert "gf-2015-5" not in plans.text
        pages = [
            f"/board/{PLAN_B[0]}",
            f"/board/{PLAN_B[0]}/task/3",
            f"/board/{PLAN_B[0]}/agency/科技部",
        ]
        assert [(await browser.get(page)).status_code for page in pages] == [200, 200, 200]
        for plan, status in ((PLAN_B[0], 200), ("gf-2015-5", 403)):
            for part in ("timeline", "export/matrix.csv"):
                answer = await browser.get(f"/board/{plan}/{part}")
                assert answer.status_code == status, (plan, part)
