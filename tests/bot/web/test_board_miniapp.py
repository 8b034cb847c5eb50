"""The Mini App door: Telegram's initData checked, and a liaison's report through the page."""

from __future__ import annotations

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp, WebAppInfo
from telegram.error import BadRequest

from tests.bot.harness import BotHarness
from tests.bot.web.board_kit import bot as bot
from tests.bot.web.board_kit import button_url, client, csrf, form_value, init_data, sign_in
from tests.kit.report_cards import BOSS, CO, LEAD, report_count, task_id

NOTE = "<b>缺少</b> 资金 & 人手"


def _token(bot: BotHarness) -> str:
    """The bot's token, which signs initData."""
    secret = bot.runtime.settings.telegram_token
    assert secret is not None
    return secret.get_secret_value()


def _now(bot: BotHarness) -> int:
    """The harness clock as a Unix time."""
    return int(bot.clock().timestamp())


async def _open(bot: BotHarness, browser: httpx.AsyncClient, user_id: int) -> httpx.Response:
    """Open the Mini App as Telegram would: its page, then initData posted to /app/session."""
    page = await browser.get("/app")
    assert 'action="/app/session"' in page.text
    data = init_data(_token(bot), user_id, _now(bot))
    return await browser.post("/app/session", data={"initData": data})


async def test_a_liaison_reports_through_the_mini_app_and_the_chat_shows_it(
    bot: BotHarness,
) -> None:
    """initData opens a session; the form saves status, percent and note; /task shows them."""
    [answer] = await bot.send(LEAD, "/web")
    assert button_url(answer, "📱 打开督办看板") == "https://annexbot.example.org/app"
    [menu] = bot.sandbox.calls("setChatMenuButton")
    assert menu.params["chat_id"] == LEAD
    button = menu.params["menu_button"]
    assert button == {
        "type": "web_app",
        "text": "看板",
        "web_app": {"url": "https://annexbot.example.org/app"},
    }
    async with client(bot) as browser:
        opened = await _open(bot, browser, LEAD)
        assert opened.status_code == 303
        assert "HttpOnly" in opened.headers["set-cookie"]
        page = await browser.get("/board/gf-2015-5/task/3")
        assert "报告进展" in page.text
        form = {
            "csrf": csrf(page),
            "task": form_value(page, "task"),
            "token": form_value(page, "token"),
            "status": "at_risk",
            "percent": "60",
            "note": NOTE,
        }
        saved = await browser.post("/board/gf-2015-5/task/3/report", data=form)
        assert saved.status_code == 303
        assert saved.headers["location"] == "/board/gf-2015-5/task/3?saved=1"
        again = await browser.post("/board/gf-2015-5/task/3/report", data=form)
        assert again.status_code == 303  # the same press twice: "already saved", no new row
        assert await report_count(bot) == 2  # the report and its note, as in the chat
        changed = await browser.post(
            "/board/gf-2015-5/task/3/report", data={**form, "status": "blocked"}
        )
        assert changed.status_code == 409
        assert "第 3 项任务在此消息之后已有变化" in changed.text
        shown = await browser.get(saved.headers["location"])
        assert "报告已保存。" in shown.text
        assert "&lt;b&gt;缺少&lt;/b&gt; 资金 &amp; 人手" in shown.text
        board = await browser.get("/board/gf-2015-5")
        assert (
            '<td class="cell yellow"><span class="role">牵头</span>\n    <br>存在风险 60%'
            in board.text
        )
    [card] = await bot.send(BOSS, "/task 3")
    assert card.text is not None
    assert f"• 科技部: 存在风险 60% — {NOTE} (2016年3月1日 10:00, 小李)" in card.text


async def test_forged_stale_and_unsigned_init_data_are_refused(bot: BotHarness) -> None:
    """A wrong hash, another bot's signature, an old auth_date or none at all opens nothing."""
    token = _token(bot)
    genuine = init_data(token, LEAD, _now(bot))
    forged = genuine.replace("%22id%22%3A+5001", "%22id%22%3A+5009")  # claims to be BOSS
    assert forged != genuine
    refused = [
        forged,
        init_data("123:another-bot", LEAD, _now(bot)),
        init_data(token, LEAD, _now(bot) - 2 * 3600),
        genuine.split("&hash=")[0],
        "",
    ]
    async with client(bot) as browser:
        for data in refused:
            answer = await browser.post("/app/session", data={"initData": data})
            assert answer.status_code == 403
            assert "无法确认此请求来自 Telegram" in answer.text
            assert "set-cookie" not in answer.headers
        assert (await browser.post("/app/session", data={"initData": genuine})).status_code == 303


async def test_a_liaison_neither_reads_another_agencys_notes_nor_writes_to_its_task(
    bot: BotHarness,
) -> None:
    """发展改革委 (co on task 3) sees only its own report there, and cannot report on task 10."""
    async with client(bot) as lead:
        await sign_in(bot, lead, LEAD)
        page = await lead.get("/board/gf-2015-5/task/3")
        form = {
            "csrf": csrf(page),
            "task": form_value(page, "task"),
            "token": "0",
            "status": "on_track",
            "percent": "50",
            "note": "科技部内部安排",
        }
        assert (await lead.post("/board/gf-2015-5/task/3/report", data=form)).status_code == 303
    async with client(bot) as co:
        await _open(bot, co, CO)
        page = await co.get("/board/gf-2015-5/task/3")
        assert page.status_code == 200
        assert "科技部内部安排" not in page.text
        board = await co.get("/board/gf-2015-5")
        assert "科技部内部安排" not in board.text
        other = await task_id(bot, 10)
        theirs = {"csrf": csrf(page), "task": str(other), "token": "0", "status": "on_track"}
        written = await co.post("/board/gf-2015-5/task/10/report", data=theirs)
        assert written.status_code == 403
        assert "第 10 项任务未分配给您的单位" in written.text
        forged = {**theirs, "task": form_value(page, "task"), "csrf": "forged"}
        assert (await co.post("/board/gf-2015-5/task/3/report", data=forged)).status_code == 403
    assert await report_count(bot) == 2


async def test_the_sandbox_refuses_a_mini_app_that_is_not_https(bot: BotHarness) -> None:
    """Like Telegram, the sandbox takes Mini App buttons only with https addresses."""
    plain = WebAppInfo("http://annexbot.example.org/app")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("看板", web_app=plain)]])
    with pytest.raises(BadRequest, match=r"(?i)only https links are allowed"):
        await bot.application.bot.send_message(LEAD, "看板", reply_markup=markup)
    with pytest.raises(BadRequest, match=r"(?i)only https links are allowed"):
        await bot.application.bot.set_chat_menu_button(LEAD, MenuButtonWebApp("看板", plain))
