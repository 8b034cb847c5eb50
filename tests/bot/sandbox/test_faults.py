"""Injected failures reach python-telegram-bot as the exceptions a real outage would raise."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.sandbox import ManualClock, SandboxServer

ALICE, BOB, GROUP = 42, 43, -1001234


@pytest.fixture(autouse=True)
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's future RetryAfter.retry_after type (and out of its deprecation warning)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
def clock() -> ManualClock:
    """The sandbox's rate clock, moved by hand."""
    return ManualClock()


@pytest.fixture
async def sandbox(clock: ManualClock) -> AsyncIterator[SandboxServer]:
    """A sandbox with two users and a group, on a manual clock."""
    async with SandboxServer(clock=clock) as server:
        server.add_user(ALICE, "Alice")
        server.add_user(BOB, "Bob")
        server.add_to_group(GROUP, "督办群", by_user=ALICE)
        yield server


async def test_flood_fault_raises_retry_after(bot: Bot, sandbox: SandboxServer) -> None:
    sandbox.faults.flood(retry_after=7, times=2, method="sendMessage")
    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(ALICE, "hi")
        assert caught.value.retry_after == dt.timedelta(seconds=7)
    await bot.send_message(ALICE, "hi")
    assert [c.status for c in sandbox.calls("sendMessage")] == [429, 429, 200]
    assert len(sandbox.messages(ALICE)) == 1


async def test_faults_can_target_one_chat(bot: Bot, sandbox: SandboxServer) -> None:
    sandbox.faults.server_error(502, times=None, chat_id=BOB)
    await bot.send_message(ALICE, "fine")
    for _ in range(3):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(BOB, "down")
    sandbox.faults.clear()
    await bot.send_message(BOB, "back")
    assert [m.text for m in sandbox.messages(BOB)] == ["back"]


async def test_server_error_is_a_network_error(bot: Bot, sandbox: SandboxServer) -> None:
    sandbox.faults.server_error(500)
    with pytest.raises(NetworkError, match="Internal Server Error") as caught:
        await bot.send_message(ALICE, "hi")
    assert not isinstance(caught.value, BadRequest)


async def test_blocked_user_is_forbidden(bot: Bot, sandbox: SandboxServer) -> None:
    update = sandbox.block_user(BOB)
    assert update is not None
    assert update.data["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(BOB, "hello?")
    await bot.send_message(ALICE, "still fine")
    sandbox.faults.unblock(BOB)
    await bot.send_message(BOB, "welcome back")


async def test_timeout_fault_is_timed_out(sandbox: SandboxServer) -> None:
    sandbox.faults.timeout(seconds=5, method="sendMessage")
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(sandbox.token, base_url=sandbox.base_url, request=request) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(ALICE, "slow")
        await bot.send_message(ALICE, "fast again")
    assert [m.text for m in sandbox.messages(ALICE)] == ["fast again"]


async def test_timeout_fault_can_still_deliver(sandbox: SandboxServer) -> None:
    sandbox.faults.timeout(seconds=0.3, method="sendMessage", deliver=True)
    request = HTTPXRequest(read_timeout=0.1)
    async with Bot(sandbox.token, base_url=sandbox.base_url, request=request) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(ALICE, "arrives although the client gave up")
        [message] = await sandbox.wait_for_message(ALICE, timeout=2)
    assert message.text == "arrives although the client gave up"


async def test_rate_enforcer_limits_one_private_chat(
    bot: Bot, sandbox: SandboxServer, clock: ManualClock
) -> None:
    rate = sandbox.faults.enforce_rate_limits()
    await bot.send_message(ALICE, "1")
    await bot.send_message(BOB, "other chats are separate")
    clock.advance(0.4)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ALICE, "2")
    assert caught.value.retry_after == dt.timedelta(seconds=1)
    clock.advance(0.6)
    await bot.send_message(ALICE, "2")
    assert rate.rejected == 1
    assert [m.text for m in sandbox.messages(ALICE)] == ["1", "2"]


async def test_rate_enforcer_limits_groups_and_overall(
    bot: Bot, sandbox: SandboxServer, clock: ManualClock
) -> None:
    rate = sandbox.faults.enforce_rate_limits()
    for number in range(20):
        await bot.send_message(GROUP, f"{number}")
        clock.advance(0.5)
    with pytest.raises(RetryAfter):
        await bot.send_message(GROUP, "21st within a minute")
    clock.advance(50.0)
    await bot.send_message(GROUP, "a minute later")

    rate.overall_per_second = 2
    clock.advance(60.0)
    await bot.send_message(ALICE, "a")
    await bot.send_message(BOB, "b")
    with pytest.raises(RetryAfter):
        await bot.send_message(GROUP, "third within a second")
    assert rate.rejected == 2
