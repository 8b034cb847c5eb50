"""The outbox sender against a misbehaving Bot API: 429, 5xx, timeouts, blocks, flood limits."""

from __future__ import annotations

import asyncio

import pytest

from bot.delivery.pacing import Pacer, PacingRateLimiter
from bot.delivery.sender import Sender
from bot.runtime import Runtime
from db.engine import create_session_factory
from db.enums import DeliveryState
from tests.bot.harness import BotHarness
from tests.conftest import ThrowawayDatabase
from tests.kit.notes import (
    COORDINATOR,
    DEPUTY,
    GROUP,
    LIAISON,
    deliveries,
    queue_notes,
    team,
    texts,
)


async def _drain_until_settled(harness: BotHarness, rounds: int = 10) -> None:
    """Drain, and let backoff time pass, until nothing is waiting to be retried."""
    for _ in range(rounds):
        await harness.sender.drain()
        if all(d.state is not DeliveryState.PENDING for d in await deliveries(harness)):
            return
        harness.clock.advance(minutes=11)
    raise AssertionError("deliveries still pending")


async def test_a_429_is_retried_after_retry_after(harness: BotHarness) -> None:
    """Told to wait, the sender waits exactly that long and then delivers once."""
    members = await team(harness)
    harness.sandbox.faults.flood(retry_after=7, chat_id=LIAISON)
    await queue_notes(harness, LIAISON, member_id=members[LIAISON])
    assert await harness.sender.drain() == 0
    [row] = await deliveries(harness)
    assert (row.state, row.attempts, row.last_error) == (DeliveryState.PENDING, 0, "429")
    harness.clock.advance(seconds=6)
    assert await harness.sender.drain() == 0
    harness.clock.advance(seconds=1)
    assert await harness.sender.drain() == 1
    assert texts(harness, LIAISON) == ["note 0"]


async def test_server_errors_are_retried_with_backoff(harness: BotHarness) -> None:
    """Three 500s, then success: one message, four attempts, each retry later than the last."""
    members = await team(harness)
    harness.sandbox.faults.server_error(500, times=3, chat_id=LIAISON)
    await queue_notes(harness, LIAISON, member_id=members[LIAISON])
    await _drain_until_settled(harness)
    [row] = await deliveries(harness)
    assert (row.state, row.attempts) == (DeliveryState.SENT, 4)
    assert texts(harness, LIAISON) == ["note 0"]
    assert texts(harness, COORDINATOR) == []


async def test_a_timeout_is_retried(harness: BotHarness) -> None:
    """A request that hangs past the read timeout is tried again and delivered."""
    members = await team(harness)
    harness.sender.read_timeout = 0.2
    harness.sandbox.faults.timeout(2.0, chat_id=LIAISON)
    await queue_notes(harness, LIAISON, member_id=members[LIAISON])
    assert await harness.sender.drain() == 0
    [row] = await deliveries(harness)
    assert (row.state, row.attempts) == (DeliveryState.PENDING, 1)
    assert row.last_error is not None
    assert row.last_error.startswith("TimedOut")
    await _drain_until_settled(harness)
    assert texts(harness, LIAISON) == ["note 0"]


async def test_a_permanent_error_fails_and_tells_the_coordinators(harness: BotHarness) -> None:
    """After the last attempt the row is failed and every coordinator is told, once."""
    members = await team(harness)
    harness.sandbox.faults.server_error(500, times=None, chat_id=LIAISON)
    await queue_notes(harness, LIAISON, member_id=members[LIAISON])
    await _drain_until_settled(harness)
    note, alert = await deliveries(harness)
    assert (note.state, note.attempts) == (DeliveryState.FAILED, 6)
    assert alert.state is DeliveryState.SENT
    [told] = texts(harness, COORDINATOR)
    assert told.startswith(
        f"⚠️ 发给 Li 的消息在尝试 6 次后仍未送达（test-note，投递编号 {note.id}）。"
    )
    assert "最后一次错误：NetworkError" in told
    assert texts(harness, LIAISON) == []


async def test_a_bad_request_fails_at_once_and_tells_the_coordinators(
    harness: BotHarness,
) -> None:
    """A 400 is not retried (PTB's BadRequest is a NetworkError): failed after one attempt."""
    members = await team(harness)
    harness.sandbox.faults.fail(400, "Bad Request: chat not found", times=None, chat_id=LIAISON)
    await queue_notes(harness, LIAISON, member_id=members[LIAISON])
    await _drain_until_settled(harness)
    note, alert = await deliveries(harness)
    assert (note.state, note.attempts) == (DeliveryState.FAILED, 1)
    assert note.last_error is not None
    assert note.last_error.startswith("BadRequest: Chat not found")
    assert alert.state is DeliveryState.SENT
    [told] = texts(harness, COORDINATOR)
    assert "最后一次错误：BadRequest" in told


