"""Fixtures for end-to-end bot tests: the real application polling the sandbox server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.pacing import Pacer
from bot.sandbox import SandboxServer
from bot.sandbox.driver import VirtualTime, running_bot
from bot.settings import Settings
from tests.bot.harness import BotHarness, Clock


@pytest.fixture
async def harness(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> AsyncIterator[BotHarness]:
    """The bot running against the sandbox and a migrated database, with a hand-moved clock.

    Replies are paced (1 a second a chat) in time that jumps: no test waits real seconds.
    """
    virtual = VirtualTime()
    pacer = Pacer(clock=virtual, sleep=virtual.sleep)
    async with _running(session_factory, tmp_path, pacer) as bot:
        yield bot


@pytest.fixture
async def paced_harness(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> AsyncIterator[BotHarness]:
    """The bot as `harness`, but paced in real seconds, for tests of Telegram's rate limits."""
    async with _running(session_factory, tmp_path, None) as bot:
        yield bot


@asynccontextmanager
async def _running(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path, pacer: Pacer | None
) -> AsyncIterator[BotHarness]:
    """A sandbox and the bot polling it."""
    async with SandboxServer() as sandbox:
        settings = Settings(
            data_dir=tmp_path,
            telegram_token=SecretStr(sandbox.token),
            telegram_api_url=sandbox.url,
            public_base_url="https://annexbot.example.org",
        )
        async with running_bot(
            settings, session_factory, Clock(), sandbox=sandbox, kind=BotHarness, pacer=pacer
        ) as bot:
            yield bot
