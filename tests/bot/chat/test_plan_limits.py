"""/members limit and unlimit through the bot: who may, what the reply says, what it revokes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.chat.handlers import calendar
from db.enums import FeedScope
from db.models import Plan
from tests.bot.harness import BotHarness
from tests.kit.cast import coordinator
from tests.kit.office import BILINGUAL_OFFICE, BOSS, ENGLISH_BOSS, LIAISON
from tests.kit.plan_limits import PLAN_B, add_plan_b
from tests.kit.report_cards import press_edit
from workflows.feeds.tokens import resolve

PROVINCE = 7  # the provincial office's coordinator
B_LABEL = f"{PLAN_B[1]} ({PLAN_B[0]})"


async def _office(harness: BotHarness) -> BotHarness:
    """Plans gf-2015-5 and B, the bilingual office and the provincial office's coordinator."""
    await harness.cast(*BILINGUAL_OFFICE, coordinator(PROVINCE, "省督查室"))
    await add_plan_b(harness)
    return harness


async def _opens(harness: BotHarness, token: str) -> bool:
    """Whether a calendar link still opens a feed."""
    async with harness.runtime.session() as session:
        return await resolve(session, token) is not None


async def test_a_coordinator_is_limited_and_unlimited_in_the_chat(harness: BotHarness) -> None:
    """主任 limits 省督查室 to plan B by its number: their gf-2015-5 link dies, /members says so."""
    office = await _office(harness)
    link, *_agencies = await office.send(PROVINCE, "/calendar gf-2015-5")
    assert link.text is not None
    token = link.text.split("/feeds/")[1].split(".ics")[0]
    assert await _opens(office, token)
    [told] = await office.send(BOSS, f"/members limit {PROVINCE} {PLAN_B[1]}")
    assert told.text == f"省督查室 只督办：{B_LABEL}。\n已作废的日历链接：国发〔2015〕5号。"
    assert not await _opens(office, token)
    [listing] = await office.send(BOSS, "/members")
    assert listing.text is not None
    assert f"• 省督查室 （仅 {PLAN_B[1]}）" in listing.text
    [english] = await office.send(ENGLISH_BOSS, f"/members unlimit {PROVINCE}")
    assert english.text == "省督查室 supervises every plan."
    [plans] = await office.send(PROVINCE, "/plans")
    assert plans.text is not None
    assert plans.text.startswith("计划（2）")


async def test_only_a_coordinator_of_every_plan_changes_limits(harness: BotHarness) -> None:
    """The limited coordinator may not lift their own limit; a liaison may not limit anyone."""
    office = await _office(harness)
    await office.send(BOSS, f"/members limit {PROVINCE} {PLAN_B[0]}")
    [refused] = await office.send(PROVINCE, f"/members unlimit {PROVINCE}")
    assert refused.text == "只有督办全部计划的协调人可以调整督办范围。"
    [self_limit] = await office.send(BOSS, f"/members limit {BOSS} {PLAN_B[0]}")
    assert self_limit.text == "不能调整自己的督办范围，请由其他协调人调整。"
    [liaison] = await office.send(BOSS, f"/members limit {LIAISON} {PLAN_B[0]}")
    assert liaison.text == "小李 不是协调人；联络员只能看到本单位的任务。"
    [usage] = await office.send(BOSS, "/members limit")
    assert usage.text == (
        "用法：/members limit 成员 计划… 限定协调人只督办这些计划；/members unlimit 成员 取消限定。"
    )
    [not_theirs] = await office.send(LIAISON, f"/members limit {PROVINCE} {PLAN_B[0]}")
    assert not_theirs.text == "只有协调人可以执行此操作。"


async def test_a_limited_coordinator_counts_only_their_plans_tasks(harness: BotHarness) -> None:
    """/agencies: 财政部 has seven live tasks in each plan; the limited coordinator sees seven."""
    office = await _office(harness)
    await office.send(BOSS, f"/members limit {PROVINCE} {PLAN_B[0]}")
    [everything] = await office.send(BOSS, "/agencies")
    [theirs] = await office.send(PROVINCE, "/agencies")
    assert "\n财政部 · 14 项任务\n" in (everything.text or "")
    assert "\n财政部 · 7 项任务\n" in (theirs.text or "")


async def test_calendar_agency_buttons_keep_the_plan_chosen(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under /calendar B, ▶ and an agency's button stay in plan B, limited to two plans or not."""
    monkeypatch.setattr(calendar, "AGENCIES_PER_PAGE", 9)  # the annex's agencies on pages
    office = await _office(harness)
    await office.send(BOSS, f"/members limit {PROVINCE} gf-2015-5 {PLAN_B[0]}")
    for who in (BOSS, PROVINCE):
        link, agencies = await office.send(who, f"/calendar {PLAN_B[0]}")
        assert (link.text or "").startswith(f"📅 日历：{PLAN_B[1]} 全部任务")
        forward = next(data for label, data in agencies.buttons[-1] if label == "▶")
        turned = await press_edit(office, who, agencies.message_id, forward)
        assert turned.buttons != agencies.buttons  # the next page of agencies, no error
        label, data = turned.buttons[0][0]
        [answer] = await office.press(who, agencies.message_id, data)
        assert (answer.text or "").startswith(f"📅 日历：{label}"), answer.text
        token = (answer.text or "").split("/feeds/")[1].split(".ics")[0]
        async with office.runtime.session() as session:
            feed = await resolve(session, token)
            plan_b = await session.scalar(select(Plan.id).where(Plan.code == PLAN_B[0]))
        assert feed is not None
        assert feed.scope is FeedScope.AGENCY
        # Limited, the agency's feed is of plan B alone; unlimited, of every plan.
        assert feed.plan_id == (plan_b if who == PROVINCE else None)
