"""Fixtures for the sandbox tests: a running sandbox with one user, and a PTB Bot pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.sandbox import SandboxServer

ALICE = 42


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    """A running sandbox with user 42 (Alice); always shut down after the test."""
    async with SandboxServer() as server:
        server.add_user(ALICE, "Alice", username="alice")
        yield server


@pytest.fixture
async def bot(sandbox: SandboxServer) -> AsyncIterator[Bot]:
    """A python-telegram-bot Bot talking HTTP to the sandbox."""
    async with Bot(
        sandbox.token, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url
    ) as client:
        yield client
