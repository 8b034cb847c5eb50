"""Coordinators' decisions: close or return a task reported done, approve or deny an extension.

Also the renderers of the notices those flows enqueue. A prompt that waits for a typed reason
carries its subject in its own button (Cancel / Deny without a reason), so a restart between
the question and the answer loses nothing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.chat.callbacks import int_arg, pack, pattern, unpack
from bot.chat.handlers.mytasks import OPEN
from bot.chat.handlers.notes import ReplyToPrompt, drop_buttons, prompt_args
from bot.delivery.sender import Rendered, renderer
from bot.i18n import tr
from bot.render import esc, fmt_date, trim
from bot.runtime import runtime_of
from db.enums import RequestState
from workflows.errors import ConflictError
from workflows.extensions import (
    EXTENSION_ANSWER,
    EXTENSION_REQUEST,
    ExtensionView,
    decide_extension,
    extension_view,
    pending_extension,
)
from workflows.outbox import OutgoingMessage
from workflows.review import (
    REVIEW_OUTCOME,
    REVIEW_REQUEST,
    check_review,
    decide_review,
    review_notice,
    task_number,
)

CLOSE, RETURN, RETURN_PROMPT = "rvc", "rvr", "rvk"
APPROVE, DENY, DENY_PROMPT = "exa", "exd", "exn"
STALE = "This button is out of date."
TEXT_WIDTH, NOTE_WIDTH = 200, 300


def _ids(args: list[str] | None, count: int) -> list[int]:
    """The integer arguments of a payload; a forged or malformed one is out of date."""
    args = args or []
    ids = [int_arg(args, i) for i in range(count)]
    if len(args) != count or any(i is None for i in ids):
        raise ConflictError(STALE)
    return [i for i in ids if i is not None]


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
            agency=esc(notice.agency),
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


async def _mark(query_message: object, text: str) -> None:
    """Append a decision to the notice and drop its buttons."""
    if isinstance(query_message, Message):
        await query_message.edit_text(
            f"{query_message.text_html}\n\n{text}", parse_mode=ParseMode.HTML, reply_markup=None
        )


async def on_close(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """办结销号: close the task."""
    query = update.callback_query
    assert query is not None
    task_id, report_id = _ids(unpack(query.data)[1], 2)
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
    await _mark(query.message, tr(decision.language, "✅ Closed (办结销号)."))


async def on_return(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """退办: ask for the reason as a reply (the decision is made when it comes)."""
    query = update.callback_query
    assert query is not None
    assert isinstance(query.message, Message)
    task_id, report_id = _ids(unpack(query.data)[1], 2)
    async with runtime_of(context).session() as session:
        check = await check_review(
            session, telegram_id=query.from_user.id, task_id=task_id, report_id=report_id
        )
    language = check.language
    cancel = InlineKeyboardButton(
        tr(language, "Keep under review"), callback_data=pack(RETURN_PROMPT, task_id, report_id)
    )
    await query.answer()
    await query.message.reply_text(
        tr(
            language,
            "Reply to this message with the reason for returning task {number} (退办).",
            number=check.number,
        ),
        reply_markup=InlineKeyboardMarkup([[cancel]]),
    )


async def on_return_reason(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The reason replied to a 退办 prompt: return the task and tell its lead."""
    message, user = update.effective_message, update.effective_user
    assert message is not None
    assert user is not None
    task_id, report_id = _ids(prompt_args(message.reply_to_message, RETURN_PROMPT), 2)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        decision = await decide_review(
            session,
            telegram_id=user.id,
            task_id=task_id,
            report_id=report_id,
            close=False,
            reason=message.text,
            now=runtime.now(),
        )
    runtime.wake_sender()
    await drop_buttons(message.reply_to_message)
    await message.reply_text(
        tr(
            decision.language,
            "↩️ Task {number} returned (退办); the lead agency has been told.",
            number=decision.number,
        )
    )


async def on_cancel(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Cancel a 退办 prompt: nothing was decided, so only the button goes."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    if isinstance(query.message, Message) and query.message.reply_markup is not None:
        await query.edit_message_reply_markup(None)


async def on_approve(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Approve an extension: the due date moves and the liaison is told."""
    query = update.callback_query
    assert query is not None
    [request_id] = _ids(unpack(query.data)[1], 1)
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
    await _mark(query.message, tr(view.language, "✅ Approved."))


async def on_deny(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Deny an extension: ask for a reason (or deny without one)."""
    query = update.callback_query
    assert query is not None
    assert isinstance(query.message, Message)
    [request_id] = _ids(unpack(query.data)[1], 1)
    async with runtime_of(context).session() as session:
        view = await pending_extension(
            session, telegram_id=query.from_user.id, request_id=request_id
        )
    language = view.language
    button = InlineKeyboardButton(
        tr(language, "Deny without a reason"), callback_data=pack(DENY_PROMPT, request_id)
    )
    await query.answer()
    await query.message.reply_text(
        tr(
            language,
            "Reply to this message with the reason for denying the extension of task {number}.",
            number=view.number,
        ),
        reply_markup=InlineKeyboardMarkup([[button]]),
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


async def on_deny_reason(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The reason replied to a denial prompt: deny with it."""
    message = update.effective_message
    assert message is not None
    [request_id] = _ids(prompt_args(message.reply_to_message, DENY_PROMPT), 1)
    view = await _deny(update, context, request_id, message.text)
    await drop_buttons(message.reply_to_message)
    await message.reply_text(tr(view.language, "❌ Denied; the liaison has been told."))


async def on_deny_plain(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Deny without a reason."""
    query = update.callback_query
    assert query is not None
    [request_id] = _ids(unpack(query.data)[1], 1)
    view = await _deny(update, context, request_id, None)
    await query.answer()
    await _mark(query.message, tr(view.language, "❌ Denied; the liaison has been told."))


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the review and extension decision buttons and the reason replies."""
    for action, callback in (
        (CLOSE, on_close),
        (RETURN, on_return),
        (RETURN_PROMPT, on_cancel),
        (APPROVE, on_approve),
        (DENY, on_deny),
        (DENY_PROMPT, on_deny_plain),
    ):
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern(action)))
    replies = filters.TEXT & ~filters.COMMAND
    application.add_handler(
        MessageHandler(replies & ReplyToPrompt(RETURN_PROMPT), on_return_reason)
    )
    application.add_handler(MessageHandler(replies & ReplyToPrompt(DENY_PROMPT), on_deny_reason))
