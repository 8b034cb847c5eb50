"""Coordinators changing tasks: /assign, /unassign, /due, /milestone, /nudge and its message."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.chat.arguments import (
    USAGE_DUE,
    USAGE_MILESTONE,
    USAGE_NUDGE,
    USAGE_UNASSIGN,
    agency_args,
    assign_args,
    dated_args,
)
from bot.chat.callbacks import pack
from bot.chat.commands import incoming, reply_html, today
from bot.chat.errors import language_of
from bot.chat.handlers.mytasks import OPEN as OPEN_TASK
from bot.chat.handlers.removal import revoked_line
from bot.chat.task_card import task_title
from bot.delivery.sender import Rendered, renderer
from bot.i18n import tr
from bot.render import esc, fmt_date, role_label, trim
from bot.runtime import runtime_of
from workflows.nudges import NUDGE_KIND, NudgeResult, nudge, nudge_message
from workflows.outbox.sending import OutgoingMessage
from workflows.planning import AssignmentChange, add_milestone, assign, set_due, unassign

NUDGE_TEXT_WIDTH = 300


def _assigned(change: AssignmentChange, language: str) -> str:
    """What /assign did, in one line."""
    params = {"agency": esc(change.agency), "number": change.number}
    role = role_label(change.after or "", language)
    if not change.changed:
        return tr(language, "{agency} is already {role} on task {number}.", role=role, **params)
    if change.before is None:
        return tr(language, "{agency} now works on task {number} ({role}).", role=role, **params)
    was = role_label(change.before, language)
    return tr(
        language,
        "{agency} is now {role} on task {number} (was {was}).",
        role=role,
        was=was,
        **params,
    )


async def on_assign(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/assign N AGENCY [lead|co]."""
    message, user_id, text = incoming(update)
    wanted = assign_args(text)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        change = await assign(
            session=session,
            telegram_id=user_id,
            number=wanted.task.number,
            plan_code=wanted.task.plan_code,
            agency=wanted.agency,
            role=wanted.role,
            now=runtime.now(),
        )
    runtime.wake_sender()
    await reply_html(message, [_assigned(change, await language_of(update, context))])


async def on_unassign(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unassign N AGENCY."""
    message, user_id, text = incoming(update)
    wanted = agency_args(text, USAGE_UNASSIGN, required=True)
    assert wanted.agency is not None
    runtime = runtime_of(context)
    async with runtime.session() as session:
        change = await unassign(
            session=session,
            telegram_id=user_id,
            number=wanted.task.number,
            plan_code=wanted.task.plan_code,
            agency=wanted.agency,
            now=runtime.now(),
        )
    language = await language_of(update, context)
    line = tr(
        language,
        "{agency} is no longer on task {number}.",
        agency=esc(change.agency),
        number=change.number,
    )
    if change.revoked_links:
        line += "\n" + revoked_line(change.revoked_links, language)
    await reply_html(message, [line])


async def on_due(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/due N DATE REASON: move the due date."""
    message, user_id, text = incoming(update)
    wanted = dated_args(text, USAGE_DUE, today=today(context))
    runtime = runtime_of(context)
    async with runtime.session() as session:
        change = await set_due(
            session=session,
            telegram_id=user_id,
            number=wanted.task.number,
            plan_code=wanted.task.plan_code,
            on_date=wanted.on_date,
            reason=wanted.note,
            now=runtime.now(),
        )
    language = await language_of(update, context)
    line = tr(
        language,
        "Task {number} is now due on {date} (was {previous}).",
        number=change.number,
        date=fmt_date(change.on_date, language),
        previous=fmt_date(change.previous, language),
    )
    await reply_html(message, [line])


async def on_milestone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/milestone N DATE LABEL: add a custom milestone."""
    message, user_id, text = incoming(update)
    wanted = dated_args(text, USAGE_MILESTONE, today=today(context))
    runtime = runtime_of(context)
    async with runtime.session() as session:
        change = await add_milestone(
            session=session,
            telegram_id=user_id,
            number=wanted.task.number,
            plan_code=wanted.task.plan_code,
            on_date=wanted.on_date,
            label=wanted.note,
            now=runtime.now(),
        )
    language = await language_of(update, context)
    line = tr(
        language,
        "Milestone “{label}” added to task {number} on {date}.",
        label=esc(change.label),
        number=change.number,
        date=fmt_date(change.on_date, language),
    )
    await reply_html(message, [line])


def _nudged(result: NudgeResult, language: str) -> list[str]:
    """How many were urged, and which agencies nobody speaks for."""
    if result.nudged:
        lines = [
            tr(
                language,
                "Urged {people} people about task {number}: {agencies}.",
                people=result.nudged,
                number=result.number,
                agencies=esc("、".join(result.agencies)),
            )
        ]
    elif result.repeated:
        lines = [tr(language, "They were urged a moment ago; nothing was sent again.")]
    else:
        lines = [tr(language, "Nobody was urged about task {number}.", number=result.number)]
    if result.without_liaison:
        names = esc("、".join(result.without_liaison))
        lines.append(tr(language, "No liaison yet: {agencies}.", agencies=names))
    return lines


async def on_nudge(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/nudge N [AGENCY]: 催办 now."""
    message, user_id, text = incoming(update)
    wanted = agency_args(text, USAGE_NUDGE, required=False)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        result = await nudge(
            session=session,
            telegram_id=user_id,
            number=wanted.task.number,
            plan_code=wanted.task.plan_code,
            agency=wanted.agency,
            now=runtime.now(),
        )
    runtime.wake_sender()
    await reply_html(message, ["\n".join(_nudged(result, await language_of(update, context)))])


@renderer(NUDGE_KIND)
async def render_nudge(message: OutgoingMessage, session: AsyncSession) -> Rendered | None:
    """A 催办 to a liaison; nothing when the task is gone or no longer open."""
    task_id, by = int(message.payload["task_id"]), str(message.payload.get("by", ""))
    nudged = await nudge_message(session, task_id=task_id, by=by)
    if nudged is None:
        return None
    language = message.language
    lines = [
        tr(language, "⏰ <b>Urged (催办)</b> by {by}", by=esc(nudged.by)),
        task_title(nudged.plan, nudged.number, language),
        esc(trim(nudged.text, NUDGE_TEXT_WIDTH)),
        tr(language, "Due on {date}.", date=fmt_date(nudged.due_on, language)),
        "",
        tr(language, "Please report on this task now."),
    ]
    report = InlineKeyboardButton(
        tr(language, "Report now"), callback_data=pack(OPEN_TASK, nudged.task_id)
    )
    return Rendered("\n".join(lines), InlineKeyboardMarkup([[report]]), nudged.task_id)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /assign, /unassign, /due, /milestone and /nudge."""
    application.add_handler(CommandHandler("assign", on_assign))
    application.add_handler(CommandHandler("unassign", on_unassign))
    application.add_handler(CommandHandler("due", on_due))
    application.add_handler(CommandHandler("milestone", on_milestone))
    application.add_handler(CommandHandler("nudge", on_nudge))
