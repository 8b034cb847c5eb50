"""Coordinators' member commands through the bot: /invite, /members, /agencies."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from bot.sandbox import SandboxError
from db.enums import MemberRole
from db.models import Member
from tests.bot.harness import BotHarness

BOSS, LI, ZHAO = 100, 200, 201


async def _people(harness: BotHarness) -> None:
    await harness.import_bundled()
    await harness.add_member(BOSS, "督查室", role=MemberRole.COORDINATOR)
    await harness.add_member(LI, "李联络", agency="科技部")
    await harness.add_member(ZHAO, "赵副", agency="科技部", role=MemberRole.DEPUTY)


async def test_invite_variants(harness: BotHarness) -> None:
    """Deputy and coordinator invites, unknown agencies and a bare /invite."""
    await _people(harness)
    [deputy] = await harness.send(BOSS, "/invite 工信部 deputy")
    assert deputy.text is not None
    assert deputy.text.startswith("工业和信息化部副联络员邀请链接，有效期至 2016年3月8日 10:00：")
    assert "链接只能使用一次" in deputy.text
    [coordinator] = await harness.send(BOSS, "/invite coordinator")
    assert (coordinator.text or "").startswith("协调人邀请链接")
    [unknown] = await harness.send(BOSS, "/invite 外交部")
    assert unknown.text == "没有名为“外交部”的单位。"
    [usage] = await harness.send(BOSS, "/invite")
    assert usage.text == "用法：/invite 单位名称 [deputy]，或 /invite coordinator。"


async def test_members_and_agencies(harness: BotHarness) -> None:
    """/members groups people by agency; /agencies shows liaisons and agencies with none."""
    await _people(harness)
    [listing] = await harness.send(BOSS, "/members")
    assert listing.text == "成员（3）\n\n协调人\n• 督查室\n\n科技部\n• 赵副 （副联络员）\n• 李联络"
    await harness.add_member(300, "孙联络", agency="公安部")
    async with harness.runtime.session() as session:
        await session.execute(
            update(Member).where(Member.telegram_id == 300).values(reachable=False)
        )
        await session.commit()
    [overview] = await harness.send(BOSS, "/agencies")
    text = overview.text or ""
    assert text.startswith("有任务的单位：")
    assert "公安部 · 6 项任务\n• 孙联络 ⚠️ 无法联系" in text
    assert "商务部 · 1 项任务\n• ❗ 尚无联络员" in text
    assert "科技部 ·" in text
    assert "• 赵副 （副联络员）\n• 李联络" in text


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(words=st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=40))
async def test_invite_arguments_never_crash(harness: BotHarness, words: str) -> None:
    """Whatever follows /invite, the coordinator gets a link or one polite line."""
    if not harness.sandbox.state.users.get(BOSS):
        await harness.add_member(BOSS, "督查室", role=MemberRole.COORDINATOR)
    try:
        replies = await harness.send(BOSS, f"/invite {words}")
    except SandboxError:
        return  # text Telegram itself would not send
    assert len(replies) == 1
    text = replies[0].text or ""
    assert "start=" in text or "单位" in text or "用法" in text, text
