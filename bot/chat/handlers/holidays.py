"""/holidays [YEAR] for coordinators, and the weekly request for next year's notice."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from babel.dates import get_day_names
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.chat.commands import incoming, reply_html, today
from bot.chat.errors import language_of
from bot.delivery.sender import Rendered, renderer
from bot.delivery.sweeps import leader_job, run_sweep
from bot.i18n import N_, tr, trn
from bot.render import esc, fmt_date
from bot.runtime import Runtime, runtime_of
from workflows.errors import InvalidInputError
from workflows.holiday_calendar import NOTICE, SEEDED, YearView, holidays_overview
from workflows.holiday_requests import (
    NOTICE_REQUEST_KIND,
    NoticeRequest,
    notice_request,
    plan_notice_requests,
)
from workflows.outbox.sending import OutgoingMessage

JOB_NAME = "holiday-notice-requests"
SWEEP_INTERVAL_SECONDS = 1800
_YEAR = re.compile(r"(\d{4})\s*年?")
NAMES: dict[str, str] = {
    "元旦": N_("New Year's Day"),
    "春节": N_("Spring Festival"),
    "清明节": N_("Qingming Festival"),
    "劳动节": N_("Labour Day"),
    "端午节": N_("Dragon Boat Festival"),
    "中秋节": N_("Mid-Autumn Festival"),
    "国庆节": N_("National Day"),
}


def holidays_year(text: str, this_year: int) -> int:
    """/holidays' year: none (this year), 2027 or 2027年."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if not cleaned:
        return this_year
    match = _YEAR.fullmatch(cleaned)
    if match is None:
        raise InvalidInputError("Usage: /holidays [YEAR], e.g. /holidays 2027")
    return int(match.group(1))


def holiday_name(name: str, language: str) -> str:
    """A holiday's name as stored (中秋节、国庆节), in the member's language."""
    if language == "zh" or not name:
        return name
    parts = name.split("、")
    return " / ".join(tr(language, NAMES[part]) if part in NAMES else part for part in parts)


def _day(day: dt.date, language: str, year: int) -> str:
    """A day with its weekday: 2月14日（周日） / Sun 14 Feb, with the year when not `year`."""
    weekday = get_day_names("abbreviated", locale=language)[day.weekday()]
    if language == "zh":
        text = f"{day.month}月{day.day}日（{weekday}）"
        return text if day.year == year else f"{day.year}年{text}"
    text = f"{weekday} {day.day} {day:%b}"
    return text if day.year == year else f"{text} {day.year}"


def _source(view: YearView, language: str) -> str:
    """Where the year's calendar came from, in one line."""
    if view.source == SEEDED:
        return tr(language, "Source: the chinese-calendar package ({note}).", note=esc(view.note))
    if view.source == NOTICE and view.updated_at is not None:
        line = tr(
            language,
            "Source: the State Council's notice, imported {date}.",
            date=fmt_date(view.updated_at.date(), language),
        )
        return line + (f" {esc(view.note)}" if view.note else "")
    return ""


def holidays_text(view: YearView, language: str) -> str:
    """A year's holidays and worked weekend days, or what is missing, as HTML."""
    year = view.year
    if not view.covered and not view.periods and not view.working:
        lines = [
            tr(language, "📅 <b>{year}: no holidays known yet</b>", year=year),
            tr(
                language,
                "The working-day calendar covers up to {last}. Until the State Council's notice "
                "for {year} is imported, reminders and escalations count Monday to Friday as "
                "working days in {year}.",
                last=view.last_year or "—",
                year=year,
            ),
            tr(
                language,
                "To import it: <code>annexbot holidays import FILE</code> on the server.",
            ),
        ]
        return "\n".join(lines)
    lines = [tr(language, "📅 <b>Holidays {year}</b>", year=year)]
    for period in view.periods:
        span = _day(period.first, language, year)
        if period.days > 1:
            span += ("至" if language == "zh" else " – ") + _day(period.last, language, year)
        days = trn(language, "{days} day", "{days} days", period.days, days=period.days)
        colon = "：" if language == "zh" else ": "
        lines.append(f"{esc(holiday_name(period.name, language))}{colon}{span} · {days}")
    if view.working:
        worked = ("、" if language == "zh" else ", ").join(
            _day(day, language, year) for day, _ in view.working
        )
        lines += ["", tr(language, "Worked weekend days: {days}", days=worked)]
    source = _source(view, language)
    if source:
        lines += ["", source]
    if not view.covered:
        lines.append(tr(language, "Single days only: the year's notice is not imported."))
    return "\n".join(lines)


async def on_holidays(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/holidays [YEAR]: a year's holidays and adjusted working days (coordinators)."""
    message, user_id, text = incoming(update)
    runtime = runtime_of(context)
    year = holidays_year(text, today(context).year)
    async with runtime.session() as session:
        view = await holidays_overview(session, telegram_id=user_id, year=year)
    await reply_html(message, [holidays_text(view, await language_of(update, context))])


def request_text(request: NoticeRequest, language: str) -> str:
    """The weekly request for a year's notice, as HTML."""
    return "\n".join(
        [
            tr(language, "📅 <b>The holidays of {year}, please</b>", year=request.year),
            tr(
                language,
                "The working-day calendar covers up to {last}. Until the State Council's notice "
                "for {year} is imported, reminders and escalations count Monday to Friday as "
                "working days in {year}: they would go out on 元旦 and during the Spring "
                "Festival.",
                last=request.last_year or "—",
                year=request.year,
            ),
            tr(
                language,
                "When 国务院办公厅关于{year}年部分节假日安排的通知 is published, please have it "
                "imported on the server: <code>annexbot holidays import FILE</code>. "
                "I will ask every week until then.",
                year=request.year,
            ),
        ]
    )


async def render_request(message: OutgoingMessage, session: AsyncSession) -> Rendered | None:
    """The request for a notice; nothing once it has been imported."""
    request = await notice_request(session, year=int(message.payload["year"]))
    return None if request is None else Rendered(request_text(request, message.language))


async def sweep(runtime: Runtime) -> int:
    """Queue this week's request for a missing notice; errors are logged, not raised."""
    return await run_sweep(
        runtime,
        "holiday notice request",
        lambda session, settings, now: plan_notice_requests(
            session,
            now=now,
            timezone=settings.timezone,
            quiet_start=settings.quiet_start,
            quiet_end=settings.quiet_end,
        ),
    )


on_sweep = leader_job(JOB_NAME, sweep)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /holidays, the request's renderer and its sweep every half hour."""
    application.add_handler(CommandHandler("holidays", on_holidays))
    renderer(NOTICE_REQUEST_KIND)(render_request)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            on_sweep, interval=SWEEP_INTERVAL_SECONDS, first=10, name=JOB_NAME
        )
