"""GET/HEAD /feeds/{token}.ics through the real Starlette app: caching, 304, 404, slow-down."""

from __future__ import annotations

import datetime as dt
import email.utils
from pathlib import Path

import httpx
import icalendar
import pytest
import vobject
from sqlalchemy import event
from starlette.applications import Starlette

from bot.runtime import Runtime
from bot.settings import Settings
from bot.web.app import build_web_app, module_routes, serve
from bot.web.feeds import BadTokenThrottle, feed_route, feed_urls
from db.enums import FeedScope
from tests.kit.reports import BOSS, NOW, Sessions, setup
from workflows.access import find_task
from workflows.feeds.links import request_link, revoke_link
from workflows.milestones import move_due

LATER = NOW + dt.timedelta(days=2)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


def _runtime(sessions: Sessions, tmp_path: Path, clock: Clock) -> Runtime:
    """A runtime as `annexbot run` would have it, with a known bot username."""
    return Runtime(
        settings=Settings(data_dir=tmp_path, public_base_url="https://feeds.example.org/"),
        sessions=sessions,
        clock=clock,
        bot_username="annex_test_bot",
    )


async def _plan_token(sessions: Sessions) -> tuple[str, int]:
    """A coordinator's link to the whole plan: the token and the link's id."""
    async with sessions() as session:
        issued = await request_link(
            session=session, telegram_id=BOSS, scope=FeedScope.PLAN, now=NOW
        )
    assert issued.token is not None
    return issued.token, issued.view.token_id


