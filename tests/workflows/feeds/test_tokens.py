"""Feed links: random, hashed, scoped, revocable, rotated; shown once."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import FeedScope, MemberRole
from db.models import Agency, Assignment, AuditEvent, FeedToken, Member
from tests.kit.reports import BOSS, CO, LEAD, NOW, OTHER, Sessions, setup, task_id
from workflows.errors import ForbiddenError, NotFoundError
from workflows.feeds.links import (
    calendar_choices,
    list_links,
    request_link,
    revoke_link,
    rotate_link,
)
from workflows.feeds.model import Reader
from workflows.feeds.tokens import (
    TokenState,
    create_link,
    hash_token,
    lookup,
    resolve,
    revoke_links_depending_on,
)

LATER = NOW + dt.timedelta(days=1)


async def test_a_link_is_random_hashed_and_resolves_to_its_scope(session_factory: Sessions) -> None:
    """192 random bits, only the SHA-256 stored; the token opens exactly its agency."""
    await setup(session_factory)
    async with session_factory() as session:
        issued = await request_link(
            session=session, telegram_id=LEAD, scope=FeedScope.AGENCY, now=NOW
        )
        assert issued.token is not None
        assert len(issued.token) == 32  # token_urlsafe(24): 24 random bytes
        rows = (await session.scalars(select(FeedToken))).all()
        assert [r.token_hash for r in rows] == [hash_token(issued.token)]
        assert issued.token not in rows[0].token_hash
        source = await resolve(session, issued.token)
        agency = await session.scalar(select(Agency).where(Agency.name == "科技部"))
    assert source is not None
    assert agency is not None
    assert (source.scope, source.agency_id) == (FeedScope.AGENCY, agency.id)
    assert issued.view.label == "科技部"


async def test_asking_again_does_not_pile_up_links(session_factory: Sessions) -> None:
    """A second request says a link exists; renewing revokes it and makes a new one."""
    await setup(session_factory)
    async with session_factory() as session:
        first = await request_link(
            session=session, telegram_id=LEAD, scope=FeedScope.AGENCY, now=NOW
        )
        again = await request_link(
            session=session, telegram_id=LEAD, scope=FeedScope.AGENCY, now=LATER
        )
        assert (again.existing, again.token) == (True, None)
        assert again.view.token_id == first.view.token_id
        renewed = await request_link(
            session=session, telegram_id=LEAD, scope=FeedScope.AGENCY, now=LATER, renew=True
        )
        assert first.token is not None
        assert renewed.token is not None
        assert await resolve(session, first.token) is None
        assert await resolve(session, renewed.token) is not None


async def test_revoke_and_rotate(session_factory: Sessions) -> None:
    """A revoked token resolves to nothing; a rotated one is replaced by a working new one."""
    await setup(session_factory)
    async with session_factory() as session:
        plan = await request_link(session=session, telegram_id=BOSS, scope=FeedScope.PLAN, now=NOW)
        task = await request_link(
            session=session, telegram_id=BOSS, scope=FeedScope.TASK, task_number=5, now=NOW
        )
        assert plan.token is not None
        assert task.token is not None
        language, views = await list_links(session=session, telegram_id=BOSS)
        assert language == "zh"
        assert [v.label for v in views] == ["国发〔2015〕5号", "gf-2015-5/5"]
        revoked = await revoke_link(
            session=session, telegram_id=BOSS, token_id=plan.view.token_id, now=LATER
        )
        assert revoked.scope is FeedScope.PLAN
        assert await resolve(session, plan.token) is None
        rotated = await rotate_link(
            session=session, telegram_id=BOSS, token_id=task.view.token_id, now=LATER
        )
        assert rotated.token is not None
        assert await resolve(session, task.token) is None
        new = await resolve(session, rotated.token)
        assert new is not None
        assert new.scope is FeedScope.TASK
        assert [v.token_id for v in (await list_links(session=session, telegram_id=BOSS))[1]] == [
            rotated.view.token_id
        ]
        with pytest.raises(NotFoundError):
            await revoke_link(
                session=session, telegram_id=BOSS, token_id=plan.view.token_id, now=LATER
            )


async def test_liaisons_see_only_their_own(session_factory: Sessions) -> None:
    """A liaison cannot subscribe to another agency or the plan, nor touch others' links."""
    await setup(session_factory)
    async with session_factory() as session:
        with pytest.raises(ForbiddenError):
            await request_link(
                session=session, telegram_id=LEAD, scope=FeedScope.AGENCY, agency="公安部", now=NOW
            )
        with pytest.raises(ForbiddenError):
            await request_link(session=session, telegram_id=LEAD, scope=FeedScope.PLAN, now=NOW)
        with pytest.raises(ForbiddenError):
            await request_link(
                session=session, telegram_id=LEAD, scope=FeedScope.TASK, task_number=10, now=NOW
            )
        mine = await request_link(session=session, telegram_id=CO, scope=FeedScope.MEMBER, now=NOW)
        assert (await list_links(session=session, telegram_id=LEAD))[1] == []
        with pytest.raises(NotFoundError):
            await revoke_link(
                session=session, telegram_id=LEAD, token_id=mine.view.token_id, now=NOW
            )
        coordinator = await calendar_choices(session=session, telegram_id=BOSS)
        liaison = await calendar_choices(session=session, telegram_id=LEAD)
    assert coordinator.is_coordinator
    assert len(coordinator.agencies) > 15
    assert "科技部" in dict(coordinator.agencies).values()
    assert (liaison.is_coordinator, liaison.agencies) == (False, ())


