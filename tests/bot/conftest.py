"""Fixtures for end-to-end bot tests: the real application polling the sandbox server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import SENDER_KEY, build_application
from bot.runtime import Runtime
from bot.sandbox import SandboxServer
from bot.settings import Settings
from tests.bot.harness import BotHarness, Clock


@pytest.fixture
async def harness(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> AsyncIterator[BotHarness]:
    """The bot running against the sandbox and a migrated database, with a hand-moved clock."""
    clock = Clock()
    async with SandboxServer() as sandbox:
        settings = Settings(
            data_dir=tmp_path,
            telegram_token=SecretStr(sandbox.token),
            telegram_api_url=sandbox.url,
            public_base_url="https://annexbot.example.org",
        )
        runtime = Runtime(settings=settings, sessions=session_factory, clock=clock)
        application = build_application(runtime)
        runtime.wake_sender = lambda: None  # the harness drains the outbox itself, in order
        async with application:
            await application.start()
            assert application.job_queue is not None
            jobs = application.job_queue.jobs()
            for job in jobs:  # time is the test's: no job fires on its own
                job.schedule_removal()
            assert application.updater is not None
            await application.updater.start_polling(timeout=1, poll_interval=0)
            try:
                yield BotHarness(
                    sandbox,
                    application,
                    runtime,
                    clock,
                    application.bot_data[SENDER_KEY],
                    job_names=tuple(job.name or "" for job in jobs),
                )
            finally:
                await application.updater.stop()
                await application.stop()
