"""The sender wakes itself when a retry falls due; the sender-only process drains the outbox."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import select

from bot.delivery.worker import run_sender
from bot.sandbox import SandboxServer
from bot.settings import Settings
from db.engine import create_engine, create_session_factory
from db.enums import DeliveryState, MemberRole
from db.migrations import upgrade
from db.models import Delivery
from tests.bot.harness import BotHarness
from tests.kit.notes import LIAISON, deliveries, queue_notes, team, texts
from workflows.outbox.queue import enqueue


async def test_a_429_wakes_the_sender_when_retry_after_has_passed(harness: BotHarness) -> None:
    """No waiting for the 30 s drain: the sender plans its own wake for the retry time."""
    members = await team(harness)
    woken: list[dt.datetime] = []
    harness.runtime.wake_sender = lambda: woken.append(harness.clock())
    harness.sandbox.faults.flood(retry_after=1, chat_id=LIAISON)
    await queue_notes(harness, LIAISON, member_id=members[LIAISON])
    start = harness.clock()
    assert await harness.sender.drain() == 0
    assert harness.sender.next_wake == start + dt.timedelta(seconds=1)
    harness.clock.advance(seconds=0.5)
    assert woken == []
    harness.clock.advance(seconds=0.5)  # the sender's timer runs on the harness clock
    assert woken == [start + dt.timedelta(seconds=1)]
    assert await harness.sender.drain() == 1
    assert texts(harness, LIAISON) == ["note 0"]
    assert harness.sender.next_wake is None


async def test_the_wake_follows_the_earliest_waiting_delivery(harness: BotHarness) -> None:
    """A delivery held for later (quiet hours, say) is when the sender wakes next."""
    await harness.import_bundled()
    member = await harness.add_member(LIAISON, "Li", role=MemberRole.LIAISON, agency="科技部")
    later = harness.clock() + dt.timedelta(hours=3)
    async with harness.runtime.session() as session:
        for hours, key in ((5, "b"), (3, "a")):
            await enqueue(
                session,
                key=key,
                kind="test-note",
                chat_id=LIAISON,
                member_id=member,
                payload={"n": 0},
                now=harness.clock(),
                not_before=harness.clock() + dt.timedelta(hours=hours),
            )
        await session.commit()
    assert await harness.sender.drain() == 0
    assert harness.sender.next_wake == later
    assert {d.state for d in await deliveries(harness)} == {DeliveryState.PENDING}


async def test_the_sender_process_sends_retries_without_waiting_for_the_poll(
    database_url: str,
    tmp_path: Path,
) -> None:
    """run_sender on the real clock: a 429'd message arrives about a second later, not 30 s."""
    engine = create_engine(database_url)
    async with SandboxServer() as sandbox:
        sandbox.add_user(LIAISON, "Li")
        sandbox.faults.flood(retry_after=1, chat_id=LIAISON)
        settings = Settings(
            data_dir=tmp_path,
            database_url=database_url,
            telegram_token=SecretStr(sandbox.token),
            telegram_api_url=sandbox.url,
        )
        stop = asyncio.Event()
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            await enqueue(
                session,
                key="worker:1",
                kind="delivery_failed",
                chat_id=LIAISON,
                payload={"delivery_id": 1, "chat_id": LIAISON, "kind": "x", "error": "e"},
                now=dt.datetime.now(dt.UTC),
            )
            await session.commit()
        worker = asyncio.create_task(run_sender(settings, stop=stop, poll_seconds=30))
        try:
            await sandbox.wait_for_message(LIAISON, timeout=10)
            assert [c.status for c in sandbox.calls("sendMessage")] == [429, 200]
        finally:
            stop.set()
            await asyncio.wait_for(worker, timeout=10)
        async with create_session_factory(engine)() as session:
            assert [d.state for d in await session.scalars(select(Delivery))] == [
                DeliveryState.SENT
            ]
    await engine.dispose()
