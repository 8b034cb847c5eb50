"""Access that ends: /members remove, /leave, /unassign and /invites, through the bot and feeds."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
from sqlalchemy import select

from bot.web.app import build_web_app, module_routes
from db.enums import DeliveryState
from db.models import AuditEvent, Delivery
from tests.bot.harness import BotHarness
from tests.kit.cast import coordinator, liaison
from workflows.outbox.queue import enqueue

BOSS, DEPUTY_BOSS, LI, WANG, DIRECTOR, STRANGER = 5001, 5002, 5003, 5004, 5005, 5009
LINK = re.compile(r"https://annexbot\.example\.org/feeds/([A-Za-z0-9_-]{32})\.ics")
CODE = re.compile(r"start=([A-Za-z0-9_-]+)")
NOT_REGISTERED = "您尚未注册。请向协调人索取邀请链接。"


@pytest.fixture
async def office(harness: BotHarness) -> BotHarness:
    """The annex, three coordinators (one reads English), a liaison of 科技部 and one of 工信部."""
    await harness.cast(
        coordinator(BOSS, "主任"),
        coordinator(DEPUTY_BOSS, "副主任"),
        coordinator(DIRECTOR, "Director", language="en"),
        liaison(LI, "科技部", "小李"),
        liaison(WANG, "工信部", "小王"),
    )
    return harness


def _found(pattern: re.Pattern[str], text: str | None) -> str:
    """The first group of a pattern in a message."""
    found = pattern.search(text or "")
    assert found is not None, text
    return found.group(1)


async def _link(harness: BotHarness, user_id: int, command: str = "/calendar") -> str:
    """A fresh feed link's token, asked for in the chat."""
    return _found(LINK, (await harness.send(user_id, command))[-1].text)


async def _status(harness: BotHarness, token: str) -> int:
    """The HTTP status of a feed from the running bot's web app."""
    app = build_web_app(harness.runtime, routes=module_routes(harness.runtime))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://annexbot.example.org") as c:
        return (await c.get(f"/feeds/{token}.ics")).status_code


