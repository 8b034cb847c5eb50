"""The outbox's side of grouped messages: claiming a chat's group together, recording it as one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import DeliveryState, MemberRole
from db.models import Delivery, Member
from workflows.outbox.cap import capped_until
from workflows.outbox.queue import enqueue
from workflows.outbox.sending import claim_due, record_sent_together

NOW = dt.datetime(2016, 3, 1, 2, 0, tzinfo=dt.UTC)  # Tuesday 10:00 in Beijing
LEASE = dt.timedelta(seconds=60)
TZ = "Asia/Shanghai"

Sessions = async_sessionmaker[AsyncSession]


async def _queue(session_factory: Sessions, rows: list[tuple[str, str, int]]) -> None:
    """Queue (key, kind, chat) deliveries, due now, in order."""
    async with session_factory() as session:
        for key, kind, chat_id in rows:
            await enqueue(session, key=key, kind=kind, chat_id=chat_id, payload={}, now=NOW)
        await session.commit()


async def test_a_chats_group_is_claimed_whole_under_one_lease(session_factory: Sessions) -> None:
    """A batch of two still takes every due reminder of the chats it touches, nothing else."""
    await _queue(
        session_factory,
        [
            ("r1", "remind", 1),
            ("a1", "alert", 1),
            ("r2", "remind", 1),
            ("r3", "remind", 1),
            ("r4", "remind", 2),
            ("a2", "alert", 1),
        ],
    )
    async with session_factory() as session:
        claimed = await claim_due(session, now=NOW, lease=LEASE, limit=2, together={"remind"})
    assert [m.key for m in claimed] == ["r1", "a1", "r2", "r3"]
    leases = {m.key: m.lease for m in claimed}
    assert leases["r1"] == leases["r2"] == leases["r3"] != leases["a1"]
    async with session_factory() as session:
        await record_sent_together(
            session,
            [m for m in claimed if m.kind == "remind"],
            now=NOW,
            message_id=77,
            task_id=None,
        )
    async with session_factory() as session:
        rows = {d.idempotency_key: d for d in await session.scalars(select(Delivery))}
    assert {k for k, d in rows.items() if d.state is DeliveryState.SENT} == {"r1", "r2", "r3"}
    assert {rows[k].telegram_message_id for k in ("r1", "r2", "r3")} == {77}
    assert rows["r4"].state is DeliveryState.PENDING


async def test_the_daily_cap_counts_messages_and_waits_for_the_next_working_morning(
    session_factory: Sessions,
) -> None:
    """Cap 2: two messages (one of them carrying two deliveries) use it up until 08:30 next day."""
    async with session_factory() as session:
        member = Member(telegram_id=10, display_name="m", role=MemberRole.LIAISON, created_at=NOW)
        session.add(member)
        await session.flush()
        for n, message_id in enumerate([1, 1, 2]):
            session.add(
                Delivery(
                    idempotency_key=f"k{n}",
                    kind="remind",
                    chat_id=10,
                    member_id=member.id,
                    payload={},
                    state=DeliveryState.SENT,
                    next_attempt_at=NOW,
                    telegram_message_id=message_id,
                    created_at=NOW,
                    sent_at=NOW,
                )
            )
        await session.commit()
        member_id = member.id

    async def until(cap: int, now: dt.datetime = NOW) -> dt.datetime | None:
        async with session_factory() as session:
            return await capped_until(
                session, member_id=member_id, kinds={"remind"}, cap=cap, now=now, timezone=TZ
            )

    assert await until(3) is None
    assert await until(0) is None  # no cap
    assert await until(2) == dt.datetime(2016, 3, 2, 0, 30, tzinfo=dt.UTC)  # 08:30 Beijing
    # The next day's count starts afresh.
    assert await until(2, NOW + dt.timedelta(days=1)) is None