def _client(app: Starlette, address: str = "198.51.100.7") -> httpx.AsyncClient:
    """An in-process client calling from an address."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="https://feeds.example.org")


@pytest.fixture
async def ready(session_factory: Sessions, tmp_path: Path) -> tuple[Starlette, str, int, Clock]:
    """The web app with its module routes, the bundled plan, and a plan link."""
    await setup(session_factory)
    clock = Clock()
    runtime = _runtime(session_factory, tmp_path, clock)
    app = build_web_app(runtime, routes=module_routes(runtime))
    token, token_id = await _plan_token(session_factory)
    return app, token, token_id, clock


async def test_feed_is_served_with_caching_headers(
    ready: tuple[Starlette, str, int, Clock],
) -> None:
    """200 text/calendar; ETag, Last-Modified, Cache-Control; both parsers read it."""
    app, token, _, _ = ready
    async with _client(app) as client:
        response = await client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["etag"].startswith('"')
    assert response.headers["last-modified"] == "Tue, 01 Mar 2016 02:00:00 GMT"
    assert response.headers["cache-control"] == "private, max-age=900"
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) > 23
    assert all(str(e["URL"]) == "https://t.me/annex_test_bot" for e in events)
    assert len(vobject.readOne(response.text).vevent_list) == len(events)


async def test_unchanged_feed_is_byte_identical_then_304(
    ready: tuple[Starlette, str, int, Clock],
) -> None:
    """Two plain GETs give the same bytes; a conditional one gets 304 with the ETag."""
    app, token, _, clock = ready
    async with _client(app) as client:
        first = await client.get(f"/feeds/{token}.ics")
        clock.now += dt.timedelta(hours=2)
        second = await client.get(f"/feeds/{token}.ics")
        assert first.content == second.content
        assert first.headers["etag"] == second.headers["etag"]
        etag = first.headers["etag"]
        cached = await client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag})
        since = await client.get(
            f"/feeds/{token}.ics", headers={"If-Modified-Since": first.headers["last-modified"]}
        )
        other = await client.get(f"/feeds/{token}.ics", headers={"If-None-Match": '"other"'})
        metrics = (await client.get("/metrics")).text
    assert (cached.status_code, cached.content) == (304, b"")
    assert cached.headers["etag"] == etag
    assert cached.headers["cache-control"] == "private, max-age=900"
    assert since.status_code == 304
    assert other.status_code == 200
    assert "annexbot_feed_requests_total 5.0" in metrics
    assert "annexbot_feed_not_modified_total 2.0" in metrics


async def test_a_moved_date_changes_the_etag(
    ready: tuple[Starlette, str, int, Clock], session_factory: Sessions
) -> None:
    """After a due date moves, the old ETag no longer matches and the new body shows it."""
    app, token, _, clock = ready
    async with _client(app) as client:
        first = await client.get(f"/feeds/{token}.ics")
        async with session_factory() as session:
            task = await find_task(session, number=5)
            await move_due(session, task, dt.date(2018, 3, 31), actor=None, now=LATER, details={})  # type: ignore[arg-type]
            await session.commit()
        clock.now = LATER
        again = await client.get(
            f"/feeds/{token}.ics", headers={"If-None-Match": first.headers["etag"]}
        )
    assert again.status_code == 200
    assert again.headers["etag"] != first.headers["etag"]
    assert again.headers["last-modified"] == "Thu, 03 Mar 2016 02:00:00 GMT"
    assert b"DTSTART;VALUE=DATE:20180331" in again.content


async def test_the_date_alone_turning_a_light_changes_etag_and_last_modified(
    ready: tuple[Starlette, str, int, Clock],
) -> None:
    """No row changes, but months pass: lights turn, so the old ETag gets the new feed."""
    app, token, _, clock = ready
    async with _client(app) as client:
        first = await client.get(f"/feeds/{token}.ics")
        kept = await client.get(
            f"/feeds/{token}.ics", headers={"If-None-Match": first.headers["etag"]}
        )
        clock.now = NOW + dt.timedelta(days=400)
        later = await client.get(
            f"/feeds/{token}.ics", headers={"If-None-Match": first.headers["etag"]}
        )
        again = await client.get(
            f"/feeds/{token}.ics", headers={"If-None-Match": later.headers["etag"]}
        )
    assert kept.status_code == 304
    assert later.status_code == 200
    assert later.headers["etag"] != first.headers["etag"]
    modified = email.utils.parsedate_to_datetime(later.headers["last-modified"])
    assert email.utils.parsedate_to_datetime(first.headers["last-modified"]) < modified
    assert modified <= clock.now
    assert later.content != first.content
    assert again.status_code == 304


async def test_an_unchanged_feed_costs_one_statement(
    ready: tuple[Starlette, str, int, Clock], session_factory: Sessions
) -> None:
    """Once built, a 304 and a repeated 200 read the token and the data version, nothing else."""
    app, token, _, _ = ready
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    engine = session_factory.kw["bind"].sync_engine
    async with _client(app) as client:
        first = await client.get(f"/feeds/{token}.ics")
        event.listen(engine, "before_cursor_execute", seen)
        try:
            cached = await client.get(
                f"/feeds/{token}.ics", headers={"If-None-Match": first.headers["etag"]}
            )
            repeated = await client.get(f"/feeds/{token}.ics")
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    assert (cached.status_code, repeated.status_code) == (304, 200)
    assert repeated.content == first.content
    assert len(statements) == 2, statements
    assert all("feed_token" in statement for statement in statements)


async def test_head_and_todo(ready: tuple[Starlette, str, int, Clock]) -> None:
    """HEAD has the headers and no body; ?todo=1 gives VTODOs."""
    app, token, _, _ = ready
    async with _client(app) as client:
        head = await client.head(f"/feeds/{token}.ics")
        get = await client.get(f"/feeds/{token}.ics")
        todo = await client.get(f"/feeds/{token}.ics", params={"todo": "1"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert icalendar.Calendar.from_ical(todo.content).walk("VTODO")
    assert not icalendar.Calendar.from_ical(todo.content).walk("VEVENT")


async def test_revoked_and_unknown_tokens_get_a_plain_404(
    ready: tuple[Starlette, str, int, Clock], session_factory: Sessions
) -> None:
    """A revoked token and a made-up one get the same plain 404."""
    app, token, token_id, _ = ready
    async with session_factory() as session:
        await revoke_link(session=session, telegram_id=BOSS, token_id=token_id, now=LATER)
    async with _client(app) as client:
        revoked = await client.get(f"/feeds/{token}.ics")
        unknown = await client.get(f"/feeds/{'A' * 32}.ics")
        short = await client.head("/feeds/x.ics")
    for response in (revoked, unknown):
        assert response.status_code == 404
        assert response.text == "not found"
        assert response.headers["content-type"].startswith("text/plain")
        assert "etag" not in response.headers
    assert short.status_code == 404


async def test_repeated_bad_tokens_from_one_address_are_slowed_down(
    session_factory: Sessions, tmp_path: Path
) -> None:
    """After five bad tokens an address waits before every answer, doubling; others do not."""
    await setup(session_factory)
    waits: list[float] = []
    ticks = [0.0]

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    throttle = BadTokenThrottle(clock=lambda: ticks[0])
    runtime = _runtime(session_factory, tmp_path, Clock())
    app = Starlette(routes=[feed_route(runtime, throttle=throttle, sleep=sleep)])
    token, _ = await _plan_token(session_factory)
    async with _client(app, "203.0.113.9") as attacker, _client(app, "198.51.100.1") as other:
        for _ in range(7):
            assert (await attacker.get(f"/feeds/{'B' * 32}.ics")).status_code == 404
        assert waits == [0.5, 1.0]
        assert (await attacker.get(f"/feeds/{token}.ics")).status_code == 200
        assert waits[-1] == 2.0  # a good token waits too: timing tells nothing
        assert (await other.get(f"/feeds/{token}.ics")).status_code == 200
        assert len(waits) == 3
        ticks[0] += 301  # the window passes
        assert (await attacker.get(f"/feeds/{token}.ics")).status_code == 200
        assert len(waits) == 3


def test_throttle_caps_its_delay_and_its_memory() -> None:
    """The delay stops growing at its cap; the table of addresses stays bounded."""
    throttle = BadTokenThrottle(max_addresses=3, clock=lambda: 0.0)
    for _ in range(30):
        throttle.failed("a")
    assert throttle.delay("a") == 10.0
    for address in "bcdef":
        throttle.failed(address)
    assert len(throttle._failures) <= 3


def test_feed_urls() -> None:
    """https and webcal links from the public base URL."""
    assert feed_urls("https://x.org/base/", "T") == (
        "https://x.org/base/feeds/T.ics",
        "webcal://x.org/base/feeds/T.ics",
    )


async def test_served_by_uvicorn_on_loopback(
    ready: tuple[Starlette, str, int, Clock],
) -> None:
    """The same app behind a real uvicorn socket."""
    app, token, _, _ = ready
    async with serve(app, host="127.0.0.1", port=0) as port, httpx.AsyncClient() as client:
        url = f"http://127.0.0.1:{port}/feeds/{token}.ics"
        response = await client.get(url)
        cached = await client.get(url, headers={"If-None-Match": response.headers["etag"]})
    assert response.status_code == 200
    assert icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert cached.status_code == 304
