"""Members: coordinator bootstrap, invites, registration, leaving, languages and overviews."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import MemberRole
from db.models import AuditEvent, Delivery, Invite, Member
from tests.kit.cast import cast
from workflows.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from workflows.invites import Registration, create_invite, hash_code, redeem_invite
from workflows.members import add_coordinator, agencies_overview, list_members, set_language
from workflows.offboarding import leave

NOW = dt.datetime(2016, 3, 1, 2, 0, tzinfo=dt.UTC)
BOSS = 100
REFUSED = "This invite link cannot be used"

Sessions = async_sessionmaker[AsyncSession]


async def _plan(sessions: Sessions) -> None:
    await cast(sessions, now=NOW)


async def _boss(sessions: Sessions) -> None:
    async with sessions() as session:
        await add_coordinator(session=session, telegram_id=BOSS, name="督查室", now=NOW)


async def _invite(sessions: Sessions, agency: str | None = "科技部", **kw: object) -> str:
    async with sessions() as session:
        made = await create_invite(
            session=session,
            by_telegram_id=BOSS,
            now=NOW,
            agency=agency,
            **kw,  # type: ignore[arg-type]
        )
        return made.code


async def _redeem(
    sessions: Sessions, code: str, user: int, *, now: dt.datetime = NOW, language: str = "zh"
) -> Registration:
    async with sessions() as session:
        return await redeem_invite(
            session=session,
            code=code,
            telegram_id=user,
            name=f"user{user}",
            username=None,
            language=language,
            now=now,
        )


async def test_invite_code_is_random_and_only_its_hash_is_stored(session_factory: Sessions) -> None:
    """The code is long and unguessable; the database keeps its sha256 only."""
    await _plan(session_factory)
    await _boss(session_factory)
    codes = {await _invite(session_factory) for _ in range(3)}
    assert len(codes) == 3
    assert all(len(c) >= 22 for c in codes)
    async with session_factory() as session:
        stored = set(await session.scalars(select(Invite.code_hash)))
        invite = await session.scalar(select(Invite))
    assert stored == {hash_code(c) for c in codes}
    assert not stored & codes
    assert invite is not None
    assert invite.expires_at == NOW + dt.timedelta(days=7)


async def test_registration_links_the_member_and_queues_the_agency_notices(
    session_factory: Sessions,
) -> None:
    """The first liaison of 科技部 registers and gets its pending tasks queued, once."""
    await _plan(session_factory)
    await _boss(session_factory)
    result = await _redeem(session_factory, await _invite(session_factory), 200)
    assert result.member.agency_name == "科技部"
    assert result.member.role == "liaison"
    assert result.first_liaison is True
    assert result.notices >= 1
    second = await _redeem(session_factory, await _invite(session_factory, deputy=True), 201)
    assert second.first_liaison is False
    assert second.member.role == "deputy"
    async with session_factory() as session:
        deliveries = list(await session.scalars(select(Delivery)))
        actions = set(await session.scalars(select(AuditEvent.action)))
    assert {d.chat_id for d in deliveries} == {200, 201}
    assert {"member.registered", "invite.created", "member.coordinator_added"} <= actions


async def test_used_expired_and_unknown_codes_get_the_same_refusal(
    session_factory: Sessions,
) -> None:
    """No refusal tells which it was; a used code stays used."""
    await _plan(session_factory)
    await _boss(session_factory)
    code = await _invite(session_factory)
    await _redeem(session_factory, code, 200)
    expired = await _invite(session_factory)
    messages = []
    for attempt, user, now in [
        (code, 201, NOW),
        (expired, 202, NOW + dt.timedelta(days=7, seconds=1)),
        ("not-a-code", 203, NOW),
    ]:
        with pytest.raises(ConflictError) as refused:
            await _redeem(session_factory, attempt, user, now=now)
        messages.append(str(refused.value))
    assert len(set(messages)) == 1
    assert messages[0].startswith(REFUSED)


async def test_registered_users_are_told_so_and_leavers_may_come_back(
    session_factory: Sessions,
) -> None:
    """A member cannot redeem a second invite; after /leave a new invite works."""
    await _plan(session_factory)
    await _boss(session_factory)
    await _redeem(session_factory, await _invite(session_factory), 200)
    spare = await _invite(session_factory, agency="公安部")
    with pytest.raises(ConflictError, match="already registered for 科技部"):
        await _redeem(session_factory, spare, 200)
    async with session_factory() as session:
        gone = await leave(session=session, telegram_id=200, now=NOW)
    assert gone.member.agency_name == "科技部"
    again = await _redeem(session_factory, spare, 200)
    assert again.member.agency_name == "公安部"
    async with session_factory() as session:
        rows = list(await session.scalars(select(Member).where(Member.telegram_id == 200)))
    assert len(rows) == 1
    assert rows[0].left_at is None


async def test_a_new_deputy_replaces_the_old_one(session_factory: Sessions) -> None:
    """One deputy per agency: the earlier one becomes a liaison."""
    await _plan(session_factory)
    await _boss(session_factory)
    await _redeem(session_factory, await _invite(session_factory, deputy=True), 200)
    await _redeem(session_factory, await _invite(session_factory, deputy=True), 201)
    async with session_factory() as session:
        rows = await session.execute(select(Member.telegram_id, Member.role))
        roles = {telegram_id: role for telegram_id, role in rows}
    assert roles[200] is MemberRole.LIAISON
    assert roles[201] is MemberRole.DEPUTY


async def test_coordinator_commands_are_refused_to_liaisons(session_factory: Sessions) -> None:
    """Invites, member lists and the agency overview are for coordinators only."""
    await _plan(session_factory)
    await _boss(session_factory)
    await _redeem(session_factory, await _invite(session_factory), 200)
    async with session_factory() as session:
        with pytest.raises(ForbiddenError):
            await create_invite(session=session, by_telegram_id=200, now=NOW, agency="科技部")
        with pytest.raises(ForbiddenError):
            await list_members(session=session, telegram_id=200)
        with pytest.raises(ForbiddenError):
            await agencies_overview(session=session, telegram_id=200)


async def test_invite_arguments(session_factory: Sessions) -> None:
    """An unknown agency, or neither/both of agency and coordinator, are refused clearly."""
    await _plan(session_factory)
    await _boss(session_factory)
    async with session_factory() as session:
        with pytest.raises(NotFoundError, match="No agency is called “外交部”"):
            await create_invite(session=session, by_telegram_id=BOSS, now=NOW, agency="外交部")
        with pytest.raises(InvalidInputError):
            await create_invite(session=session, by_telegram_id=BOSS, now=NOW, agency=" ")
        with pytest.raises(InvalidInputError):
            await create_invite(
                session=session, by_telegram_id=BOSS, now=NOW, agency="科技部", coordinator=True
            )
    made = await _invite(session_factory, agency=None, coordinator=True)
    result = await _redeem(session_factory, made, 300)
    assert result.member.role == "coordinator"
    assert result.notices == 0


async def test_coordinator_bootstrap_twice_is_refused(session_factory: Sessions) -> None:
    """Adding the same coordinator again says they are registered already."""
    await _boss(session_factory)
    async with session_factory() as session:
        with pytest.raises(ConflictError, match="already registered as a coordinator"):
            await add_coordinator(session=session, telegram_id=BOSS, name="x", now=NOW)


async def test_members_overview_and_language(session_factory: Sessions) -> None:
    """/members lists everyone; /agencies shows liaisons per agency and who has none."""
    await _plan(session_factory)
    await _boss(session_factory)
    await _redeem(session_factory, await _invite(session_factory), 200)
    async with session_factory() as session:
        me = await set_language(session=session, telegram_id=200, language="en", now=NOW)
        with pytest.raises(InvalidInputError):
            await set_language(session=session, telegram_id=200, language="fr", now=NOW)
        people = await list_members(session=session, telegram_id=BOSS)
        overview = await agencies_overview(session=session, telegram_id=BOSS)
    assert me.language == "en"
    assert [(p.telegram_id, p.role) for p in people] == [(BOSS, "coordinator"), (200, "liaison")]
    by_name = {a.name: a for a in overview}
    assert [m.telegram_id for m in by_name["科技部"].liaisons] == [200]
    assert by_name["科技部"].tasks >= 2
    assert by_name["公安部"].liaisons == ()


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.text(min_size=0, max_size=80))
async def test_any_guessed_code_is_refused(session_factory: Sessions, code: str) -> None:
    """Whatever someone types after /start, only a real invite registers them."""
    with pytest.raises(ConflictError):
        await _redeem(session_factory, code, 999)
