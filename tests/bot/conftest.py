"""Fixtures for end-to-end bot tests: the real application polling the sandbox server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.sandbox import SandboxServer
from bot.sandbox.driver import running_bot
from bot.settings import Settings
from tests.bot.harness import BotHarness, Clock


@pytest.fixture
async def harness(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> AsyncIterator[BotHarness]:
    """The bot running against the sandbox and a migrated database, with a hand-moved clock."""
    async with SandboxServer() as sandbox:
        settings = Settings(
            data_dir=tmp_path,
            telegram_token=SecretStr(sandbox.token),
            telegram_api_url=sandbox.url,
            public_base_url="https://annexbot.example.org",
        )
        async with running_bot(
            settings, session_factory, Clock(), sandbox=sandbox, kind=BotHarness
        ) as bot:
            yield bot
