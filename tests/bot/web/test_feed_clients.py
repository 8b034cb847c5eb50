"""Feeds as calendar programs fetch them: vdirsyncer's http storage, gzip, validators."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import aiohttp
import httpx
import icalendar
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from vdirsyncer.storage.filesystem import FilesystemStorage
from vdirsyncer.storage.http import HttpStorage
from vdirsyncer.sync import sync
from vdirsyncer.sync.status import SqliteStatus
from vdirsyncer.vobject import Item, split_collection

from bot.runtime import Runtime
from bot.settings import Settings
from bot.web.app import build_web_app, module_routes, serve
from db.engine import create_engine, create_session_factory
from db.enums import FeedScope
from db.migrations import upgrade
from db.models import Milestone
from tests.kit.reports import BOSS, NOW, Sessions, setup
from workflows.feeds.links import request_link


def _app(sessions: Sessions, tmp_path: Path, base_url: str, clock: list[dt.datetime]) -> Starlette:
    """The web app of one installation."""
    runtime = Runtime(
        settings=Settings(data_dir=tmp_path, public_base_url=base_url),
        sessions=sessions,
        clock=lambda: clock[0],
        bot_username="annex_test_bot",
    )
    return build_web_app(runtime, routes=module_routes(runtime))


async def _plan_link(sessions: Sessions) -> str:
    """A coordinator's plan link."""
    async with sessions() as session:
        link = await request_link(session=session, telegram_id=BOSS, scope=FeedScope.PLAN, now=NOW)
    assert link.token is not None
    return link.token


async def _milestones(sessions: Sessions) -> int:
    """How many milestones the database holds."""
    async with sessions() as session:
        return len((await session.scalars(select(Milestone.id))).all())


async def _vdirsyncer(url: str, folder: Path, status: SqliteStatus) -> None:
    """What `vdirsyncer sync` does for an http storage paired with a filesystem one."""
    async with aiohttp.TCPConnector() as connector:
        remote = HttpStorage(url=url, connector=connector)
        local = FilesystemStorage(str(folder), ".ics")
        await sync(remote, local, status, conflict_resolution="a wins")


async def test_vdirsyncer_keeps_one_item_per_milestone(
    session_factory: Sessions, tmp_path: Path
) -> None:
    """khal's users subscribe through vdirsyncer: every milestone becomes its own item."""
    # Its http storage splits the calendar into one item per UID and names each item by the
    # first UID line in it, the calendar's own when it has one: then every item is the same.
    await setup(session_factory)
    token = await _plan_link(session_factory)
    app = _app(session_factory, tmp_path, "https://feeds.example.org", [NOW])
    folder = tmp_path / "calendar"
    folder.mkdir()
    async with serve(app, host="127.0.0.1", port=0) as port:
        await _vdirsyncer(f"http://127.0.0.1:{port}/feeds/{token}.ics", folder, SqliteStatus())
    items = sorted(folder.glob("*.ics"))
    assert len(items) == await _milestones(session_factory) > 23
    for item in items:
        calendar = icalendar.Calendar.from_ical(item.read_bytes())
        assert len(calendar.walk("VEVENT")) == 1


async def test_two_installations_feeds_in_one_calendar(
    session_factory: Sessions, tmp_path: Path
) -> None:
    """The same plan in two databases: both feeds in one calendar kept by UID keep every event."""
    # The calendar is a vdir, as khal reads it; an import into Google or Outlook merges by UID
    # the same way.
    await setup(session_factory)
    other_engine: AsyncEngine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'other.sqlite3'}")
    await upgrade(other_engine)
    other = create_session_factory(other_engine)
    folder = tmp_path / "calendar"
    folder.mkdir()
    calendar = FilesystemStorage(str(folder), ".ics")
    try:
        await setup(other)
        installations = [
            (session_factory, "https://feeds.ministry-a.example"),
            (other, "http://localhost:8080"),
        ]
        for sessions, base_url in installations:
            token = await _plan_link(sessions)
            app = _app(sessions, tmp_path, base_url, [NOW])
            async with serve(app, host="127.0.0.1", port=0) as port, httpx.AsyncClient() as client:
                body = (await client.get(f"http://127.0.0.1:{port}/feeds/{token}.ics")).text
            for raw in split_collection(body):
                await calendar.upload(Item(raw))  # AlreadyExistingError on a repeated UID
        expected = await _milestones(session_factory) + await _milestones(other)
    finally:
        await other_engine.dispose()
    uids = [str(e["UID"]) for f in folder.glob("*.ics") for e in _events(f.read_bytes())]
    assert len(set(uids)) == len(uids) == expected
    domains = {uid.partition("@")[2] for uid in uids}
    assert len(domains) == 2
    assert "feeds.ministry-a.example" in domains


