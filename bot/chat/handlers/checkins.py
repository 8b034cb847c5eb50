"""Check-ins: the periodic sweep that asks agencies for a status, and how a prompt reads."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import Application

from bot.chat.callbacks import pack
from bot.chat.handlers.mytasks import OPEN as OPEN_TASK
from bot.chat.handlers.mytasks import STATUS_LABELS
from bot.chat.task_card import task_title, unit_name
from bot.delivery.grouped import Entry, entry_renderer
from bot.delivery.sender import Rendered, renderer
from bot.delivery.sweeps import FIRST_SWEEP_SECONDS, SWEEP_INTERVAL_SECONDS, leader_job, run_sweep
from bot.i18n import tr
from bot.render import esc, fmt_datetime, role_label, trim
from bot.runtime import Runtime
from workflows.checkins import (
    FOLLOW_UP_KIND,
    PROMPT_KIND,
    CheckinView,
    checkin_message,
    plan_checkins,
)
from workflows.outbox.sending import OutgoingMessage

JOB_NAME = "checkins"
CHECKIN_TEXT_WIDTH = 300
ENTRY_TEXT_WIDTH = 60


def _last_report(view: CheckinView, language: str) -> str:
    """The agency's last report in one line, or that there is none."""
    report = view.last_report
    if report is None:
        return tr(language, "No report from your agency yet.")
    status = tr(language, STATUS_LABELS.get(str(report.status), str(report.status)))
    percent = f" {report.percent}%" if report.percent is not None else ""
    when = fmt_datetime(report.reported_at, zoneinfo.ZoneInfo(view.timezone), language)
    return tr(language, "Last report: {status} ({when})", status=esc(status) + percent, when=when)


def checkin_text(view: CheckinView, language: str, *, follow_up: bool, late: bool) -> str:
    """The prompt's (or follow-up's) HTML text."""
    if follow_up:
        heading = tr(language, "🔔 <b>Status check-in: still waiting</b>")
    else:
        heading = tr(language, "📋 <b>Status check-in</b>")
    if late:
        heading += " " + tr(language, "(late: the bot was offline)")
    ask = (
        tr(language, "Your agency has not reported yet. Please report now.")
        if follow_up
        else tr(language, "Where does your agency's part stand? Please report.")
    )
    role = tr(
        language,
        "{agency} ({role})",
        agency=esc(unit_name(view.agency, view.agency_en, language)),
        role=esc(role_label(view.role, language)),
    )
    return "\n".join(
        [
            heading,
            task_title(view.plan_code, view.task_number, language),
            esc(trim(view.task_text, CHECKIN_TEXT_WIDTH)),
            role,
            _last_report(view, language),
            "",
            ask,
        ]
    )


async def _view(message: OutgoingMessage, session: AsyncSession) -> CheckinView | None:
    """The check-in a queued message is about (None once the task closed or the agency spoke)."""
    return await checkin_message(
        session,
        task_id=int(message.payload["task_id"]),
        agency_id=int(message.payload["agency_id"]),
        since=dt.datetime.fromisoformat(str(message.payload["since"])),
    )


async def render_checkin(message: OutgoingMessage, session: AsyncSession) -> Rendered | None:
    """A check-in prompt or follow-up; nothing when the task closed or the agency reported."""
    view = await _view(message, session)
    if view is None:
        return None
    language = message.language
    report = InlineKeyboardButton(
        tr(language, "Report now"), callback_data=pack(OPEN_TASK, view.task_id)
    )
    follow_up = message.kind == FOLLOW_UP_KIND
    text = checkin_text(view, language, follow_up=follow_up, late=message.late)
    return Rendered(text, InlineKeyboardMarkup([[report]]), view.task_id)


async def checkin_entry(message: OutgoingMessage, session: AsyncSession) -> Entry | None:
    """How one check-in reads inside a grouped message; nothing when it has nothing to ask."""
    view = await _view(message, session)
    if view is None:
        return None
    language = message.language
    follow_up = message.kind == FOLLOW_UP_KIND
    if follow_up:
        section = tr(language, "🔔 <b>Status check-ins: still waiting</b>")
        ask = tr(language, "Your agency has not reported on these yet. Please report now.")
    else:
        section = tr(language, "📋 <b>Status check-ins</b>")
        ask = tr(language, "Where does your agency's part of each stand? Please report.")
    title = task_title(view.plan_code, view.task_number, language, with_plan=False)
    role = tr(
        language,
        "{agency} ({role})",
        agency=esc(unit_name(view.agency, view.agency_en, language)),
        role=esc(role_label(view.role, language)),
    )
    return Entry(
        section=section,
        order=2 if follow_up else 1,
        plan=view.plan_code,
        task_id=view.task_id,
        task_number=view.task_number,
        button_data=pack(OPEN_TASK, view.task_id),
        lines=(
            f"• {title} · {role}",
            f"  {esc(trim(view.task_text, ENTRY_TEXT_WIDTH))}",
            f"  {_last_report(view, language)}",
        ),
        footer=ask,
    )


async def sweep(runtime: Runtime) -> int:
    """Queue the check-ins that are due and wake the sender; errors are logged, not raised."""
    return await run_sweep(
        runtime,
        "check-in",
        lambda session, settings, now: plan_checkins(
            session,
            now=now,
            every_days=settings.checkin_days,
            follow_up_working_days=settings.checkin_follow_up_working_days,
            quiet_start=settings.quiet_start,
            quiet_end=settings.quiet_end,
        ),
    )


on_sweep = leader_job(JOB_NAME, sweep)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Register the check-in renderers and the sweep, on the member sweeps' cadence."""
    renderer(PROMPT_KIND)(render_checkin)
    renderer(FOLLOW_UP_KIND)(render_checkin)
    entry_renderer(PROMPT_KIND)(checkin_entry)
    entry_renderer(FOLLOW_UP_KIND)(checkin_entry)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            on_sweep, interval=SWEEP_INTERVAL_SECONDS, first=FIRST_SWEEP_SECONDS, name=JOB_NAME
        )
