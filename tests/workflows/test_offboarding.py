"""Ending access: finding whom to remove, removing, leaving, and open invites revoked."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import FeedScope
from db.models import AuditEvent, Delivery, FeedToken, Member, WebSession
from tests.kit.cast import cast, coordinator, liaison
from workflows.errors import ConflictError, ForbiddenError, NotFoundError
from workflows.feeds.links import request_link
from workflows.invites import create_invite, redeem_invite
from workflows.offboarding import MEMBER_DEPARTED, find_member, leave, remove_member
from workflows.open_invites import list_open_invites, revoke_invite
from workflows.web_access import open_miniapp_session

NOW = dt.datetime(2016, 3, 1, 2, 0, tzinfo=dt.UTC)
BOSS, OTHER_BOSS, LI, NAMESAKE, WANG = 100, 101, 200, 201, 202

Sessions = async_sessionmaker[AsyncSession]


async def _office(sessions: Sessions) -> dict[int, int]:
    """A plan, two coordinators, two liaisons called 李明 (科技部, 公安部) and 小王 of 工信部."""
    return await cast(
        sessions,
        coordinator(BOSS, "主任"),
        coordinator(OTHER_BOSS, "副主任"),
        liaison(LI, "科技部", "李明"),
        liaison(NAMESAKE, "公安部", "李明"),
        liaison(WANG, "工信部", "小王"),
        now=NOW,
    )


async def test_find_member_by_name_username_or_id(session_factory: Sessions) -> None:
    """One name, one member; two of a name are listed for the coordinator to pick one."""
    await _office(session_factory)
    async with session_factory() as session:
        await session.execute(
            update(Member).where(Member.telegram_id == WANG).values(username="XiaoWang")
        )
        await session.commit()
        assert (await find_member(session, "小王")).telegram_id == WANG
        assert (await find_member(session, "@xiaowang")).telegram_id == WANG
        assert (await find_member(session, str(LI))).agency_name == "科技部"
        with pytest.raises(ConflictError) as several:
            await find_member(session, "李明")
        assert str(several.value) == (
            "Several members are called “李明”: 李明 (科技部, 200); 李明 (公安部, 201). "
            "Name one by @username or Telegram id."
        )
        with pytest.raises(NotFoundError):
            await find_member(session, "@nobody")


async def test_remove_revokes_links_calls_off_messages_and_tells_the_others(
    session_factory: Sessions,
) -> None:
    """Removal: audited, their links revoked and named, the other coordinator told."""
    ids = await _office(session_factory)
    async with session_factory() as session:
        await request_link(
            session=session, telegram_id=LI, scope=FeedScope.AGENCY, agency=None, now=NOW
        )
    async with session_factory() as session:
        gone = await remove_member(session=session, by_telegram_id=BOSS, member_id=ids[LI], now=NOW)
    assert gone.member.display_name == "李明"
    assert gone.revoked_links == ("科技部",)
    async with session_factory() as session:
        token = await session.scalar(select(FeedToken))
        told = list(await session.scalars(select(Delivery).where(Delivery.kind == MEMBER_DEPARTED)))
        events = list(await session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert token is not None
    assert token.revoked_at == NOW
    assert [(d.chat_id, d.payload["how"], d.payload["by"]) for d in told] == [
        (OTHER_BOSS, "removed", "主任")
    ]
    removal = next(e for e in events if e.action == "member.removed")
    assert (removal.actor, removal.entity_id) == (f"member:{ids[BOSS]}", ids[LI])
    async with session_factory() as session:
        with pytest.raises(ConflictError, match="no longer registered"):
            await remove_member(session=session, by_telegram_id=BOSS, member_id=ids[LI], now=NOW)


async def test_who_may_remove_whom(session_factory: Sessions) -> None:
    """Not a liaison, not oneself; the shell may, as the system; the removed one's invites die."""
    ids = await _office(session_factory)
    async with session_factory() as session:
        with pytest.raises(ForbiddenError):
            await remove_member(session=session, by_telegram_id=WANG, member_id=ids[LI], now=NOW)
        with pytest.raises(ConflictError, match="cannot remove yourself"):
            await remove_member(session=session, by_telegram_id=BOSS, member_id=ids[BOSS], now=NOW)
    async with session_factory() as session:
        await create_invite(session=session, by_telegram_id=BOSS, now=NOW, coordinator=True)
        gone = await remove_member(
            session=session, by_telegram_id=None, member_id=ids[BOSS], now=NOW
        )
        assert gone.revoked_invites == (1,)
        assert await list_open_invites(session=session, by_telegram_id=None, now=NOW) == []
    async with session_factory() as session:
        told = list(await session.execute(select(Delivery.chat_id, Delivery.kind)))
        actor = await session.scalar(
            select(AuditEvent.actor).where(AuditEvent.action == "member.removed")
        )
    assert sorted(told) == [(BOSS, "member_removed"), (OTHER_BOSS, "member_departed")]
    assert actor == "system"


