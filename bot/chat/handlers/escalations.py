"""Overdue nudges, escalations and unacknowledged-task reminders: the sweep and how they read."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import Application

from bot.chat.callbacks import pack
from bot.chat.handlers.mytasks import OPEN as OPEN_TASK
from bot.chat.handlers.notices import render_notice
from bot.chat.task_card import MILESTONE_KINDS, task_title, unit_name
from bot.delivery.grouped import Entry, EntryRenderer, entry_renderer
from bot.delivery.sender import Rendered, renderer
from bot.delivery.sweeps import FIRST_SWEEP_SECONDS, SWEEP_INTERVAL_SECONDS, leader_job
from bot.i18n import tr, trn
from bot.live_settings import effective_settings, settings_in
from bot.render import esc, fmt_date, role_label, trim
from bot.runtime import RUNTIME_KEY, Runtime
from bot.settings import Settings
from workflows.acknowledgements import (
    ACK_ESCALATION_KIND,
    ACK_REMINDER_KIND,
    AckEscalationView,
    ack_escalation_message,
    plan_acknowledgement_messages,
)
from workflows.escalations import (
    COORDINATORS,
    DEPUTY,
    ESCALATION_KIND,
    NUDGE_KIND,
    OverdueView,
    overdue_message,
    plan_overdue_messages,
)
from workflows.notices import notice_items
from workflows.outbox.sending import OutgoingMessage

log = logging.getLogger(__name__)
JOB_NAME = "overdue-escalations"
TEXT_WIDTH = 200
LIST_WIDTH = 60
Render = Callable[[OutgoingMessage, AsyncSession], Awaitable[Rendered | None]]


def _heading(text: str, language: str, late: bool) -> str:
    """A bold heading, noting a message the bot sends late after being offline."""
    heading = f"<b>{text}</b>"
    return heading + " " + tr(language, "(late: the bot was offline)") if late else heading


def _overdue_line(view: OverdueView, language: str) -> str:
    """截止：2016年3月8日。已逾期 5 天。"""
    label = view.label or tr(language, MILESTONE_KINDS.get(view.kind, view.kind))
    return tr(
        language,
        "{label}: {date}. {when}",
        label=esc(label),
        date=fmt_date(view.on_date, language),
        when=trn(
            language,
            "Overdue by {days} day.",
            "Overdue by {days} days.",
            view.days_overdue,
            days=view.days_overdue,
        ),
    )


def _unit_lines(view: OverdueView, language: str) -> list[str]:
    """The task's units and which of them are silent."""
    sep, role = ("、", "{}（{}）") if language == "zh" else (", ", "{} ({})")
    units = sep.join(
        role.format(esc(unit_name(u.agency, u.agency_en, language)), role_label(u.role, language))
        for u in view.units
    )
    if len(view.units) > 1 and len(view.silent) == len(view.units):
        silent = tr(language, "all of them")  # not the list of units a second time
    else:
        silent = sep.join(esc(unit_name(u.agency, u.agency_en, language)) for u in view.silent)
    return [
        tr(language, "Units: {units}", units=units),
        tr(language, "Silent: {agencies}", agencies=silent or tr(language, "none")),
    ]


def overdue_text(view: OverdueView, language: str, *, audience: str | None, late: bool) -> str:
    """A nudge (audience None) or an escalation to a deputy or the coordinators, as HTML."""
    if audience is None:
        heading = tr(language, "⏰ Overdue task")
    elif audience == DEPUTY:
        heading = tr(language, "🔺 Overdue task of your agency")
    else:
        heading = tr(language, "🚨 Escalation: overdue task")
    lines = [
        _heading(heading, language, late),
        task_title(view.plan_code, view.task_number, language),
        esc(trim(view.task_text, TEXT_WIDTH)),
        _overdue_line(view, language),
    ]
    if audience is not None:
        lines += _unit_lines(view, language)
    if audience != COORDINATORS:
        lines += ["", tr(language, "Please report on this task now.")]
    return "\n".join(lines)


