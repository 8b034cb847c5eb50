"""The outbox: claiming with leases, SKIP LOCKED between senders, failures, blocked members."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import DeliveryState, MemberRole
from db.models import Agency, Delivery, Member
from workflows.outbox.failures import record_blocked, record_failure
from workflows.outbox.queue import enqueue
from workflows.outbox.sending import claim_due, record_retry

NOW = dt.datetime(2016, 3, 1, 2, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=60)

Sessions = async_sessionmaker[AsyncSession]


async def _member(
    session: AsyncSession,
    telegram_id: int,
    name: str,
    role: MemberRole,
    agency_id: int | None = None,
    **extra: object,
) -> int:
    member = Member(
        telegram_id=telegram_id,
        display_name=name,
        role=role,
        agency_id=agency_id,
        created_at=NOW,
        **extra,
    )
    session.add(member)
    await session.flush()
    return member.id


async def _agency(session: AsyncSession, name: str = "科技部") -> int:
    agency = Agency(name=name, created_at=NOW)
    session.add(agency)
    await session.flush()
    return agency.id


async def _enqueue(session_factory: Sessions, count: int, *, chat_id: int = 500) -> None:
    async with session_factory() as session:
        for n in range(count):
            await enqueue(
                session, key=f"k{n}", kind="test", chat_id=chat_id + n, payload={"n": n}, now=NOW
            )
        await session.commit()


async def _states(session_factory: Sessions) -> dict[str, DeliveryState]:
    async with session_factory() as session:
        return {d.idempotency_key: d.state for d in await session.scalars(select(Delivery))}


async def test_a_claim_leases_rows_until_the_lease_runs_out(session_factory: Sessions) -> None:
    """Claimed rows are SENDING and nobody else's; a crashed sender's rows come back later."""
    await _enqueue(session_factory, 3)
    async with session_factory() as session:
        first = await claim_due(session, now=NOW, lease=LEASE)
    assert [m.key for m in first] == ["k0", "k1", "k2"]
    assert set((await _states(session_factory)).values()) == {DeliveryState.SENDING}
    async with session_factory() as session:
        assert await claim_due(session, now=NOW + dt.timedelta(seconds=30), lease=LEASE) == []
    later = NOW + dt.timedelta(minutes=5)
    async with session_factory() as session:
        again = await claim_due(session, now=later, lease=LEASE)
    assert [m.key for m in again] == ["k0", "k1", "k2"]
    async with session_factory() as session:
        # The first claimant's lease is gone: its outcome no longer counts.
        assert not await record_retry(session, first[0], retry_at=later, error="late")
        assert await record_retry(session, again[0], retry_at=later, error="500")
    async with session_factory() as session:
        row = await session.scalar(select(Delivery).where(Delivery.idempotency_key == "k0"))
        assert row is not None
        assert (row.state, row.attempts, row.last_error) == (DeliveryState.PENDING, 1, "500")


async def test_later_rows_wait_for_their_time(session_factory: Sessions) -> None:
    """A delivery with not_before in the future is not claimed before then."""
    async with session_factory() as session:
        await enqueue(
            session,
            key="later",
            kind="test",
            chat_id=1,
            payload={},
            now=NOW,
            not_before=NOW + dt.timedelta(hours=1),
        )
        await session.commit()
    async with session_factory() as session:
        assert await claim_due(session, now=NOW, lease=LEASE) == []
    async with session_factory() as session:
        assert len(await claim_due(session, now=NOW + dt.timedelta(hours=1), lease=LEASE)) == 1


async def test_concurrent_claims_are_disjoint(
    session_factory: Sessions, test_database: object
) -> None:
    """Two senders claiming at once on PostgreSQL never get the same row (SKIP LOCKED)."""
    if getattr(test_database, "backend", "") != "postgresql":
        pytest.skip("one process per SQLite database: nothing claims concurrently")
    await _enqueue(session_factory, 60)

    async def claim() -> list[str]:
        async with session_factory() as session:
            return [m.key for m in await claim_due(session, now=NOW, lease=LEASE, limit=40)]

    first, second = await asyncio.gather(claim(), claim())
    assert not set(first) & set(second)
    assert len(first) + len(second) == 60


async def test_locked_rows_are_skipped_not_waited_for(
    session_factory: Sessions, test_database: object
) -> None:
    """While one sender holds rows locked, another claims the rest at once."""
    if getattr(test_database, "backend", "") != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's")
    await _enqueue(session_factory, 4)
    async with session_factory() as holder:
        await holder.execute(
            select(Delivery).where(Delivery.idempotency_key.in_(("k0", "k1"))).with_for_update()
        )
        async with session_factory() as session:
            claimed = await asyncio.wait_for(claim_due(session, now=NOW, lease=LEASE), 5)
        assert [m.key for m in claimed] == ["k2", "k3"]
        await holder.rollback()


async def test_a_failure_tells_each_active_coordinator_once(session_factory: Sessions) -> None:
    """Giving up alerts every active reachable coordinator; an alert that fails alerts nobody."""
    async with session_factory() as session:
        agency = await _agency(session)
        liaison = await _member(session, 10, "Li", MemberRole.LIAISON, agency)
        await _member(session, 1, "Coord", MemberRole.COORDINATOR)
        await _member(session, 2, "Gone", MemberRole.COORDINATOR, left_at=NOW)
        await _member(session, 3, "Blocked", MemberRole.COORDINATOR, reachable=False)
        await enqueue(
            session, key="n", kind="test", chat_id=10, member_id=liaison, payload={}, now=NOW
        )
        await session.commit()
    async with session_factory() as session:
        [message] = await claim_due(session, now=NOW, lease=LEASE)
    async with session_factory() as session:
        failure = await record_failure(session, message, error="500", now=NOW)
    assert len(failure.alerted) == 1
    async with session_factory() as session:
        [alert] = await claim_due(session, now=NOW, lease=LEASE)
    assert alert.kind == "delivery_failed"
    assert alert.chat_id == 1
    assert alert.payload["member"] == "Li"
    async with session_factory() as session:
        assert (await record_failure(session, alert, error="500", now=NOW)).alerted == ()
    states = await _states(session_factory)
    assert sorted(states.values()) == [DeliveryState.FAILED, DeliveryState.FAILED]


async def test_a_block_reroutes_to_the_deputy_else_the_other_liaisons(
    session_factory: Sessions,
) -> None:
    """A blocked liaison's message goes to the deputy; coordinators hear once per member."""
    async with session_factory() as session:
        agency = await _agency(session)
        blocked = await _member(session, 10, "Li", MemberRole.LIAISON, agency)
        deputy = await _member(session, 11, "Dep", MemberRole.DEPUTY, agency)
        await _member(session, 12, "Wang", MemberRole.LIAISON, agency)
        await _member(session, 1, "Coord", MemberRole.COORDINATOR)
        for n in range(2):
            await enqueue(
                session, key=f"n{n}", kind="test", chat_id=10, member_id=blocked,
                payload={"n": n}, now=NOW,
            )  # fmt: skip
        await session.commit()
    async with session_factory() as session:
        first, second = await claim_due(session, now=NOW, lease=LEASE)
    async with session_factory() as session:
        failure = await record_blocked(session, first, error="403", now=NOW)
    assert failure.rerouted_to == (deputy,)
    async with session_factory() as session:
        assert (await record_blocked(session, second, error="403", now=NOW)).rerouted_to == (
            deputy,
        )
        member = await session.get(Member, blocked)
        assert member is not None
        assert member.reachable is False
    async with session_factory() as session:
        queued = await claim_due(session, now=NOW, lease=LEASE)
    assert sorted((m.kind, m.chat_id) for m in queued) == [
        ("member_unreachable", 1),
        ("test", 11),
        ("test", 11),
    ]
    alert = next(m for m in queued if m.kind == "member_unreachable")
    assert alert.payload == {"member": "Li", "agency": "科技部", "rerouted_to": ["Dep"]}


