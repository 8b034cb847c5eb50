"""/mytasks, a liaison's task card, and the status → percent → note flow."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.chat.callbacks import int_arg, pack, pattern, unpack
from bot.chat.commands import answering
from bot.chat.handlers.notes import Context, answers, drop_buttons
from bot.chat.report_screens import (
    LIST_PAGE,
    NOTE,
    PERCENT,
    PERCENTS,
    SKIP,
    STALE,
    STATUS,
    render_card,
    render_list,
    render_saved,
)

# Other screens open a task, and name statuses and states, as /mytasks does.
from bot.chat.report_screens import OPEN as OPEN
from bot.chat.report_screens import STATE_LABELS as STATE_LABELS
from bot.chat.report_screens import STATUS_LABELS as STATUS_LABELS
from bot.i18n import tr
from bot.render import esc
from bot.runtime import runtime_of
from workflows.errors import ConflictError
from workflows.questions import Question, answered, ask
from workflows.reports import (
    add_note,
    choose_status,
    my_tasks,
    parse_percent,
    remember,
    save_report,
    task_card,
)


async def mytasks(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/mytasks: the agency's tasks with role, light and next date."""
    message, user_id = answering(update)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        result = await my_tasks(session, telegram_id=user_id, now=runtime.now())
    text, buttons = render_list(result)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=buttons)


async def on_list_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """◀ ▶ under /mytasks: another page of the agency's tasks, read again."""
    query = update.callback_query
    assert query is not None
    number = int_arg(unpack(query.data)[1], 0)
    if number is None:
        raise ConflictError(STALE)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        result = await my_tasks(session, telegram_id=query.from_user.id, now=runtime.now())
    text, buttons = render_list(result, number)
    await query.answer()
    await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=buttons)


