"""/calendar and /feeds end to end: links that work in the HTTP app, and stop when revoked."""

from __future__ import annotations

import re

import httpx
import icalendar
import pytest

from bot.web.app import build_web_app, module_routes
from tests.bot.harness import BotHarness
from tests.kit.cast import coordinator, liaison

BOSS = 4001
LIAISON = 4002
OTHER = 4003
STRANGER = 4009
LINK = re.compile(r"https://annexbot\.example\.org/feeds/([A-Za-z0-9_-]{32})\.ics")
HOW_TO = "手机上复制 webcal 链接并在日历应用中打开"


@pytest.fixture
async def people(harness: BotHarness) -> BotHarness:
    """The annex, a coordinator, liaisons of 科技部 (Chinese) and 工信部 (English)."""
    await harness.cast(
        coordinator(BOSS, "主任"),
        liaison(LIAISON, "科技部", "小李"),
        liaison(OTHER, "工信部", "Wang", language="en"),
    )
    return harness


def _token(text: str | None) -> str:
    """The token in a link message."""
    assert text is not None
    found = LINK.search(text)
    assert found is not None, text
    return found.group(1)


async def _fetch(harness: BotHarness, token: str) -> httpx.Response:
    """GET a feed from the HTTP app of the running bot's runtime."""
    app = build_web_app(harness.runtime, routes=module_routes(harness.runtime))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://annexbot.example.org") as c:
        return await c.get(f"/feeds/{token}.ics")


async def test_a_liaison_gets_their_agencys_link(people: BotHarness) -> None:
    """https and webcal links and a how-to line; the feed holds the agency's tasks."""
    [reply] = await people.send(LIAISON, "/calendar")
    assert reply.text is not None
    assert reply.text.startswith("📅 日历：科技部")
    token = _token(reply.text)
    assert f"webcal://annexbot.example.org/feeds/{token}.ics" in reply.text
    assert HOW_TO in reply.text
    response = await _fetch(people, token)
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["X-WR-CALNAME"] == "国发〔2015〕5号 · 科技部"
    numbers = {str(e["SUMMARY"]).split(".")[0] for e in calendar.walk("VEVENT")}
    assert {"3", "4", "5"} <= numbers
    assert "12" not in numbers

    [again] = await people.send(LIAISON, "/calendar")
    assert again.text is not None
    assert "您已有科技部的日历链接" in again.text
    assert LINK.search(again.text) is None  # never shown twice
    [renew] = again.callback_data
    [fresh] = await people.press(LIAISON, again.message_id, renew)
    assert _token(fresh.text) != token
    assert (await _fetch(people, token)).status_code == 404


async def test_a_coordinator_gets_the_plan_and_each_agency(people: BotHarness) -> None:
    """The plan's link, then a button per agency giving that agency's link."""
    plan, agencies = await people.send(BOSS, "/calendar")
    assert plan.text is not None
    assert plan.text.startswith("📅 日历：国发〔2015〕5号 全部任务")
    assert (await _fetch(people, _token(plan.text))).status_code == 200
    assert agencies.text == "各单位的日历："
    buttons = dict(button for row in agencies.buttons for button in row)
    labels = list(buttons)
    assert "科技部" in labels
    assert len(labels) > 15
    target = buttons["公安部"]
    [link] = await people.press(BOSS, agencies.message_id, target)
    assert link.text is not None
    assert link.text.startswith("📅 日历：公安部")
    feed = await _fetch(people, _token(link.text))
    assert icalendar.Calendar.from_ical(feed.content)["X-WR-CALNAME"].endswith("公安部")

    [task] = await people.send(BOSS, "/calendar 5")
    assert (task.text or "").startswith("📅 日历：任务 gf-2015-5/5")
    [named] = await people.send(BOSS, "/calendar 工信部")
    assert (named.text or "").startswith("📅 日历：工业和信息化部")


async def test_feeds_lists_revokes_and_rotates(people: BotHarness) -> None:
    """/feeds shows the active links; revoke stops one (404), rotate replaces another."""
    await people.send(BOSS, "/calendar")
    [task] = await people.send(BOSS, "/calendar 5")
    task_token = _token(task.text)
    [listing] = await people.send(BOSS, "/feeds")
    assert listing.text is not None
    assert listing.text.startswith("日历链接（有效 2 个）")
    assert "gf-2015-5/5" in listing.text
    # Each button carries its link and the page it is on, so the list stays on that page.
    assert listing.callback_data == ["fdx:1:0", "fdr:1:0", "fdx:2:0", "fdr:2:0"]
    await people.press(BOSS, listing.message_id, "fdx:1:0")
    edited = people.last(BOSS)
    assert (edited.text or "").startswith("日历链接（有效 1 个）")
    [rotated] = await people.send(BOSS, "/feeds rotate 2")
    new_token = _token(rotated.text)
    assert (await _fetch(people, task_token)).status_code == 404
    assert (await _fetch(people, new_token)).status_code == 200
    [revoked] = await people.send(BOSS, "/feeds revoke 3")
    assert revoked.text == "链接 3（任务 gf-2015-5/5）已作废，使用它的日历将不再更新。"
    assert (await _fetch(people, new_token)).status_code == 404
    [empty] = await people.send(BOSS, "/feeds")
    assert empty.text == "暂无有效的日历链接。发送 /calendar 生成。"
    [usage] = await people.send(BOSS, "/feeds delete 1")
    assert usage.text == "用法：/feeds、/feeds revoke 编号 或 /feeds rotate 编号"
    for odd in ("/feeds revoke 99999999999", "/feeds rotate ²", "/feeds revoke 0"):
        [refused] = await people.send(BOSS, odd)
        assert refused.text == usage.text


async def test_refusals_and_english(people: BotHarness) -> None:
    """Other agencies and others' links are refused; English for an English member."""
    [refused] = await people.send(LIAISON, "/calendar 公安部")
    assert refused.text == "您只能订阅本单位的任务。"
    [english] = await people.send(OTHER, "/calendar")
    assert (english.text or "").startswith("📅 Calendar: 工业和信息化部")
    assert "copy the webcal link" in (english.text or "")
    [none] = await people.send(LIAISON, "/feeds revoke 1")
    assert none.text == "没有编号为 1 的有效日历链接。"
    [mine] = await people.send(LIAISON, "/calendar 我的")
    assert (mine.text or "").startswith("📅 日历：我的任务")
    people.sandbox.add_user(STRANGER, "路人", language_code="zh-hans")
    [stranger] = await people.send(STRANGER, "/calendar")
    assert stranger.text == "您尚未注册。请向协调人索取邀请链接。"