async def test_a_block_reroutes_to_the_deputy_and_tells_the_coordinators(
    harness: BotHarness,
) -> None:
    """403: the liaison is unreachable, the deputy gets the message, coordinators hear of it."""
    members = await team(harness)
    harness.sandbox.faults.block(LIAISON)
    await queue_notes(harness, LIAISON, member_id=members[LIAISON])
    assert await harness.sender.drain() == 2
    assert texts(harness, DEPUTY) == ["note 0"]
    assert texts(harness, COORDINATOR) == [
        "⛔ Li（科技部）已屏蔽本机器人，无法再接收消息。\n其消息现改发给：Deng。"
    ]
    member = await harness.member(LIAISON)
    assert member is not None
    assert member.reachable is False
    states = {d.chat_id: d.state for d in await deliveries(harness)}
    assert states == {
        LIAISON: DeliveryState.FAILED,
        DEPUTY: DeliveryState.SENT,
        COORDINATOR: DeliveryState.SENT,
    }


async def test_an_alert_that_fails_alerts_nobody(harness: BotHarness) -> None:
    """A coordinator who blocked the bot is marked unreachable; no alert about the alert."""
    members = await team(harness)
    harness.sandbox.faults.block(COORDINATOR)
    harness.sandbox.faults.server_error(500, times=None, chat_id=LIAISON)
    await queue_notes(harness, LIAISON, member_id=members[LIAISON])
    await _drain_until_settled(harness)
    assert [(d.kind, d.state) for d in await deliveries(harness)] == [
        ("test-note", DeliveryState.FAILED),
        ("delivery_failed", DeliveryState.FAILED),
    ]
    coordinator = await harness.member(COORDINATOR)
    assert coordinator is not None
    assert coordinator.reachable is False


async def test_a_burst_stays_within_telegrams_limits(paced_harness: BotHarness) -> None:
    """200 members, 5 notes to one person and 5 to a group: all arrive once, never a 429."""
    harness = paced_harness
    rate = harness.sandbox.faults.enforce_rate_limits()
    users = list(range(20_000, 20_200))
    for user in users:
        harness.sandbox.add_user(user, f"u{user}")
    harness.sandbox.add_user(LIAISON, "Li")
    harness.sandbox.add_to_group(GROUP, "协调组")
    await queue_notes(harness, *users, *[LIAISON] * 5, *[GROUP] * 5)
    assert await harness.sender.drain() == 210
    assert rate.rejected == 0
    for user in users:
        assert len(texts(harness, user)) == 1
    assert texts(harness, LIAISON) == [f"note {n}" for n in range(200, 205)]
    assert [t for t in texts(harness, GROUP) if t.startswith("note")] == [
        f"note {n}" for n in range(205, 210)
    ]


async def test_two_senders_on_one_database_send_each_message_once(
    harness: BotHarness, test_database: ThrowawayDatabase
) -> None:
    """Two processes (two engines) draining 300 rows at once: every message arrives once."""
    if test_database.backend != "postgresql":
        pytest.skip("several senders need PostgreSQL")
    limiter = harness.application.bot.rate_limiter
    assert isinstance(limiter, PacingRateLimiter)
    limiter.pacer = Pacer(overall_per_second=10_000)  # this test is about claiming, not pacing
    users = list(range(30_000, 30_300))
    for user in users:
        harness.sandbox.add_user(user, f"u{user}")
    await queue_notes(harness, *users)
    engine = test_database.engine()
    try:
        other = Sender(
            harness.application,
            Runtime(
                settings=harness.runtime.settings,
                sessions=create_session_factory(engine),
                clock=harness.clock,
            ),
        )
        counts = await asyncio.gather(harness.sender.drain(), other.drain())
    finally:
        await engine.dispose()
    assert sum(counts) == 300
    assert all(counts)
    for user in users:
        assert len(texts(harness, user)) == 1
    assert {d.state for d in await deliveries(harness)} == {DeliveryState.SENT}


async def test_the_pacer_keeps_every_window_within_its_limit() -> None:
    """Concurrent sends of uneven length: no second, chat second or group minute is overfull."""
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds
        await asyncio.sleep(0)

    pacer = Pacer(clock=lambda: now[0], sleep=sleep)
    stamps: list[tuple[int, float]] = []

    async def send(chat_id: int, n: int) -> None:
        async with pacer.slot(chat_id):
            await sleep(0.01 * (n % 7))  # the request travels; the server stamps it on arrival
            stamps.append((chat_id, now[0]))

    chats = [n % 45 + 1 for n in range(150)] + [-5] * 25
    await asyncio.gather(*(send(chat, n) for n, chat in enumerate(chats)))
    assert len(stamps) == len(chats)

    def most_in_a_window(times: list[float], seconds: float) -> int:
        times = sorted(times)
        return max(sum(1 for t in times if start <= t < start + seconds) for start in times)

    assert most_in_a_window([t for _, t in stamps], 1.0) <= 30
    for chat in set(chats):
        times = [t for c, t in stamps if c == chat]
        limit, seconds = (20, 60.0) if chat < 0 else (1, 1.0)
        assert most_in_a_window(times, seconds) <= limit
