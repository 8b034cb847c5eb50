"""What each role reads: the task card, the digest, the exports, the feeds and the .ics agree."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import FeedScope
from db.models import Agency, Plan
from tests.kit.reports import BOSS, CO, LEAD, NOW, OTHER, Sessions, setup, task_id
from workflows.digest.content import agency_digest, coordinator_digest
from workflows.exports import build_export, member_export_target
from workflows.feeds.calendar import build_feed, export_calendar
from workflows.feeds.links import request_link
from workflows.feeds.model import FeedOptions
from workflows.feeds.tokens import lookup
from workflows.reports import add_note, save_report, task_card

LATER = NOW + dt.timedelta(hours=2)
NOTES = {"科技部": "lead-note-科技部-α", "发展改革委": "co-note-发展改革委-β"}
ROLES = {"coordinator": BOSS, "lead": LEAD, "co": CO, "unassigned": OTHER}


async def _reported(sessions: Sessions) -> int:
    """Task 3 (科技部 leads, 发展改革委 co-handles), with a note from each agency."""
    await setup(sessions)
    async with sessions() as session:
        task = await task_id(session, 3)
        for member in (LEAD, CO):
            await save_report(
                session,
                telegram_id=member,
                task_id=task,
                status="on_track",
                percent=40,
                token=0,
                now=NOW,
            )
        await add_note(session, telegram_id=LEAD, task_id=task, text=NOTES["科技部"], now=LATER)
        await add_note(session, telegram_id=CO, task_id=task, text=NOTES["发展改革委"], now=LATER)
    return task


def _notes_in(text: str) -> set[str]:
    """Which of the two agencies' notes a text shows."""
    return {agency for agency, note in NOTES.items() if note in text}


def _feed_notes(body: bytes, number: int = 3) -> set[str]:
    """The notes a feed's events of one task show (parsed, so folding does not hide any)."""
    calendar = icalendar.Calendar.from_ical(body)
    found: set[str] = set()
    for event in calendar.walk("VEVENT"):
        if str(event["SUMMARY"]).startswith(f"{number}."):
            found |= _notes_in(str(event["DESCRIPTION"]))
    return found


async def _card(session: AsyncSession, member: int, task: int) -> set[str] | None:
    """Notes on the member's task card, None when the card is refused."""
    try:
        card = await task_card(session, telegram_id=member, task_id=task, now=LATER)
    except Exception:
        return None
    return {r.agency for r in card.reports if r.note and _notes_in(r.note)}


async def _digest(session: AsyncSession, member: int) -> set[str]:
    """Notes in the member's weekly digest (the coordinators' or their agency's)."""
    plan = await session.scalar(select(Plan.id))
    assert plan is not None
    if member == BOSS:
        digest: object = await coordinator_digest(
            session, plan_id=plan, period=NOW.date(), since=NOW, until=LATER, now=LATER
        )
    else:
        target = await member_export_target(session=session, telegram_id=member)
        assert target.agency_id is not None
        digest = await agency_digest(
            session, plan_id=plan, agency_id=target.agency_id, period=NOW.date(), now=LATER
        )
    return _notes_in(repr(digest))


async def _exports(session: AsyncSession, member: int) -> tuple[set[str], set[str]]:
    """Notes in the member's spreadsheet export and in their .ics export."""
    target = await member_export_target(session=session, telegram_id=member)
    data = await build_export(session=session, target=target, now=LATER)
    sheet = _notes_in(repr(data.matrix) + repr(data.history))
    ics = await export_calendar(session, agency_id=target.agency_id, bot_url="", now=LATER)
    return sheet, _feed_notes(ics)


async def _feeds(session: AsyncSession, member: int) -> dict[FeedScope, set[str]]:
    """Notes in every feed the member may ask for, built for the link's holder."""
    scopes = [FeedScope.PLAN] if member == BOSS else [FeedScope.AGENCY, FeedScope.MEMBER]
    scopes.append(FeedScope.TASK)
    found: dict[FeedScope, set[str]] = {}
    for scope in scopes:
        number = 3 if scope is FeedScope.TASK else None
        if scope is FeedScope.TASK and member == OTHER:
            continue
        link = await request_link(
            session=session, telegram_id=member, scope=scope, task_number=number, now=LATER
        )
        assert link.token is not None
        source = (await lookup(session, link.token)).source
        assert source is not None
        options = FeedOptions(uid_domain="test.example.org")
        feed = await build_feed(session, source, options=options, now=LATER)
        found[scope] = _feed_notes(feed.body)
    return found


@pytest.mark.parametrize("role", sorted(ROLES))
async def test_every_view_shows_what_the_card_shows(session_factory: Sessions, role: str) -> None:
    """Each role's feeds show exactly its card's notes; the digest and exports no more."""
    task = await _reported(session_factory)
    member = ROLES[role]
    async with session_factory() as session:
        card = await _card(session, member, task)
        digest = await _digest(session, member)
        sheet, ics = await _exports(session, member)
        feeds = await _feeds(session, member)
    readable = card or set()
    expected = {
        "coordinator": {"科技部", "发展改革委"},
        "lead": {"科技部", "发展改革委"},
        "co": {"发展改革委"},
        "unassigned": set(),
    }[role]
    assert readable == expected
    for scope, notes in feeds.items():
        assert notes == readable, f"{role}'s {scope} feed"
    assert ics == readable
    assert digest <= readable
    assert sheet <= readable


async def test_a_co_responsible_agency_s_feed_keeps_the_public_facts(
    session_factory: Sessions,
) -> None:
    """The co-responsible agency's feed: the task, its units and light, its own report only."""
    await _reported(session_factory)
    async with session_factory() as session:
        agency = await session.scalar(select(Agency).where(Agency.name == "发展改革委"))
        assert agency is not None
        body = await export_calendar(session, agency_id=agency.id, bot_url="", now=LATER)
    events = [
        e
        for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
        if str(e["SUMMARY"]).startswith("3.")
    ]
    assert events
    for event in events:
        text = str(event["DESCRIPTION"])
        assert "牵头：科技部" in text
        assert "状态：" in text
        assert "· 发展改革委" in text
        assert "· 科技部" not in text
        assert NOTES["科技部"] not in text
