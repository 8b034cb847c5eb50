"""/extend N DATE REASON, or /extend N and then a reply with the date and the reason."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.chat.callbacks import int_arg, pack, pattern
from bot.chat.errors import language_of
from bot.chat.handlers.notes import ReplyToPrompt, drop_buttons, prompt_args
from bot.i18n import tr
from bot.render import esc, fmt_date
from bot.runtime import runtime_of
from workflows.errors import ConflictError
from workflows.extensions import ExtensionView, extension_target, request_extension

PROMPT = "exq"
STALE = "This button is out of date."


def _sent(view: ExtensionView) -> str:
    """The confirmation a liaison gets once the request is on its way."""
    return tr(
        view.language,
        "⏳ Your request to extend task {number} to {date} was sent to the coordinators.",
        number=view.number,
        date=fmt_date(view.requested_due_on, view.language),
    )


async def extend(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/extend: send the request, or ask for the date and reason when only N is given."""
    message, user = update.effective_message, update.effective_user
    assert message is not None
    assert user is not None
    args = context.args or []
    number = int_arg(args, 0)
    if number is None:
        language = await language_of(update, context)
        await message.reply_text(
            tr(language, "Write /extend N DATE REASON, e.g. /extend 3 2016-09-30 survey delayed.")
        )
        return
    runtime = runtime_of(context)
    async with runtime.session() as session:
        if len(args) > 1:
            view = await request_extension(
                session,
                telegram_id=user.id,
                number=number,
                date_text=args[1],
                reason=" ".join(args[2:]),
                now=runtime.now(),
            )
            runtime.wake_sender()
            await message.reply_text(_sent(view), parse_mode=ParseMode.HTML)
            return
        target = await extension_target(session, telegram_id=user.id, number=number)
    language = target.language
    cancel = InlineKeyboardButton(
        tr(language, "Never mind"), callback_data=pack(PROMPT, target.task_id)
    )
    text = tr(
        language,
        "Task {number} is due {date}. Reply to this message with the new date and the reason, "
        "e.g. 2016-09-30 survey delayed.",
        number=target.number,
        date=esc(fmt_date(target.due_on, language)),
    )
    await message.reply_text(
        text, parse_mode=ParseMode.HTML, reply_markup=InlineKeyboardMarkup([[cancel]])
    )


async def on_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The date and reason replied to an /extend prompt."""
    message, user = update.effective_message, update.effective_user
    assert message is not None
    assert user is not None
    task_id = int_arg(prompt_args(message.reply_to_message, PROMPT) or [], 0)
    if task_id is None:
        raise ConflictError(STALE)
    date_text, _, reason = (message.text or "").strip().partition(" ")
    runtime = runtime_of(context)
    async with runtime.session() as session:
        view = await request_extension(
            session,
            telegram_id=user.id,
            task_id=task_id,
            date_text=date_text,
            reason=reason,
            now=runtime.now(),
        )
    runtime.wake_sender()
    await drop_buttons(message.reply_to_message)
    await message.reply_text(_sent(view), parse_mode=ParseMode.HTML)


async def on_cancel(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Cancel an /extend prompt: nothing was stored, so only the button goes."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    if isinstance(query.message, Message):
        await drop_buttons(query.message)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /extend, its prompt's replies and its Cancel button."""
    application.add_handler(CommandHandler("extend", extend))
    application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & ReplyToPrompt(PROMPT), on_reply)
    )
    application.add_handler(CallbackQueryHandler(on_cancel, pattern=pattern(PROMPT)))