async def test_without_a_deputy_the_other_liaisons_receive_it(session_factory: Sessions) -> None:
    """No deputy: every other reachable liaison gets it; nobody left: the alert says so."""
    async with session_factory() as session:
        agency = await _agency(session)
        blocked = await _member(session, 10, "Li", MemberRole.LIAISON, agency)
        wang = await _member(session, 12, "Wang", MemberRole.LIAISON, agency)
        await _member(session, 13, "Zhao", MemberRole.LIAISON, agency, reachable=False)
        await _member(session, 1, "Coord", MemberRole.COORDINATOR)
        await enqueue(
            session, key="n", kind="test", chat_id=10, member_id=blocked, payload={}, now=NOW
        )
        await session.commit()
    async with session_factory() as session:
        [message] = await claim_due(session, now=NOW, lease=LEASE)
    async with session_factory() as session:
        assert (await record_blocked(session, message, error="403", now=NOW)).rerouted_to == (wang,)
    async with session_factory() as session:
        rerouted = next(
            m for m in await claim_due(session, now=NOW, lease=LEASE) if m.chat_id == 12
        )
    async with session_factory() as session:
        failure = await record_blocked(session, rerouted, error="403", now=NOW)
    assert failure.rerouted_to == ()
    async with session_factory() as session:
        alerts = await session.scalars(
            select(Delivery).where(Delivery.kind == "member_unreachable").order_by(Delivery.id)
        )
        assert [a.payload["rerouted_to"] for a in alerts] == [["Wang"], []]
