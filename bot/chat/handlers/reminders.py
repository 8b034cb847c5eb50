"""Deadline reminders: the periodic sweep that queues them, and how one reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, MessageHandler, filters

from bot.chat.callbacks import pack, unpack
from bot.chat.errors import language_of
from bot.chat.handlers.mytasks import OPEN as OPEN_TASK
from bot.chat.handlers.notes import NOTES_GROUP
from bot.chat.task_card import MILESTONE_KINDS, task_title
from bot.delivery.grouped import Entry, entry_renderer
from bot.delivery.sender import Rendered, renderer
from bot.delivery.sweeps import FIRST_SWEEP_SECONDS, SWEEP_INTERVAL_SECONDS, leader_job, run_sweep
from bot.i18n import tr, trn
from bot.limits import rows
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
REMINDER_TEXT_WIDTH = 300
BUTTONS_PER_ROW = 4
# After the notes (a reply to a message about one task) and before every other handler.
GROUPED_REPLIES_GROUP = NOTES_GROUP + 1
ENTRY_TEXT_WIDTH = 60


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


def _due_line(view: ReminderView, language: str) -> str:
    """中期评估：2016年3月8日。还剩 1 天。"""
    label = view.label or tr(language, MILESTONE_KINDS.get(view.kind, view.kind))
    date = fmt_date(view.on_date, language)
    if view.holiday:
        date = tr(language, "{date} (holiday)", date=date)
    return tr(
        language, "{label}: {date}. {when}", label=esc(label), date=date, when=_when(view, language)
    )


def reminder_text(view: ReminderView, language: str, *, late: bool) -> str:
    """The reminder's HTML text."""
    heading = tr(language, "⏳ <b>Deadline reminder</b>")
    if late:
        heading += " " + tr(language, "(late: the bot was offline)")
    return "\n".join(
        [
            heading,
            task_title(view.plan_code, view.task_number, language),
            esc(trim(view.task_text, REMINDER_TEXT_WIDTH)),
            _due_line(view, language),
            "",
            tr(language, "Please report on this task now."),
        ]
    )


async def _view(
    message: OutgoingMessage, session: AsyncSession, now: dt.datetime
) -> ReminderView | None:
    """The reminder a queued message is about, as of now (None once it no longer applies)."""
    return await reminder_message(
        session,
        milestone_id=int(message.payload["milestone_id"]),
        on_date=dt.date.fromisoformat(str(message.payload["on_date"])),
        now=now,
    )


def reminder_renderer(
    clock: Callable[[], dt.datetime],
) -> Callable[[OutgoingMessage, AsyncSession], Any]:
    """A renderer for reminders that counts the days left on the running bot's clock."""

    async def render_reminder(message: OutgoingMessage, session: AsyncSession) -> Rendered | None:
        """A deadline reminder; nothing when its milestone moved or its task is not open."""
        view = await _view(message, session, clock())
        if view is None:
            return None
        language = message.language
        report = InlineKeyboardButton(
            tr(language, "Report now"), callback_data=pack(OPEN_TASK, view.task_id)
        )
        text = reminder_text(view, language, late=message.late)
        return Rendered(text, InlineKeyboardMarkup([[report]]), view.task_id)

    return render_reminder


def reminder_entry(
    clock: Callable[[], dt.datetime],
) -> Callable[[OutgoingMessage, AsyncSession], Any]:
    """How one reminder reads inside a grouped message, on the running bot's clock."""

    async def render_entry(message: OutgoingMessage, session: AsyncSession) -> Entry | None:
        """A reminder's lines; nothing when its milestone moved or its task is not open."""
        view = await _view(message, session, clock())
        if view is None:
            return None
        language = message.language
        title = task_title(view.plan_code, view.task_number, language, with_plan=False)
        return Entry(
            section=tr(language, "⏳ <b>Deadline reminders</b>"),
            order=0,
            plan=view.plan_code,
            task_id=view.task_id,
            task_number=view.task_number,
            button_data=pack(OPEN_TASK, view.task_id),
            lines=(
                f"• {title} {_due_line(view, language)}",
                f"  {esc(trim(view.task_text, ENTRY_TEXT_WIDTH))}",
            ),
            footer=tr(language, "Please report on these tasks now."),
        )

    return render_entry


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


def task_buttons(message: Message | None) -> list[InlineKeyboardButton]:
    """The buttons of a message that open a task's card."""
    markup = message.reply_markup if message is not None else None
    return [
        button
        for row in (markup.inline_keyboard if markup is not None else ())
        for button in row
        if isinstance(button.callback_data, str) and unpack(button.callback_data)[0] == OPEN_TASK
    ]


class ReplyToGrouped(filters.MessageFilter):
    """A text reply to a bot message about several tasks (a grouped message)."""

    def filter(self, message: Message) -> bool:
        """True when the replied-to message opens more than one task."""
        return len(task_buttons(message.reply_to_message)) > 1


async def on_reply_to_grouped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask which task a reply to a grouped message is about, with a button for each."""
    message = update.effective_message
    if message is None:
        return
    language = await language_of(update, context)
    buttons = task_buttons(message.reply_to_message)
    await message.reply_text(
        tr(
            language,
            "That message is about several tasks. Which one? Open it, then reply to its card.",
        ),
        reply_markup=InlineKeyboardMarkup(rows(buttons, BUTTONS_PER_ROW)),
    )
    raise ApplicationHandlerStop


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Register the reminder renderers, replies to grouped messages, and the sweep."""
    runtime = application.bot_data[RUNTIME_KEY]
    assert isinstance(runtime, Runtime)
    renderer(REMINDER_KIND)(reminder_renderer(runtime.now))
    entry_renderer(REMINDER_KIND)(reminder_entry(runtime.now))
    replies = filters.TEXT & filters.REPLY & ~filters.COMMAND & ReplyToGrouped()
    application.add_handler(
        MessageHandler(replies, on_reply_to_grouped), group=GROUPED_REPLIES_GROUP
    )
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            on_sweep, interval=SWEEP_INTERVAL_SECONDS, first=FIRST_SWEEP_SECONDS, name=JOB_NAME
        )