async def test_command_line_links(session_factory: Sessions) -> None:
    """annexbot feed-link's workflow: the plan's or an agency's link, no member needed."""
    await setup(session_factory)
    async with session_factory() as session:
        token, view = await create_link(
            session=session, scope=FeedScope.AGENCY, agency="工信部", now=NOW
        )
        source = await resolve(session, token)
        assert source is not None
        assert source.scope is FeedScope.AGENCY
        assert view.label == "工业和信息化部"
        with pytest.raises(NotFoundError):
            await create_link(session=session, scope=FeedScope.PLAN, plan_code="nope", now=NOW)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(guess=st.text(max_size=60))
async def test_anything_else_resolves_to_nothing(session_factory: Sessions, guess: str) -> None:
    """Random strings (right length or not) open no feed, and never raise."""
    async with session_factory() as session:
        assert await resolve(session, guess) is None


async def _member(session: AsyncSession, telegram_id: int) -> Member:
    """A member by Telegram id."""
    member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
    assert member is not None
    return member


async def test_a_link_dies_with_its_holder_s_right_to_it(session_factory: Sessions) -> None:
    """Leaving, moving agency or losing the task stops a link; the revocation sweep agrees."""
    await setup(session_factory)
    async with session_factory() as session:
        agency = await request_link(
            session=session, telegram_id=LEAD, scope=FeedScope.AGENCY, now=NOW
        )
        task = await request_link(
            session=session, telegram_id=CO, scope=FeedScope.TASK, task_number=3, now=NOW
        )
        mine = await request_link(session=session, telegram_id=CO, scope=FeedScope.MEMBER, now=NOW)
        plan = await request_link(session=session, telegram_id=BOSS, scope=FeedScope.PLAN, now=NOW)
        tokens = [link.token for link in (agency, task, mine, plan)]
        assert all(t is not None for t in tokens)
        for token in tokens:
            assert (await lookup(session, str(token))).state is TokenState.LIVE

        # 发展改革委 is taken off task 3: CO's task link dies, their own-tasks link lives.
        co = await _member(session, CO)
        assert co.agency_id is not None
        three = await task_id(session, 3)
        await session.execute(
            delete(Assignment).where(
                Assignment.task_id == three, Assignment.agency_id == co.agency_id
            )
        )
        assert (await lookup(session, str(task.token))).state is TokenState.DEAD
        assert await resolve(session, str(mine.token)) is not None
        revoked = await revoke_links_depending_on(
            session, agency_id=co.agency_id, task_id=three, now=LATER
        )
        assert [v.token_id for v in revoked] == [task.view.token_id]

        # LEAD leaves: their agency link dies; the coordinator's plan link lives.
        (await _member(session, LEAD)).left_at = LATER
        assert await resolve(session, str(agency.token)) is None
        assert await resolve(session, str(plan.token)) is not None
        lead_id = (await _member(session, LEAD)).id
        revoked = await revoke_links_depending_on(session, member_id=lead_id, now=LATER)
        assert [v.token_id for v in revoked] == [agency.view.token_id]
        assert await revoke_links_depending_on(session, member_id=lead_id, now=LATER) == []

        # The coordinator becomes a liaison: a plan link is no longer theirs to hold.
        boss = await _member(session, BOSS)
        boss.role, boss.agency_id = MemberRole.LIAISON, co.agency_id
        assert await resolve(session, str(plan.token)) is None
        await session.commit()
    async with session_factory() as session:
        dead = await session.scalars(select(FeedToken).where(FeedToken.revoked_at.is_not(None)))
        assert {row.id for row in dead} == {agency.view.token_id, task.view.token_id}
        audited = await session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity == "feed_token")
        )
        assert list(audited).count("feed.revoke_orphan") == 2


async def test_who_a_link_is_read_for(session_factory: Sessions) -> None:
    """Plan and coordinators' links read every report; agencies' and liaisons' their agency's."""
    await setup(session_factory)
    async with session_factory() as session:
        plan = await request_link(session=session, telegram_id=BOSS, scope=FeedScope.PLAN, now=NOW)
        boss_agency = await request_link(
            session=session, telegram_id=BOSS, scope=FeedScope.AGENCY, agency="公安部", now=NOW
        )
        co_task = await request_link(
            session=session, telegram_id=CO, scope=FeedScope.TASK, task_number=3, now=NOW
        )
        boss_task = await request_link(
            session=session, telegram_id=BOSS, scope=FeedScope.TASK, task_number=3, now=NOW
        )
        co = await _member(session, CO)
        police = await _member(session, OTHER)
        readers = [
            (await lookup(session, str(link.token))).source
            for link in (plan, boss_agency, co_task, boss_task)
        ]
    assert [s.reader if s else None for s in readers] == [
        Reader(coordinator=True),
        Reader(agency_id=police.agency_id),
        Reader(agency_id=co.agency_id),
        Reader(coordinator=True),
    ]