async def _view(
    message: OutgoingMessage, session: AsyncSession, now: dt.datetime, base: Settings
) -> OverdueView | None:
    """The overdue task a queued message is about, as of now (None once it no longer applies)."""
    return await overdue_message(
        session,
        milestone_id=int(message.payload["milestone_id"]),
        on_date=dt.date.fromisoformat(str(message.payload["on_date"])),
        now=now,
        checkin_days=(await settings_in(session, base)).checkin_days,
    )


def overdue_renderer(clock: Callable[[], dt.datetime], base: Settings) -> Render:
    """A renderer for nudges and escalations that counts days on the running bot's clock."""

    async def render_overdue(message: OutgoingMessage, session: AsyncSession) -> Rendered | None:
        """An overdue message; nothing once the date moved or the task is no longer open."""
        view = await _view(message, session, clock(), base)
        if view is None:
            return None
        language = message.language
        audience = message.payload.get("audience")
        audience = str(audience) if audience is not None else None
        if audience == COORDINATORS:
            label = tr(language, "Open the task")
        else:
            label = tr(language, "Report now")
        button = InlineKeyboardButton(label, callback_data=pack(OPEN_TASK, view.task_id))
        text = overdue_text(view, language, audience=audience, late=message.late)
        return Rendered(text, InlineKeyboardMarkup([[button]]), view.task_id)

    return render_overdue


def overdue_entry(clock: Callable[[], dt.datetime], base: Settings) -> EntryRenderer:
    """How one nudge or escalation reads inside a grouped message, on the bot's clock."""

    async def render_entry(message: OutgoingMessage, session: AsyncSession) -> Entry | None:
        """An overdue task's lines; nothing once the date moved or the task is no longer open."""
        view = await _view(message, session, clock(), base)
        if view is None:
            return None
        language = message.language
        audience = message.payload.get("audience")
        if audience is None:
            section, order = tr(language, "⏰ Overdue tasks"), 3
        elif audience == DEPUTY:
            section, order = tr(language, "🔺 Overdue tasks of your agency"), 4
        else:
            section, order = tr(language, "🚨 Escalation: overdue tasks"), 5
        title = task_title(view.plan_code, view.task_number, language, with_plan=False)
        lines = [
            f"• {title} {_overdue_line(view, language)}",
            f"  {esc(trim(view.task_text, LIST_WIDTH))}",
        ]
        if audience is not None:
            lines += [f"  {line}" for line in _unit_lines(view, language)]
        footer = (
            "" if audience == COORDINATORS else tr(language, "Please report on these tasks now.")
        )
        return Entry(
            section=f"<b>{section}</b>",
            order=order,
            plan=view.plan_code,
            task_id=view.task_id,
            task_number=view.task_number,
            button_data=pack(OPEN_TASK, view.task_id),
            lines=tuple(lines),
            footer=footer,
        )

    return render_entry


async def render_ack_reminder(message: OutgoingMessage, session: AsyncSession) -> Rendered | None:
    """A reminder of tasks not yet signed for, with their 签收 buttons; nothing if all are."""
    items = await notice_items(session, [int(a) for a in message.payload["assignments"]])
    items = [item for item in items if item.acknowledged_at is None]
    if not items:
        return None
    language = message.language
    text, buttons = render_notice(items, language)
    heading = _heading(tr(language, "⏰ Not yet acknowledged"), language, message.late)
    return Rendered(f"{heading}\n{text}", buttons, items[0].task_id if len(items) == 1 else None)


def _agency(view: AckEscalationView, language: str) -> str:
    """The agency that has not signed, as a reader of the language knows it."""
    return unit_name(view.agency, view.agency_en, language)


