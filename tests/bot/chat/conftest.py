"""Fixtures for the chat tests."""

from __future__ import annotations

import pytest

from tests.bot.harness import BotHarness
from tests.kit.report_cards import people


@pytest.fixture
async def bot(harness: BotHarness) -> BotHarness:
    """The harness with the report tests' cast (the /mytasks, review and /extend tests)."""
    return await people(harness)
