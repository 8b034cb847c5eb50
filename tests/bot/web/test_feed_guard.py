"""The feed endpoint under token guessing: bounded delay, bounded concurrency, one log line."""

from __future__ import annotations

import asyncio
import logging
import secrets
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from bot.runtime import Runtime
from bot.settings import Settings
from bot.web.feed_throttle import BadTokenThrottle
from bot.web.feeds import feed_route
from db.enums import FeedScope
from tests.kit.reports import BOSS, NOW, Sessions, setup
from workflows.feeds.links import request_link, revoke_link

ATTACKER = "203.0.113.9"


def _app(sessions: Sessions, tmp_path: Path, throttle: BadTokenThrottle) -> Starlette:
    """The feed route alone, with a throttle whose sleeps only yield."""

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(0)

    runtime = Runtime(
        settings=Settings(data_dir=tmp_path, public_base_url="https://feeds.example.org/"),
        sessions=sessions,
        clock=lambda: NOW,
    )
    return Starlette(routes=[feed_route(runtime, throttle=throttle, sleep=sleep)])


def _client(app: Starlette, address: str = ATTACKER) -> httpx.AsyncClient:
    """An in-process client calling from an address."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="https://feeds.example.org")


def test_the_delay_never_overflows() -> None:
    """A thousand bad tokens and more: the delay stays at its cap (2 ** 1000 used to raise)."""
    throttle = BadTokenThrottle(max_counted=5_000, clock=lambda: 0.0)
    for _ in range(3_000):
        throttle.failed("a")
    assert throttle.delay("a") == throttle.max_delay


async def test_a_flood_of_bad_tokens_gets_only_404s(
    session_factory: Sessions, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """5,000 bad tokens, 200 at a time, from one address: 404 each, one log line, bounded state."""
    await setup(session_factory)
    throttle = BadTokenThrottle()
    app = _app(session_factory, tmp_path, throttle)
    statuses: dict[int, int] = {}
    busiest = 0
    guesses = iter(secrets.token_urlsafe(24) for _ in range(5_000))

    async def guesser(client: httpx.AsyncClient) -> None:
        nonlocal busiest
        for guess in guesses:
            response = await client.get(f"/feeds/{guess}.ics")
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            gate = throttle._gates.get(ATTACKER)
            busiest = max(busiest, gate.busiest if gate else 0)

    caplog.set_level(logging.WARNING)
    async with _client(app) as client:
        await asyncio.gather(*(guesser(client) for _ in range(200)))
    assert statuses == {404: 5_000}
    assert len(throttle._failures[ATTACKER]) <= throttle.free + throttle.max_counted
    assert 1 < busiest <= throttle.in_flight
    assert throttle._gates == {}
    warnings = [r for r in caplog.records if r.name == "bot.web.feed_throttle"]
    assert len(warnings) == 1
    assert ATTACKER in warnings[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info]


async def test_revoked_links_are_not_guesses(session_factory: Sessions, tmp_path: Path) -> None:
    """A calendar polling a revoked link gets 404 without slowing its address down."""
    await setup(session_factory)
    async with session_factory() as session:
        link = await request_link(session=session, telegram_id=BOSS, scope=FeedScope.PLAN, now=NOW)
        await revoke_link(session=session, telegram_id=BOSS, token_id=link.view.token_id, now=NOW)
    throttle = BadTokenThrottle()
    app = _app(session_factory, tmp_path, throttle)
    async with _client(app) as client:
        for _ in range(20):
            assert (await client.get(f"/feeds/{link.token}.ics")).status_code == 404
        assert throttle.delay(ATTACKER) == 0
        for _ in range(throttle.free):
            await client.get(f"/feeds/{secrets.token_urlsafe(24)}.ics")
        assert throttle.delay(ATTACKER) > 0


async def test_a_slowed_address_waits_for_a_free_slot(
    session_factory: Sessions, tmp_path: Path
) -> None:
    """A good token from a slowed address still gets its feed, after the others' turns."""
    await setup(session_factory)
    async with session_factory() as session:
        link = await request_link(session=session, telegram_id=BOSS, scope=FeedScope.PLAN, now=NOW)
    throttle = BadTokenThrottle(in_flight=2, waiting=3)
    app = _app(session_factory, tmp_path, throttle)
    async with _client(app) as client:
        for _ in range(throttle.free):
            await client.get(f"/feeds/{secrets.token_urlsafe(24)}.ics")
        answers = await asyncio.gather(*(client.get(f"/feeds/{link.token}.ics") for _ in range(5)))
    assert [a.status_code for a in answers] == [200] * 5