async def _actions(harness: BotHarness) -> list[str]:
    """The audited actions so far, oldest first."""
    async with harness.runtime.session() as session:
        return list(await session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


async def _hold_a_message_for(harness: BotHarness, user_id: int) -> None:
    """A message to a member waiting in the outbox for tomorrow (as one in quiet hours does)."""
    member = await harness.member(user_id)
    assert member is not None
    async with harness.runtime.session() as session:
        await enqueue(
            session,
            key="held-for-tomorrow",
            kind="nudge",
            chat_id=user_id,
            member_id=member.id,
            payload={},
            now=harness.clock(),
            not_before=harness.clock() + dt.timedelta(days=1),
        )
        await session.commit()


async def _held(harness: BotHarness) -> list[tuple[DeliveryState, str | None]]:
    """The state of the held message, and why."""
    async with harness.runtime.session() as session:
        rows = await session.execute(
            select(Delivery.state, Delivery.last_error).where(
                Delivery.idempotency_key == "held-for-tomorrow"
            )
        )
        return [(state, error) for state, error in rows]


def _alert(harness: BotHarness) -> str:
    """The text of the bot's last answer to a button."""
    return str(harness.sandbox.calls("answerCallbackQuery")[-1].params.get("text"))


async def test_a_removed_member_is_a_stranger_and_their_links_die(office: BotHarness) -> None:
    """Confirm, then: told which links died, the other coordinator told, buttons refused."""
    token = await _link(office, LI)
    await _hold_a_message_for(office, LI)
    [tasks] = await office.send(LI, "/mytasks")
    assert tasks.callback_data
    [ask] = await office.send(BOSS, "/members remove 小李")
    assert ask.text == (
        "确认移除 小李（科技部）？移除后其不再收到消息，其按钮和命令将被拒绝，"
        "依赖于其的日历链接也将失效。"
    )
    assert [label for row in ask.buttons for label, _ in row] == ["确认移除", "取消"]
    await office.press(BOSS, ask.message_id, ask.callback_data[0])
    assert office.last(BOSS).text == "已移除 小李（科技部）。\n已作废的日历链接：科技部。"
    assert office.last(DEPUTY_BOSS).text == (
        "👋 小李（科技部） 已被 主任 移除。\n已作废的日历链接：科技部。"
    )
    assert office.last(LI).text == (
        "主任 已将您移出任务督办。\n"
        "您将不再收到提醒，按钮和命令也不再可用。如有误，请向督办协调人索取新的邀请。"
    )
    assert await _status(office, token) == 404
    assert await _held(office) == [(DeliveryState.CANCELLED, "member removed")]
    assert "member.removed" in await _actions(office)
    assert "feed.revoke_orphan" in await _actions(office)
    [refused] = await office.send(LI, "/mytasks")
    assert refused.text == NOT_REGISTERED
    await office.press(LI, tasks.message_id, tasks.callback_data[0])
    assert _alert(office) == NOT_REGISTERED
    reset = office.sandbox.calls("deleteMyCommands")[-1]
    assert reset.params["scope"] == {"type": "chat", "chat_id": LI}
    [again] = await office.send(BOSS, "/members remove 小李")
    assert again.text == "没有名为“小李”的在册成员；/members 可查看全部成员。"


async def test_removal_can_be_cancelled_and_is_a_coordinators_alone(office: BotHarness) -> None:
    """Cancel keeps the member; no self-removal; liaisons may not remove anyone."""
    [ask] = await office.send(BOSS, "/members remove @nobody")
    assert ask.text == "没有名为“@nobody”的在册成员；/members 可查看全部成员。"
    [ask] = await office.send(BOSS, f"/members remove {WANG}")
    await office.press(BOSS, ask.message_id, ask.callback_data[1])
    assert office.last(BOSS).text == "未移除任何人。"
    wang = await office.member(WANG)
    assert wang is not None
    assert wang.left_at is None
    [own] = await office.send(BOSS, "/members remove 主任")
    assert own.text == "不能移除自己；如要退出，请发送 /leave。"
    [refused] = await office.send(LI, "/members remove 小王")
    assert refused.text == "只有协调人可以执行此操作。"
    [usage] = await office.send(BOSS, "/members remove")
    assert usage.text == "用法：/members remove 成员（姓名、@用户名或 Telegram 数字 ID）。"
    [stale] = await office.send(BOSS, "/members remove 小王")
    await office.send(DEPUTY_BOSS, "/members remove 小王")
    await office.press(DEPUTY_BOSS, office.last(DEPUTY_BOSS).message_id, stale.callback_data[0])
    await office.press(BOSS, stale.message_id, stale.callback_data[0])
    assert _alert(office) == "该成员已不在册。"


async def test_leaving_revokes_links_and_tells_the_coordinators(office: BotHarness) -> None:
    """/leave: the member's links answer 404; every coordinator hears who left and which died."""
    token = await _link(office, LI)
    [ask] = await office.send(LI, "/leave")
    await office.press(LI, ask.message_id, ask.callback_data[0])
    assert await _status(office, token) == 404
    for boss in (BOSS, DEPUTY_BOSS):
        assert office.last(boss).text == (
            "👋 小李（科技部） 已通过 /leave 退出。\n已作废的日历链接：科技部。"
        )
    assert office.last(DIRECTOR).text == (
        "👋 小李 (科技部) has left with /leave.\nCalendar links revoked: 科技部."
    )
    assert "member.left" in await _actions(office)


async def test_unassigning_an_agency_revokes_its_task_links(office: BotHarness) -> None:
    """The agency's task link dies with the assignment; its agency link lives on."""
    await office.send(BOSS, "/assign 12 科技部 co")
    task_token = await _link(office, LI, "/calendar 12")
    agency_token = await _link(office, LI)
    [done] = await office.send(BOSS, "/unassign 12 科技部")
    assert done.text == (
        "科技部 已不再是第 12 项任务的责任单位。\n已作废的日历链接：gf-2015-5/12。"
    )
    assert await _status(office, task_token) == 404
    assert await _status(office, agency_token) == 200


async def test_invites_list_and_any_coordinator_revokes(office: BotHarness) -> None:
    """/invites lists open invites; a coordinator revokes another's; the code is refused."""
    [empty] = await office.send(BOSS, "/invites")
    assert empty.text == "目前没有未使用的邀请。/invite 可创建邀请。"
    agency_code = _found(CODE, (await office.send(BOSS, "/invite 公安部"))[0].text)
    coordinator_code = _found(CODE, (await office.send(DEPUTY_BOSS, "/invite coordinator"))[0].text)
    [listing] = await office.send(BOSS, "/invites")
    assert listing.text == (
        "未使用的邀请（2）\n"
        "1 · 公安部联络员 · 主任 · 有效期至 2016年3月8日 10:00\n"
        "2 · 协调人 · 副主任 · 有效期至 2016年3月8日 10:00"
    )
    assert [label for row in listing.buttons for label, _ in row] == ["🗑 作废 1", "🗑 作废 2"]
    [stale] = await office.send(DEPUTY_BOSS, "/invites")
    await office.press(BOSS, listing.message_id, listing.callback_data[1])
    assert office.last(BOSS).text == (
        "第 2 号邀请已作废，其链接不再有效。\n\n"
        "未使用的邀请（1）\n1 · 公安部联络员 · 主任 · 有效期至 2016年3月8日 10:00"
    )
    office.sandbox.add_user(STRANGER, "路人")
    [refused] = await office.send(STRANGER, f"/start {coordinator_code}")
    assert refused.text == "此邀请链接已作废，无法使用。请向协调人索取新的邀请链接。"
    await office.press(DEPUTY_BOSS, stale.message_id, stale.callback_data[1])
    assert _alert(office) == "无法作废第 2 号邀请：它已被使用、已作废、已过期，或并不存在。"
    [welcome, *_] = await office.send(STRANGER, f"/start {agency_code}")
    assert (welcome.text or "").startswith("欢迎")
    [gone] = await office.send(BOSS, "/invites")
    assert gone.text == "目前没有未使用的邀请。/invite 可创建邀请。"
    [forbidden] = await office.send(LI, "/invites")
    assert forbidden.text == "只有协调人可以执行此操作。"
    assert (await _actions(office)).count("invite.revoked") == 1


async def test_a_removed_coordinators_open_invites_die_with_them(office: BotHarness) -> None:
    """A coordinator invite made before removal cannot bring its maker back."""
    code = _found(CODE, (await office.send(DEPUTY_BOSS, "/invite coordinator"))[0].text)
    [ask] = await office.send(BOSS, "/members remove 副主任")
    await office.press(BOSS, ask.message_id, ask.callback_data[0])
    assert office.last(BOSS).text == (
        "已移除 副主任。\n没有依赖于此的日历链接。\n其创建但尚未使用的邀请已作废：1。"
    )
    [refused] = await office.send(DEPUTY_BOSS, f"/start {code}")
    assert refused.text == "此邀请链接已作废，无法使用。请向协调人索取新的邀请链接。"
