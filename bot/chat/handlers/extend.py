"""/extend N DATE REASON, or /extend N and then the date and the reason, typed."""

from __future__ import annotations

from telegram import ForceReply, Message, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.chat.callbacks import int_arg, pattern
from bot.chat.commands import answering
from bot.chat.errors import language_of
from bot.chat.handlers.notes import Context, answers, drop_buttons
from bot.i18n import tr
from bot.render import esc, fmt_date
from bot.runtime import runtime_of
from workflows.access import find_actor
from workflows.errors import ConflictError
from workflows.extensions import ExtensionView, extension_target, request_extension
from workflows.questions import Question, answered, ask

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
    message, user_id = answering(update)
    args = context.args or []
    runtime = runtime_of(context)
    async with runtime.session() as session:
        actor = await find_actor(session, user_id)
    if actor is not None and actor.is_coordinator and actor.agency_id is None:
        # Coordinators move dates themselves; extensions are what liaisons ask them for.
        await message.reply_text(
            tr(
                actor.language,
                "Coordinators set a new date with /due N DATE REASON, "
                "e.g. /due 5 2016-06-30 approved extension.",
            )
        )
        return
    number = int_arg(args, 0)
    if number is None:
        language = await language_of(update, context)
        await message.reply_text(
            tr(language, "Write /extend N DATE REASON, e.g. /extend 3 2016-09-30 survey delayed.")
        )
        return
    async with runtime.session() as session:
        if len(args) > 1:
            view = await request_extension(
                session,
                telegram_id=user_id,
                number=number,
                date_text=args[1],
                reason=" ".join(args[2:]),
                now=runtime.now(),
            )
            runtime.wake_sender()
            await message.reply_text(_sent(view), parse_mode=ParseMode.HTML)
            return
        target = await extension_target(session, telegram_id=user_id, number=number)
        language = target.language
        text = tr(
            language,
            "Task {number} is due {date}. Type the new date and the reason, "
            "e.g. 2016-09-30 survey delayed.",
            number=target.number,
            date=esc(fmt_date(target.due_on, language)),
        )
        placeholder = tr(language, "2016-09-30 survey delayed")
        prompt = await message.reply_text(
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=ForceReply(input_field_placeholder=placeholder),
        )
        await ask(
            session,
            chat_id=prompt.chat_id,
            message_id=prompt.message_id,
            kind=PROMPT,
            subject=(target.task_id,),
            now=runtime.now(),
        )


@answers(PROMPT)
async def on_reply(update: Update, context: Context, question: Question) -> None:
    """The date and reason typed after an /extend prompt."""
    message, user_id = answering(update)
    task_id = int_arg(list(question.subject), 0)
    if task_id is None:
        raise ConflictError(STALE)
    date_text, _, reason = (message.text or "").strip().partition(" ")
    runtime = runtime_of(context)
    async with runtime.session() as session:
        view = await request_extension(
            session,
            telegram_id=user_id,
            task_id=task_id,
            date_text=date_text,
            reason=reason,
            now=runtime.now(),
        )
        await answered(session, chat_id=message.chat_id, message_id=question.message_id)
    runtime.wake_sender()
    await message.reply_text(_sent(view), parse_mode=ParseMode.HTML)


async def on_cancel(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Cancel an /extend prompt sent with a button (before ForceReply): only the button goes."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    if isinstance(query.message, Message):
        await drop_buttons(query.get_bot(), query.message.chat_id, query.message.message_id)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /extend and its old prompts' Cancel button (typed answers come through notes)."""
    application.add_handler(CommandHandler("extend", extend))
    application.add_handler(CallbackQueryHandler(on_cancel, pattern=pattern(PROMPT)))
