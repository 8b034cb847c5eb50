"""Deadline reminders: the periodic sweep that queues them, and how one reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import Application

from bot.chat.callbacks import pack
from bot.chat.handlers.mytasks import OPEN as OPEN_TASK
from bot.chat.task_card import MILESTONE_KINDS, task_title
from bot.delivery.sender import Rendered, renderer
from bot.delivery.sweeps import leader_job, run_sweep
from bot.i18n import tr, trn
from bot.render import esc, fmt_date, trim
from bot.runtime import RUNTIME_KEY, Runtime
from workflows.outbox.sending import OutgoingMessage
from workflows.reminders import (
    REMINDER_KIND,
    ReminderView,
    plan_deadline_reminders,
    reminder_message,
)

JOB_NAME = "deadline-reminders"
SWEEP_INTERVAL_SECONDS = 300
REMINDER_TEXT_WIDTH = 300


def _when(view: ReminderView, language: str) -> str:
    """Days left, today, or overdue, in words."""
    if view.days_left > 0:
        return trn(
            language, "{days} day left.", "{days} days left.", view.days_left, days=view.days_left
        )
    if view.days_left == 0:
        return tr(language, "That is today.")
    return trn(
        language,
        "Overdue by {days} day.",
        "Overdue by {days} days.",
        -view.days_left,
        days=-view.days_left,
    )


def reminder_text(view: ReminderView, language: str, *, late: bool) -> str:
    """The reminder's HTML text."""
    label = view.label or tr(language, MILESTONE_KINDS.get(view.kind, view.kind))
    date = fmt_date(view.on_date, language)
    if view.holiday:
        date = tr(language, "{date} (holiday)", date=date)
    heading = tr(language, "⏳ <b>Deadline reminder</b>")
    if late:
        heading += " " + tr(language, "(late: the bot was offline)")
    return "\n".join(
        [
            heading,
            task_title(view.plan_code, view.task_number, language),
            esc(trim(view.task_text, REMINDER_TEXT_WIDTH)),
            tr(
                language,
                "{label}: {date}. {when}",
                label=esc(label),
                date=date,
                when=_when(view, language),
            ),
            "",
            tr(language, "Please report on this task now."),
        ]
    )


def reminder_renderer(
    clock: Callable[[], dt.datetime],
) -> Callable[[OutgoingMessage, AsyncSession], Any]:
    """A renderer for reminders that counts the days left on the running bot's clock."""

    async def render_reminder(message: OutgoingMessage, session: AsyncSession) -> Rendered | None:
        """A deadline reminder; nothing when its milestone moved or its task is not open."""
        view = await reminder_message(
            session,
            milestone_id=int(message.payload["milestone_id"]),
            on_date=dt.date.fromisoformat(str(message.payload["on_date"])),
            now=clock(),
        )
        if view is None:
            return None
        language = message.language
        report = InlineKeyboardButton(
            tr(language, "Report now"), callback_data=pack(OPEN_TASK, view.task_id)
        )
        text = reminder_text(view, language, late=message.late)
        return Rendered(text, InlineKeyboardMarkup([[report]]), view.task_id)

    return render_reminder


async def sweep(runtime: Runtime) -> int:
    """Queue the reminders that are due and wake the sender; errors are logged, not raised."""
    return await run_sweep(
        runtime,
        "deadline reminder",
        lambda session, settings, now: plan_deadline_reminders(
            session,
            now=now,
            offsets=settings.reminder_offsets,
            quiet_start=settings.quiet_start,
            quiet_end=settings.quiet_end,
        ),
    )


on_sweep = leader_job(JOB_NAME, sweep)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Register the reminder renderer and the sweep every five minutes."""
    runtime = application.bot_data[RUNTIME_KEY]
    assert isinstance(runtime, Runtime)
    renderer(REMINDER_KIND)(reminder_renderer(runtime.now))
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            on_sweep, interval=SWEEP_INTERVAL_SECONDS, first=5, name=JOB_NAME
        )
