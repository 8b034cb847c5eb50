"""The real application wired to a sandbox Bot API server and a benchmark database."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import Application

from bot.chat.application import SENDER_KEY, build_application
from bot.delivery.sender import Sender
from bot.runtime import Runtime
from bot.sandbox import SandboxServer
from bot.settings import Settings


@dataclass
class Running:
    """The sandbox, the application (initialised, not polling) and its sender."""

    sandbox: SandboxServer
    application: Application[Any, Any, Any, Any, Any, Any]
    runtime: Runtime
    sender: Sender


@asynccontextmanager
async def running_bot(
    sessions: async_sessionmaker[AsyncSession], *, now: dt.datetime, polling: bool = True
) -> AsyncIterator[Running]:
    """The annexbot application on a fresh sandbox, its clock stopped at `now`, no jobs."""
    with tempfile.TemporaryDirectory(prefix="annexbot-bench-") as directory:
        async with SandboxServer() as sandbox:
            settings = Settings(
                data_dir=Path(directory),
                telegram_token=SecretStr(sandbox.token),
                telegram_api_url=sandbox.url,
                public_base_url="https://annexbot.example.org",
            )
            runtime = Runtime(settings=settings, sessions=sessions, clock=lambda: now)
            application = build_application(runtime, polling=polling)
            async with application:
                yield Running(sandbox, application, runtime, application.bot_data[SENDER_KEY])
