"""The plan board through the real HTTP app: /web links, the board, a task, an agency."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from db.enums import MemberRole
from db.models import WebSession
from tests.bot.harness import BotHarness
from tests.bot.web.board_kit import bot as bot
from tests.bot.web.board_kit import client, sign_in, web_link
from tests.kit.report_cards import BOSS, CO, LEAD, OTHER


async def test_a_coordinator_signs_in_reads_the_board_filters_to_red_and_opens_a_task(
    bot: BotHarness,
) -> None:
    """/web gives a link; the board shows lights and roles; ?light=red keeps red tasks only."""
    async with client(bot) as browser:
        signed = await sign_in(bot, browser, BOSS)
        assert signed.status_code == 303
        assert signed.headers["location"] == "/board"
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert "Secure" in cookie
        plans = await browser.get("/board")
        assert "国发〔2015〕5号" in plans.text
        board = await browser.get("/board/gf-2015-5")
        assert board.status_code == 200
        assert "任务督办看板 · gf-2015-5" in board.text
        assert "科技部" in board.text
        assert "牵头" in board.text
        assert "配合" in board.text
        assert "未签收" in board.text
        all_rows = board.text.count('<td class="task">')
        red = await browser.get("/board/gf-2015-5?light=red")
        shown = red.text.count('<td class="task">')
        assert 0 < shown < all_rows
        assert red.text.count('<td class="red num">') == shown
        assert '<td class="green num">' not in red.text
        overdue = await browser.get("/board/gf-2015-5?overdue=1")
        assert 0 < overdue.text.count('<td class="task">') <= shown  # overdue tasks are red
        closed = await browser.get("/board/gf-2015-5?state=closed")
        assert "没有符合条件的任务。" in closed.text
        assert "没有符合条件的任务。" in (await browser.get("/board/gf-2015-5?silent=1")).text
        bot.clock.advance(days=29)  # two check-in cycles without a word from anyone
        assert (await browser.get("/board")).status_code == 401  # the session lasted 12 hours
        await sign_in(bot, browser, BOSS)
        silent = await browser.get("/board/gf-2015-5?silent=1")
        assert silent.text.count('<td class="task">') == all_rows
        task = await browser.get("/board/gf-2015-5/task/3")
        assert "第 3 项任务 · gf-2015-5" in task.text
        assert "报告与变更记录" in task.text  # the exports' history, in their words
        assert "<td>变更</td>" in task.text
        assert "<td>导入任务</td>" in task.text


async def test_a_link_works_once_and_only_for_a_few_minutes(bot: BotHarness) -> None:
    """The same link again, or a link past its time, is refused and opens no session."""
    async with client(bot) as browser:
        path = await web_link(bot, LEAD)
        token = path.rsplit("/", 1)[1]
        first = await browser.post("/web/sign-in", data={"token": token})
        assert first.status_code == 303
        browser.cookies.clear()
        again = await browser.post("/web/sign-in", data={"token": token})
        assert again.status_code == 403
        assert "此登录链接已失效" in again.text
        assert "set-cookie" not in again.headers
        late = (await web_link(bot, LEAD)).rsplit("/", 1)[1]
        bot.clock.advance(minutes=11)
        expired = await browser.post("/web/sign-in", data={"token": late})
        assert expired.status_code == 403
        assert (await browser.get("/board")).status_code == 401


async def test_sign_out_leave_and_web_off_end_sessions(bot: BotHarness) -> None:
    """Signing out, /web off and leaving the bot each end the session at the next request."""
    async with client(bot) as browser:
        await sign_in(bot, browser, CO)
        page = await browser.get("/board")
        assert page.status_code == 200
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        assert (await browser.post("/web/sign-out", data={"csrf": "forged"})).status_code == 403
        out = await browser.post("/web/sign-out", data={"csrf": csrf})
        assert out.headers["location"] == "/web/signed-out"
        assert (await browser.get("/board")).status_code == 401
        await sign_in(bot, browser, CO)
        [answer] = await bot.send(CO, "/web off")
        assert answer.text == "已在所有设备上退出督办看板（1 个会话）。"
        assert (await browser.get("/board")).status_code == 401
        await sign_in(bot, browser, OTHER)
        assert (await browser.get("/board")).status_code == 200
        [question] = await bot.send(OTHER, "/leave")
        await bot.press(OTHER, question.message_id, "leave:yes")
        assert (await browser.get("/board")).status_code == 401
    async with bot.runtime.session() as session:
        open_sessions = select(func.count()).where(WebSession.revoked_at.is_(None))
        assert await session.scalar(open_sessions) == 0  # rejoining later revives none


async def test_a_liaison_sees_only_their_agency_on_the_board_and_pages(bot: BotHarness) -> None:
    """A co-responsible liaison: their own rows, no other agency's page or notes, in English too."""
    async with client(bot) as browser:
        await sign_in(bot, browser, CO)
        board = await browser.get("/board/gf-2015-5")
        assert "发展改革委" in board.text
        assert "公安部" not in board.text
        other = await browser.get("/board/gf-2015-5/agency/公安部")
        assert other.status_code == 403
        own = await browser.get("/board/gf-2015-5/agency/发展改革委")
        assert own.status_code == 200
        assert "小赵" in own.text
        assert "作为配合单位" in own.text
        not_ours = await browser.get("/board/gf-2015-5/task/10")
        assert not_ours.status_code == 403


