"""Reviewing a task reported done: close it (办结销号) or return it (退办) with a reason.

Also the renderers of the notices the flow enqueues. The prompt for the typed reason is a stored
question (ForceReply opens the reply), so a restart between question and answer loses nothing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot.chat.callbacks import pack, pattern, unpack
from bot.chat.commands import answering
from bot.chat.decisions import TEXT_WIDTH, decision_ids, mark_decided
from bot.chat.handlers.mytasks import OPEN
from bot.chat.handlers.notes import Context, answers
from bot.chat.task_card import unit_name
from bot.delivery.sender import Rendered, renderer
from bot.i18n import tr
from bot.render import esc, trim
from bot.runtime import runtime_of
from workflows.outbox.sending import OutgoingMessage
from workflows.questions import Question, answered, ask
from workflows.review import (
    REVIEW_OUTCOME,
    REVIEW_REQUEST,
    check_review,
    decide_review,
    review_notice,
    task_number,
)

CLOSE = "rvc"


RETURN = "rvr"


RETURN_PROMPT = "rvk"


@renderer(REVIEW_REQUEST)
async def render_review_request(message: OutgoingMessage, session: AsyncSession) -> Rendered | None:
    """Ask a coordinator to close or return a task its lead reported done."""
    task_id, report_id = message.payload["task_id"], message.payload["report_id"]
    notice = await review_notice(session, task_id=task_id, report_id=report_id)
    if notice is None or not notice.pending:
        return None
    language = message.language
    lines = [
        tr(
            language,
            "📋 <b>Task {number}</b> was reported done by {agency} ({member}).",
            number=notice.number,
            agency=esc(unit_name(notice.agency, notice.agency_en, language)),
            member=esc(notice.member or "—"),
        ),
        esc(trim(notice.text, TEXT_WIDTH)),
        tr(language, "Close it (办结销号) or return it (退办)?"),
    ]
    buttons = [
        [
            InlineKeyboardButton(
                tr(language, "Close (办结销号)"), callback_data=pack(CLOSE, task_id, report_id)
            ),
            InlineKeyboardButton(
                tr(language, "Return (退办)"), callback_data=pack(RETURN, task_id, report_id)
            ),
        ],
        [InlineKeyboardButton(tr(language, "Show the task"), callback_data=pack(OPEN, task_id))],
    ]
    return Rendered("\n".join(lines), InlineKeyboardMarkup(buttons))


@renderer(REVIEW_OUTCOME)
async def render_review_outcome(message: OutgoingMessage, session: AsyncSession) -> Rendered | None:
    """Tell the lead's liaisons that their task was closed, or returned and why."""
    payload, language = message.payload, message.language
    number = await task_number(session, payload["task_id"])
    if number is None:
        return None
    if payload["closed"]:
        text = tr(
            language,
            "✅ Task {number} was closed (办结销号) by {name}.",
            number=number,
            name=esc(payload["by"]),
        )
    else:
        text = tr(
            language,
            "↩️ Task {number} was returned (退办) by {name}: {reason}",
            number=number,
            name=esc(payload["by"]),
            reason=esc(payload["reason"]),
        )
        text += "\n" + tr(language, "Please continue the work and report again.")
    return Rendered(text, task_id=payload["task_id"])


async def on_close(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """办结销号: close the task."""
    query = update.callback_query
    assert query is not None
    task_id, report_id = decision_ids(unpack(query.data)[1], 2)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        decision = await decide_review(
            session,
            telegram_id=query.from_user.id,
            task_id=task_id,
            report_id=report_id,
            close=True,
            reason=None,
            now=runtime.now(),
        )
    runtime.wake_sender()
    await query.answer()
    await mark_decided(query.message, tr(decision.language, "✅ Closed (办结销号)."))


async def on_return(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """退办: ask for the reason (the decision is made when it comes)."""
    query = update.callback_query
    assert query is not None
    assert isinstance(query.message, Message)
    task_id, report_id = decision_ids(unpack(query.data)[1], 2)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        check = await check_review(
            session, telegram_id=query.from_user.id, task_id=task_id, report_id=report_id
        )
        language = check.language
        await query.answer()
        prompt = await query.message.reply_text(
            tr(
                language, "Type the reason for returning task {number} (退办).", number=check.number
            ),
            reply_markup=ForceReply(
                input_field_placeholder=tr(language, "Reason for returning it")
            ),
        )
        await ask(
            session,
            chat_id=prompt.chat_id,
            message_id=prompt.message_id,
            kind=RETURN_PROMPT,
            subject=(task_id, report_id),
            now=runtime.now(),
        )


@answers(RETURN_PROMPT)
async def on_return_reason(update: Update, context: Context, question: Question) -> None:
    """The reason typed after a 退办 prompt: return the task and tell its lead."""
    message, user_id = answering(update)
    task_id, report_id = decision_ids(list(question.subject), 2)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        decision = await decide_review(
            session,
            telegram_id=user_id,
            task_id=task_id,
            report_id=report_id,
            close=False,
            reason=message.text,
            now=runtime.now(),
        )
        await answered(session, chat_id=message.chat_id, message_id=question.message_id)
    runtime.wake_sender()
    await message.reply_text(
        tr(
            decision.language,
            "↩️ Task {number} returned (退办); the lead agency has been told.",
            number=decision.number,
        )
    )


async def on_cancel(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Cancel a 退办 prompt sent with a button (before ForceReply): only the button goes."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    if isinstance(query.message, Message) and query.message.reply_markup is not None:
        await query.edit_message_reply_markup(None)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the close and return buttons (the typed reason comes through notes)."""
    for action, callback in ((CLOSE, on_close), (RETURN, on_return), (RETURN_PROMPT, on_cancel)):
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern(action)))