def _events(body: bytes) -> list[icalendar.Component]:
    """The events of an .ics file."""
    return list(icalendar.Calendar.from_ical(body).walk("VEVENT"))


async def test_gzip_once_and_either_validator(session_factory: Sessions, tmp_path: Path) -> None:
    """gzip when accepted (its own ETag), the same calendar inside; either tag gets a 304."""
    await setup(session_factory)
    token = await _plan_link(session_factory)
    app = _app(session_factory, tmp_path, "https://feeds.example.org", [NOW])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://x") as client:
        plain = await client.get(f"/feeds/{token}.ics", headers={"Accept-Encoding": "identity"})
        packed = await client.get(f"/feeds/{token}.ics", headers={"Accept-Encoding": "gzip"})
        refused = await client.get(
            f"/feeds/{token}.ics", headers={"Accept-Encoding": "gzip;q=0, identity"}
        )
        raw = await client.send(
            client.build_request("GET", f"/feeds/{token}.ics", headers={"Accept-Encoding": "gzip"}),
            stream=True,
        )
        compressed = b"".join([chunk async for chunk in raw.aiter_raw()])
        await raw.aclose()
        checks = [
            await client.get(
                f"/feeds/{token}.ics", headers={"If-None-Match": tag, "Accept-Encoding": coding}
            )
            for tag in (plain.headers["etag"], packed.headers["etag"])
            for coding in ("gzip", "identity")
        ]
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in refused.headers
    assert packed.headers["vary"] == "Accept-Encoding"
    assert packed.headers["etag"] != plain.headers["etag"]
    assert gzip.decompress(compressed) == plain.content == packed.content
    assert len(compressed) < len(plain.content) / 4
    assert [c.status_code for c in checks] == [304] * 4


async def test_an_unchanged_feed_costs_one_query(
    session_factory: Sessions, engine: AsyncEngine, tmp_path: Path
) -> None:
    """After the first build a 304 and a repeated 200 read only the token (and the version)."""
    await setup(session_factory)
    token = await _plan_link(session_factory)
    app = _app(session_factory, tmp_path, "https://feeds.example.org", [NOW])
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://x") as client:
        first = await client.get(f"/feeds/{token}.ics")
        event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            again = await client.get(f"/feeds/{token}.ics")
            cached = await client.get(
                f"/feeds/{token}.ics", headers={"If-None-Match": first.headers["etag"]}
            )
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert (again.status_code, cached.status_code) == (200, 304)
    assert again.content == first.content
    assert len(statements) == 2
    assert all("feed_token" in s and "feed_data_version" in s for s in statements)


async def test_the_clock_turning_a_light_changes_the_validators(
    session_factory: Sessions, tmp_path: Path
) -> None:
    """No write, but a light turns yellow: new ETag and Last-Modified, and a 200."""
    await setup(session_factory)
    token = await _plan_link(session_factory)
    clock = [NOW + dt.timedelta(days=27)]
    app = _app(session_factory, tmp_path, "https://feeds.example.org", clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://x") as client:
        before = await client.get(f"/feeds/{token}.ics")
        clock[0] = NOW + dt.timedelta(days=29)
        after = await client.get(
            f"/feeds/{token}.ics",
            headers={
                "If-None-Match": before.headers["etag"],
                "If-Modified-Since": before.headers["last-modified"],
            },
        )
        since = await client.get(
            f"/feeds/{token}.ics", headers={"If-Modified-Since": before.headers["last-modified"]}
        )
    assert after.status_code == since.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert before.headers["last-modified"] == "Tue, 01 Mar 2016 02:00:00 GMT"
    assert after.headers["last-modified"] == "Tue, 29 Mar 2016 02:00:00 GMT"