async def test_the_pages_follow_the_members_language(bot: BotHarness) -> None:
    """A coordinator who reads English gets the board, the task and the agency in English."""
    await bot.add_member(7001, "Ms Wang", role=MemberRole.COORDINATOR, language="en")
    async with client(bot) as browser:
        await sign_in(bot, browser, 7001)
        board = await browser.get("/board/gf-2015-5?unit=科技部&sort=light")
        assert "Plan board · gf-2015-5" in board.text
        assert '<option value="科技部" selected>' in board.text
        assert board.text.count('<th class="unit">') == 1
        assert "lead" in board.text
        assert "not signed for" in board.text
        task = await browser.get("/board/gf-2015-5/task/3")
        assert "Task No. 3 · gf-2015-5" in task.text
        assert "<td>task imported</td>" in task.text
        assert "Report status" not in task.text  # a coordinator has no agency to report for
        agency = await browser.get("/board/gf-2015-5/agency/科技部")
        assert "小李" in agency.text
        assert "As lead unit (2)" in agency.text


async def test_the_board_links_to_the_exports_of_what_the_member_may_read(bot: BotHarness) -> None:
    """The workbook and CSVs of /export, a liaison's limited to their agency's rows."""
    async with client(bot) as browser:
        await sign_in(bot, browser, CO)
        board = await browser.get("/board/gf-2015-5")
        assert 'href="/board/gf-2015-5/export/workbook.xlsx"' in board.text
        workbook = await browser.get("/board/gf-2015-5/export/workbook.xlsx")
        assert workbook.status_code == 200
        assert workbook.content.startswith(b"PK")
        assert "annexbot-gf-2015-5-" in workbook.headers["content-disposition"]
        matrix = await browser.get("/board/gf-2015-5/export/matrix.csv")
        rows = matrix.content.decode("utf-8-sig").splitlines()
        assert rows[0].startswith("计划,序号,工作任务,")
        assert len(rows) > 1
        assert all(",发展改革委," in row for row in rows[1:])
        assert (await browser.get("/board/gf-2015-5/export/secrets.txt")).status_code == 404


async def test_the_timeline_is_svg_with_todays_line_and_links_to_the_tasks(bot: BotHarness) -> None:
    """A bar per task the member's /chart shows, coloured by light; zoom widens it."""
    async with client(bot) as browser:
        await sign_in(bot, browser, LEAD)
        board = await browser.get("/board/gf-2015-5")
        assert 'href="/board/gf-2015-5/timeline"' in board.text
        page = await browser.get("/board/gf-2015-5/timeline?zoom=2")
        assert page.status_code == 200
        assert '<svg class="timeline"' in page.text
        assert 'class="today"' in page.text
        assert "width: 200%" in page.text
        tasks = re.findall(r'href="/board/gf-2015-5/task/(\d+)"', page.text)
        assert tasks == re.findall(r'href="/board/gf-2015-5/task/(\d+)"', board.text)
        assert 0 < len(tasks) < 23  # 科技部's tasks only, as its /chart
        assert '<text x="4" y="44">1. 实施云计算工程</text>' in page.text