def ack_escalation_text(view: AckEscalationView, language: str, *, late: bool) -> str:
    """The coordinators' list of an agency's tasks still not signed for, as HTML."""
    lines = [
        _heading(tr(language, "🚨 Not acknowledged"), language, late),
        tr(language, "{agency} has not signed for:", agency=esc(_agency(view, language))),
    ]
    for task in view.tasks:
        title = task_title(task.plan_code, task.task_number, language)
        role = role_label(task.role, language)
        lines.append(f"• {title} · {role} — {esc(trim(task.task_text, LIST_WIDTH))}")
    return "\n".join(lines)


async def render_ack_escalation(message: OutgoingMessage, session: AsyncSession) -> Rendered | None:
    """An unacknowledged-tasks escalation; nothing once all were signed for."""
    view = await ack_escalation_message(
        session,
        agency_id=int(message.payload["agency_id"]),
        assignment_ids=[int(a) for a in message.payload["assignments"]],
    )
    if view is None:
        return None
    task_id = view.tasks[0].task_id if len(view.tasks) == 1 else None
    return Rendered(ack_escalation_text(view, message.language, late=message.late), None, task_id)


async def ack_escalation_entries(message: OutgoingMessage, session: AsyncSession) -> list[Entry]:
    """An agency's unsigned tasks inside a coordinator's grouped message, one entry each."""
    view = await ack_escalation_message(
        session,
        agency_id=int(message.payload["agency_id"]),
        assignment_ids=[int(a) for a in message.payload["assignments"]],
    )
    if view is None:
        return []
    language = message.language
    heading = tr(language, "🚨 Not signed for by {agency}", agency=esc(_agency(view, language)))
    return [
        Entry(
            section=f"<b>{heading}</b>",
            order=6,
            plan=task.plan_code,
            task_id=task.task_id,
            task_number=task.task_number,
            button_data=pack(OPEN_TASK, task.task_id),
            lines=(
                f"• {task_title(task.plan_code, task.task_number, language, with_plan=False)}"
                f" · {role_label(task.role, language)} — {esc(trim(task.task_text, LIST_WIDTH))}",
            ),
        )
        for task in view.tasks
    ]


async def sweep(runtime: Runtime) -> int:
    """Queue due overdue and acknowledgement messages and wake the sender; never raises."""
    try:
        settings = await effective_settings(runtime)
    except Exception:
        log.exception("overdue and acknowledgement sweeps failed to read the settings")
        return 0
    hours = {"quiet_start": settings.quiet_start, "quiet_end": settings.quiet_end}
    queued = 0
    try:
        async with runtime.session() as session:
            queued += await plan_overdue_messages(
                session,
                now=runtime.now(),
                escalate_after=settings.escalate_after_working_days,
                **hours,
            )
    except Exception:
        log.exception("overdue sweep failed")
    try:
        async with runtime.session() as session:
            queued += await plan_acknowledgement_messages(
                session,
                now=runtime.now(),
                reminder_days=settings.ack_reminder_working_days,
                escalation_days=settings.ack_escalation_working_days,
                **hours,
            )
    except Exception:
        log.exception("acknowledgement sweep failed")
    runtime.wake_sender()
    return queued


on_sweep = leader_job(JOB_NAME, sweep)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Register the renderers and the sweep every five minutes."""
    runtime = application.bot_data[RUNTIME_KEY]
    assert isinstance(runtime, Runtime)
    render_overdue = overdue_renderer(runtime.now, runtime.settings)
    renderer(NUDGE_KIND)(render_overdue)
    renderer(ESCALATION_KIND)(render_overdue)
    render_entry = overdue_entry(runtime.now, runtime.settings)
    entry_renderer(NUDGE_KIND)(render_entry)
    entry_renderer(ESCALATION_KIND)(render_entry)
    renderer(ACK_REMINDER_KIND)(render_ack_reminder)
    renderer(ACK_ESCALATION_KIND)(render_ack_escalation)
    entry_renderer(ACK_ESCALATION_KIND)(ack_escalation_entries)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            on_sweep, interval=SWEEP_INTERVAL_SECONDS, first=FIRST_SWEEP_SECONDS, name=JOB_NAME
        )