async def on_open(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A task button: send the task's card (recorded as about the task, for note replies)."""
    query = update.callback_query
    assert query is not None
    assert isinstance(query.message, Message)
    task_id = int_arg(unpack(query.data)[1], 0)
    if task_id is None:
        raise ConflictError(STALE)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        card = await task_card(
            session, telegram_id=query.from_user.id, task_id=task_id, now=runtime.now()
        )
        texts, buttons = render_card(card)
        for text in texts[:-1]:
            await query.message.reply_text(text, parse_mode=ParseMode.HTML)
        # Notes are replies to the message with the buttons, so that one is remembered.
        sent = await query.message.reply_text(
            texts[-1], parse_mode=ParseMode.HTML, reply_markup=buttons
        )
        await remember(
            session,
            chat_id=sent.chat_id,
            message_id=sent.message_id,
            task_id=card.task_id,
            now=runtime.now(),
        )
    await query.answer()


async def on_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A status button: ask for the percent ("done" is saved at once, as 100%)."""
    query = update.callback_query
    assert query is not None
    args = unpack(query.data)[1]
    task_id, token = int_arg(args, 0), int_arg(args, 2)
    if task_id is None or token is None or len(args) != 3:
        raise ConflictError(STALE)
    if args[1] == "done":
        await _save(update, context, task_id, args[1], 100, token)
        return
    async with runtime_of(context).session() as session:
        choice = await choose_status(
            session, telegram_id=query.from_user.id, task_id=task_id, status=args[1], token=token
        )
    language = choice.language
    buttons = [
        InlineKeyboardButton(
            f"{p}%", callback_data=pack(PERCENT, choice.task_id, str(choice.status), p, token)
        )
        for p in PERCENTS
    ]
    text = tr(
        language,
        "Task {number}: {status}. How far along is it? Choose, or type a number.",
        number=choice.number,
        status=esc(tr(language, STATUS_LABELS[str(choice.status)])),
    )
    await query.answer()
    prompt = await query.edit_message_text(
        text, parse_mode=ParseMode.HTML, reply_markup=InlineKeyboardMarkup([buttons])
    )
    await _ask(context, prompt, PERCENT, (choice.task_id, str(choice.status), token))


async def _ask(
    context: Context, prompt: Message | bool, kind: str, subject: tuple[int | str, ...]
) -> None:
    """Make a prompt the chat's question, so what is typed next answers it."""
    if not isinstance(prompt, Message):
        return  # an inline message: no chat to type in
    runtime = runtime_of(context)
    async with runtime.session() as session:
        await ask(
            session,
            chat_id=prompt.chat_id,
            message_id=prompt.message_id,
            kind=kind,
            subject=subject,
            now=runtime.now(),
        )


async def on_percent(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A percent button: save the report."""
    query = update.callback_query
    assert query is not None
    args = unpack(query.data)[1]
    task_id, percent, token = int_arg(args, 0), int_arg(args, 2), int_arg(args, 3)
    if task_id is None or percent is None or token is None or len(args) != 4:
        raise ConflictError(STALE)
    await _save(update, context, task_id, args[1], percent, token)


async def _save(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    task_id: int,
    status: str,
    percent: int,
    token: int,
) -> None:
    """Save a report from a button and turn the message into the note prompt."""
    query = update.callback_query
    assert query is not None
    runtime = runtime_of(context)
    async with runtime.session() as session:
        saved = await save_report(
            session,
            telegram_id=query.from_user.id,
            task_id=task_id,
            status=status,
            percent=percent,
            token=token,
            now=runtime.now(),
        )
    if saved.repeated:
        await query.answer(tr(saved.language, "Already saved."))
        return
    if saved.review_requested:
        runtime.wake_sender()  # the review's messages; a plain report queues none
    await query.answer()
    text, buttons = render_saved(saved)
    prompt = await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=buttons)
    if buttons is not None:
        await _ask(context, prompt, NOTE, (task_id,))


@answers(PERCENT)
async def on_typed_percent(update: Update, context: Context, question: Question) -> None:
    """A number typed after the percent prompt: save the report, then ask for a note."""
    message, user_id = answering(update)
    assert message.text is not None
    # Prompts from before questions were stored carry a button's four arguments.
    args = list(question.subject)
    if len(args) == 4:
        del args[2]
    task_id, token = int_arg(args, 0), int_arg(args, 2)
    if task_id is None or token is None or len(args) != 3:
        raise ConflictError(STALE)
    percent = parse_percent(message.text)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        saved = await save_report(
            session,
            telegram_id=user_id,
            task_id=task_id,
            status=args[1],
            percent=percent,
            token=token,
            now=runtime.now(),
        )
        await answered(session, chat_id=message.chat_id, message_id=question.message_id)
        if saved.review_requested:
            runtime.wake_sender()
        text, buttons = render_saved(saved)
        await drop_buttons(message.get_bot(), message.chat_id, question.message_id)
        sent = await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=buttons)
        await remember(
            session,
            chat_id=sent.chat_id,
            message_id=sent.message_id,
            task_id=task_id,
            now=runtime.now(),
        )
    if buttons is not None:
        await _ask(context, sent, NOTE, (task_id,))


@answers(NOTE)
async def on_typed_note(update: Update, context: Context, question: Question) -> None:
    """A note typed after a report: add it to the task."""
    message, user_id = answering(update)
    task_id = int_arg(list(question.subject), 0)
    if task_id is None:
        raise ConflictError(STALE)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        saved = await add_note(
            session,
            telegram_id=user_id,
            task_id=task_id,
            text=message.text or "",
            now=runtime.now(),
            question=(message.chat_id, question.message_id),
        )
    await drop_buttons(message.get_bot(), message.chat_id, question.message_id)
    await message.reply_text(
        tr(saved.language, "📝 Note added to task {number}.", number=saved.number)
    )


async def on_skip(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Skip the note: drop the button and the question (a second press changes nothing)."""
    query = update.callback_query
    assert query is not None
    if isinstance(query.message, Message):
        runtime = runtime_of(context)
        async with runtime.session() as session:
            await answered(
                session, chat_id=query.message.chat_id, message_id=query.message.message_id
            )
    await query.answer()
    if isinstance(query.message, Message) and query.message.reply_markup is not None:
        await query.edit_message_reply_markup(None)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /mytasks and its pages, the card, status, percent and skip buttons."""
    application.add_handler(CommandHandler("mytasks", mytasks))
    application.add_handler(CallbackQueryHandler(on_list_page, pattern=pattern(LIST_PAGE)))
    application.add_handler(CallbackQueryHandler(on_open, pattern=pattern(OPEN)))
    application.add_handler(CallbackQueryHandler(on_status, pattern=pattern(STATUS)))
    application.add_handler(CallbackQueryHandler(on_percent, pattern=pattern(PERCENT)))
    application.add_handler(CallbackQueryHandler(on_skip, pattern=pattern(SKIP)))
