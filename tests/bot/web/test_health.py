"""GET /healthz: database reachable, scheduler leader known, outbox lag under its bound."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from bot.runtime import Runtime
from bot.sandbox import DEFAULT_TOKEN
from bot.settings import Settings
from bot.web.app import build_web_app
from db.engine import create_engine, create_session_factory
from db.leader import Leader
from tests.bot.harness import Clock
from workflows.outbox.queue import enqueue


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, telegram_token=SecretStr(DEFAULT_TOKEN))


async def _health(app: Starlette) -> tuple[int, dict[str, Any]]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://annexbot") as client:
        response = await client.get("/healthz")
    return response.status_code, response.json()


@pytest.fixture
async def leader_key(engine: AsyncEngine) -> AsyncIterator[int]:
    """A test-only lock key, held by a started Leader (on SQLite the process leads anyway)."""
    key = random.randrange(1, 2**62)
    leader = Leader(engine, key=key)
    await leader.start()
    assert leader.is_leader()
    try:
        yield key
    finally:
        await leader.stop()


async def test_healthy(
    session_factory: async_sessionmaker[AsyncSession], leader_key: int, tmp_path: Path
) -> None:
    """All three checks pass: 200 and each check in the JSON body."""
    runtime = Runtime(settings=_settings(tmp_path), sessions=session_factory)
    status, body = await _health(build_web_app(runtime, leader_key=leader_key))
    assert status == 200
    assert body == {
        "ok": True,
        "database": {"ok": True},
        "leader": {"ok": True},
        "outbox": {"ok": True, "due": 0, "lag_seconds": 0, "limit_seconds": 600},
    }


async def test_no_leader_is_unhealthy(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine, tmp_path: Path
) -> None:
    """On PostgreSQL, when no process holds the scheduler lock: 503, the leader check fails."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite: the one process always leads")
    runtime = Runtime(settings=_settings(tmp_path), sessions=session_factory)
    unheld = random.randrange(1, 2**62)
    status, body = await _health(build_web_app(runtime, leader_key=unheld))
    assert status == 503
    assert (body["ok"], body["database"]["ok"], body["leader"]["ok"]) == (False, True, False)


async def test_outbox_lag_over_ten_minutes_is_unhealthy(
    session_factory: async_sessionmaker[AsyncSession], leader_key: int, tmp_path: Path
) -> None:
    """A message due and unsent for 9 minutes is fine; at 10 the check fails with 503."""
    clock = Clock()
    runtime = Runtime(settings=_settings(tmp_path), sessions=session_factory, clock=clock)
    async with runtime.session() as session:
        await enqueue(session, key="k", kind="test", chat_id=1, payload={}, now=clock())
        await session.commit()
    app = build_web_app(runtime, leader_key=leader_key)
    clock.advance(minutes=9)
    status, body = await _health(app)
    assert (status, body["outbox"]) == (
        200,
        {"ok": True, "due": 1, "lag_seconds": 540, "limit_seconds": 600},
    )
    clock.advance(minutes=1)
    status, body = await _health(app)
    assert (status, body["ok"], body["outbox"]["ok"], body["leader"]["ok"]) == (
        503,
        False,
        False,
        True,
    )


async def test_unreachable_database_is_unhealthy(tmp_path: Path) -> None:
    """503 when the database cannot be reached; the other checks cannot pass either."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'dir' / 'db.sqlite3'}")
    try:
        runtime = Runtime(settings=_settings(tmp_path), sessions=create_session_factory(engine))
        status, body = await _health(build_web_app(runtime))
    finally:
        await engine.dispose()
    assert status == 503
    assert body == {
        "ok": False,
        "database": {"ok": False},
        "leader": {"ok": False},
        "outbox": {"ok": False},
    }
