"""Coordinators' extension decisions: approve, or deny with an optional typed reason; the notices.

The prompt that waits for a typed reason is a stored question (and carries its subject in its
Deny without a reason button), so a restart between the question and the answer loses nothing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot.chat.callbacks import pack, pattern, unpack
from bot.chat.decisions import NOTE_WIDTH, decision_ids, mark_decided
from bot.chat.handlers.mytasks import OPEN
from bot.chat.handlers.notes import Context, answers, drop_buttons
from bot.delivery.sender import Rendered, renderer
from bot.i18n import tr
from bot.render import esc, fmt_date, trim
from bot.runtime import runtime_of
from db.enums import RequestState
from workflows.extensions import (
    EXTENSION_ANSWER,
    EXTENSION_REQUEST,
    ExtensionView,
    decide_extension,
    extension_view,
    pending_extension,
)
from workflows.outbox.sending import OutgoingMessage
from workflows.questions import Question, answered, ask

APPROVE = "exa"


DENY = "exd"


DENY_PROMPT = "exn"


def _extension_lines(view: ExtensionView, language: str) -> list[str]:
    """What an extension request asks for, and why."""
    return [
        tr(
            language,
            "⏳ Extension request for <b>task {number}</b> from {agency} ({member}): {old} → {new}",
            number=view.number,
            agency=esc(view.agency),
            member=esc(view.member or "—"),
            old=fmt_date(view.current_due_on, language),
            new=fmt_date(view.requested_due_on, language),
        ),
        tr(language, "Reason given: {reason}", reason=esc(trim(view.reason, NOTE_WIDTH))),
    ]


@renderer(EXTENSION_REQUEST)
async def render_extension_request(
    message: OutgoingMessage, session: AsyncSession
) -> Rendered | None:
    """Ask a coordinator to approve or deny an extension request."""
    view = await extension_view(session, request_id=message.payload["request_id"])
    if view.state is not RequestState.PENDING:
        return None
    language = message.language
    buttons = [
        [
            InlineKeyboardButton(
                tr(language, "Approve extension"), callback_data=pack(APPROVE, view.request_id)
            ),
            InlineKeyboardButton(
                tr(language, "Deny extension"), callback_data=pack(DENY, view.request_id)
            ),
        ],
        [
            InlineKeyboardButton(
                tr(language, "Show the task"), callback_data=pack(OPEN, view.task_id)
            )
        ],
    ]
    return Rendered("\n".join(_extension_lines(view, language)), InlineKeyboardMarkup(buttons))


@renderer(EXTENSION_ANSWER)
async def render_extension_answer(
    message: OutgoingMessage, session: AsyncSession
) -> Rendered | None:
    """Tell the liaison who asked how their extension request was decided."""
    view = await extension_view(session, request_id=message.payload["request_id"])
    language, name = message.language, esc(view.decided_by or "—")
    if view.state is RequestState.APPROVED:
        text = tr(
            language,
            "✅ Extension of task {number} approved by {name}. New due date: {date}.",
            number=view.number,
            name=name,
            date=fmt_date(view.requested_due_on, language),
        )
    elif view.state is RequestState.DENIED:
        text = tr(
            language,
            "❌ Extension of task {number} denied by {name}.",
            number=view.number,
            name=name,
        )
        if view.decision_note:
            text += "\n" + tr(language, "Reason given: {reason}", reason=esc(view.decision_note))
    else:
        return None
    return Rendered(text, task_id=view.task_id)


async def on_approve(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Approve an extension: the due date moves and the liaison is told."""
    query = update.callback_query
    assert query is not None
    [request_id] = decision_ids(unpack(query.data)[1], 1)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        view = await decide_extension(
            session,
            telegram_id=query.from_user.id,
            request_id=request_id,
            approve=True,
            note=None,
            now=runtime.now(),
        )
    runtime.wake_sender()
    await query.answer()
    await mark_decided(query.message, tr(view.language, "✅ Approved."))


async def on_deny(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Deny an extension: ask for a reason (or deny without one)."""
    query = update.callback_query
    assert query is not None
    assert isinstance(query.message, Message)
    [request_id] = decision_ids(unpack(query.data)[1], 1)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        view = await pending_extension(
            session, telegram_id=query.from_user.id, request_id=request_id
        )
        language = view.language
        button = InlineKeyboardButton(
            tr(language, "Deny without a reason"), callback_data=pack(DENY_PROMPT, request_id)
        )
        await query.answer()
        prompt = await query.message.reply_text(
            tr(
                language,
                "Type the reason for denying the extension of task {number}.",
                number=view.number,
            ),
            reply_markup=InlineKeyboardMarkup([[button]]),
        )
        await ask(
            session,
            chat_id=prompt.chat_id,
            message_id=prompt.message_id,
            kind=DENY_PROMPT,
            subject=(request_id,),
            now=runtime.now(),
        )


async def _deny(
    update: Update, context: ContextTypes.DEFAULT_TYPE, request_id: int, note: str | None
) -> ExtensionView:
    """Deny an extension with an optional reason."""
    user = update.effective_user
    assert user is not None
    runtime = runtime_of(context)
    async with runtime.session() as session:
        view = await decide_extension(
            session,
            telegram_id=user.id,
            request_id=request_id,
            approve=False,
            note=note,
            now=runtime.now(),
        )
    runtime.wake_sender()
    return view


@answers(DENY_PROMPT)
async def on_deny_reason(update: Update, context: Context, question: Question) -> None:
    """The reason typed after a denial prompt: deny with it."""
    message = update.effective_message
    assert message is not None
    [request_id] = decision_ids(list(question.subject), 1)
    view = await _deny(update, context, request_id, message.text)
    async with runtime_of(context).session() as session:
        await answered(session, chat_id=message.chat_id, message_id=question.message_id)
    await drop_buttons(message.get_bot(), message.chat_id, question.message_id)
    await message.reply_text(tr(view.language, "❌ Denied; the liaison has been told."))


async def on_deny_plain(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Deny without a reason."""
    query = update.callback_query
    assert query is not None
    [request_id] = decision_ids(unpack(query.data)[1], 1)
    view = await _deny(update, context, request_id, None)
    if isinstance(query.message, Message):
        async with runtime_of(context).session() as session:
            await answered(
                session, chat_id=query.message.chat_id, message_id=query.message.message_id
            )
    await query.answer()
    await mark_decided(query.message, tr(view.language, "❌ Denied; the liaison has been told."))


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the approve and deny buttons (the typed deny reason comes through notes)."""
    for action, callback in ((APPROVE, on_approve), (DENY, on_deny), (DENY_PROMPT, on_deny_plain)):
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern(action)))
