"""Feeds of several plans name each task's plan; a plan's link is named by its document number."""

from __future__ import annotations

import icalendar
from sqlalchemy import select, update

from db.enums import FeedScope
from db.models import Agency, FeedToken
from tests.kit.reports import BOSS, NOW, Sessions, setup
from workflows.feeds.calendar import export_calendar
from workflows.feeds.links import list_links, request_link
from workflows.importing.model import DocumentInfo
from workflows.importing.service import bundled_annex, import_annex

SECOND = ("gf-2019-3", "国发〔2019〕3号")


async def two_plans(sessions: Sessions) -> None:
    """The bundled plan (国发〔2015〕5号) and a second document with the same tasks and units."""
    await setup(sessions)
    async with sessions() as session:
        await import_annex(
            session=session,
            data=bundled_annex("gf-2015-5"),
            now=NOW,
            timezone="Asia/Shanghai",
            plan_code=SECOND[0],
            document=DocumentInfo(number=SECOND[1], title=None),
        )


def summaries(body: bytes) -> list[str]:
    """Every event's SUMMARY."""
    return [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")]


async def test_an_agency_feed_across_plans_names_each_tasks_plan(session_factory: Sessions) -> None:
    """公安部's feed spans two plans: every summary starts with its plan's document number,
    the same tasks in each; a one-plan feed's summaries are as before."""
    await two_plans(session_factory)
    async with session_factory() as session:
        agency_id = await session.scalar(select(Agency.id).where(Agency.name == "公安部"))
        assert agency_id is not None
        both = await export_calendar(session, agency_id=agency_id, bot_url="", now=NOW)
        one = await export_calendar(session, plan_code="gf-2019-3", bot_url="", now=NOW)
    by_plan: dict[str, set[str]] = {}
    for summary in summaries(both):
        label, rest = summary.split(" · ", 1)
        by_plan.setdefault(label, set()).add(rest.split(".")[0])
    assert by_plan == {
        "国发〔2015〕5号": {"6", "8", "10", "11", "17", "20"},
        "国发〔2019〕3号": {"6", "8", "10", "11", "17", "20"},
    }
    plain = summaries(one)
    assert plain
    assert all(s.split(".")[0].isdigit() for s in plain)


async def test_a_plans_link_is_named_by_its_document_number(session_factory: Sessions) -> None:
    """/calendar PLAN's link is titled 国发〔2019〕3号, not its code; a link made when titles
    showed the code lists by the document number too."""
    await two_plans(session_factory)
    async with session_factory() as session:
        issued = await request_link(
            session=session, telegram_id=BOSS, scope=FeedScope.PLAN, now=NOW, plan_code="gf-2019-3"
        )
        assert issued.view.label == "国发〔2019〕3号"
        assert issued.view.plan == "gf-2019-3"
        await session.execute(update(FeedToken).values(label="gf-2019-3"))
        await session.commit()
        _, views = await list_links(session=session, telegram_id=BOSS)
    assert [v.label for v in views] == ["国发〔2019〕3号"]
