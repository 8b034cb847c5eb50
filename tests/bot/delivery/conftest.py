"""Fixtures for the delivery tests: the test-note renderer, a database other processes open."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.kit.databases import POSTGRES_URL, fresh_postgres_database
from tests.kit.notes import register_note_renderer


@pytest.fixture(autouse=True)
def note_renderer() -> None:
    """The sender can render test notes."""
    register_note_renderer()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database other processes can open by URL: an SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'crash.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("ANNEXBOT_TEST_POSTGRES_URL is not set")
    async with fresh_postgres_database() as url:
        yield url