async def test_leaving_tells_every_coordinator(session_factory: Sessions) -> None:
    """/leave: both coordinators hear of it; no links, none named."""
    await _office(session_factory)
    async with session_factory() as session:
        gone = await leave(session=session, telegram_id=WANG, now=NOW)
    assert gone.revoked_links == ()
    async with session_factory() as session:
        told = list(await session.scalars(select(Delivery).order_by(Delivery.chat_id)))
    assert [(d.chat_id, d.payload["how"], d.payload["links"]) for d in told] == [
        (BOSS, "left", []),
        (OTHER_BOSS, "left", []),
    ]


async def test_open_invites_and_revocation(session_factory: Sessions) -> None:
    """Open invites only (not used, revoked or expired); a revoked code cannot be redeemed."""
    await _office(session_factory)
    codes = []
    async with session_factory() as session:
        for by, agency, coordinator_invite in ((BOSS, "科技部", False), (OTHER_BOSS, None, True)):
            made = await create_invite(
                session=session,
                by_telegram_id=by,
                now=NOW,
                agency=agency,
                coordinator=coordinator_invite,
            )
            codes.append(made.code)
        shown = await list_open_invites(session=session, by_telegram_id=BOSS, now=NOW)
        assert [(i.role, i.agency_name, i.created_by) for i in shown] == [
            ("liaison", "科技部", "主任"),
            ("coordinator", None, "副主任"),
        ]
        later = NOW + dt.timedelta(days=8)
        assert await list_open_invites(session=session, by_telegram_id=None, now=later) == []
        with pytest.raises(ForbiddenError):
            await list_open_invites(session=session, by_telegram_id=WANG, now=NOW)
        revoked = await revoke_invite(
            session=session, by_telegram_id=BOSS, invite_id=shown[1].invite_id, now=NOW
        )
    assert revoked.role == "coordinator"
    async with session_factory() as session:
        with pytest.raises(ConflictError, match="was revoked"):
            await redeem_invite(
                session=session,
                code=codes[1],
                telegram_id=999,
                name="x",
                username=None,
                language="zh",
                now=NOW,
            )
    async with session_factory() as session:
        with pytest.raises(ConflictError, match="cannot be revoked"):
            await revoke_invite(
                session=session, by_telegram_id=BOSS, invite_id=shown[1].invite_id, now=NOW
            )
        await redeem_invite(
            session=session,
            code=codes[0],
            telegram_id=999,
            name="x",
            username=None,
            language="zh",
            now=NOW,
        )
    async with session_factory() as session:
        with pytest.raises(ConflictError, match="cannot be revoked"):
            await revoke_invite(
                session=session, by_telegram_id=None, invite_id=shown[0].invite_id, now=NOW
            )
        assert await list_open_invites(session=session, by_telegram_id=None, now=NOW) == []


async def test_removal_ends_their_board_sessions(session_factory: Sessions) -> None:
    """A web session opened before the removal is revoked with it."""
    ids = await _office(session_factory)
    async with session_factory() as session:
        await open_miniapp_session(session=session, telegram_id=LI, now=NOW)
    async with session_factory() as session:
        await remove_member(session=session, by_telegram_id=BOSS, member_id=ids[LI], now=NOW)
    async with session_factory() as session:
        ended = list(await session.scalars(select(WebSession.revoked_at)))
    assert ended == [NOW]
