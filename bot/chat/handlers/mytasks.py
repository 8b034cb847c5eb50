"""/mytasks, a liaison's task card, and the status → percent → note flow."""

from __future__ import annotations

import zoneinfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.chat.callbacks import int_arg, pack, pattern, unpack
from bot.chat.handlers.notes import Context, answers, drop_buttons
from bot.chat.paging import keyboard, page_buttons, page_label, page_of
from bot.chat.task_card import overdue_text, standing, state_mark
from bot.i18n import N_, tr
from bot.limits import split_message
from bot.render import esc, fmt_date, fmt_datetime, role_label, trim
from bot.runtime import runtime_of
from workflows.errors import ConflictError
from workflows.questions import Question, answered, ask
from workflows.reports import (
    MyTasks,
    SavedReport,
    TaskCard,
    add_note,
    choose_status,
    my_tasks,
    parse_percent,
    remember,
    save_report,
    task_card,
)
from workflows.status import ReportView

OPEN, STATUS, PERCENT, SKIP, LIST_PAGE = "myt", "mys", "myp", "myk", "myl"
NOTE = "myn"  # the question after a report: a note on the task
TASKS_PER_PAGE, BUTTONS_PER_ROW = 15, 5
PERCENTS = (0, 25, 50, 75, 100)
STATUS_LABELS = {
    "on_track": N_("🟢 On track"),
    "at_risk": N_("🟡 At risk"),
    "blocked": N_("⛔ Blocked"),
    "done": N_("✅ Done"),
}
STATE_LABELS = {"done": N_("awaiting review (办结)"), "closed": N_("closed (销号)")}
RETURNED_LABEL = N_("returned (退办)")
LIST_WIDTH, CARD_WIDTH, NOTE_WIDTH = 40, 600, 300
STALE = "This button is out of date."


def render_list(result: MyTasks, number: int = 0) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of an agency's tasks, a button per task and ◀ ▶ to the other pages."""
    language = result.language
    if not result.tasks:
        return tr(language, "Your agency has no tasks yet."), None
    lines = []
    for task in result.tasks:
        when = standing(
            state=task.state,
            next_date=task.next_date,
            missed_due=task.missed_due,
            days_overdue=task.days_overdue,
            returned=task.returned,
            language=language,
        )
        role = esc(role_label(task.role, language))
        lines.append(
            f"{state_mark(task.light, task.state)} <b>{task.number}</b> · {role}"
            f" · {esc(when)} · {esc(trim(task.text, LIST_WIDTH))}"
        )

    def heading(page: int, pages: int) -> str:
        title = tr(language, "<b>Tasks of {agency}</b>", agency=esc(result.agency))
        return title + esc(page_label(page, pages, language))

    page = page_of(heading, lines, number, lines_per_page=TASKS_PER_PAGE)
    buttons = [
        InlineKeyboardButton(
            f"{state_mark(t.light, t.state)} {t.number}", callback_data=pack(OPEN, t.task_id)
        )
        for t in result.tasks[page.first : page.last + 1]
    ]
    return page.text, keyboard(buttons, BUTTONS_PER_ROW, page_buttons(LIST_PAGE, page))


def _report_line(report: ReportView, timezone: zoneinfo.ZoneInfo, language: str) -> str:
    """• 科技部: 🟢 On track 50% — note (when, who)."""
    status = tr(language, STATUS_LABELS[str(report.status)])
    percent = f" {report.percent}%" if report.percent is not None else ""
    note = f" — {esc(trim(report.note, NOTE_WIDTH))}" if report.note else ""
    when = fmt_datetime(report.reported_at, timezone, language)
    who = f", {esc(report.member)}" if report.member else ""
    return f"• {esc(report.agency)}: {esc(status)}{percent}{note} ({when}{who})"


def render_card(card: TaskCard) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """A task card as one or more messages, with status buttons on the last when one may report."""
    language = card.language
    role = f" · {esc(role_label(card.role, language))}" if card.role else ""
    lines = [
        tr(
            language,
            "{light} <b>Task {number}</b>{role}",
            light=state_mark(card.light, card.state),
            number=card.number,
            role=role,
        ),
        esc(trim(card.text, CARD_WIDTH)),
    ]
    if card.missed_due is not None:
        lines.append(esc(overdue_text(card.missed_due, card.days_overdue, language)))
    if card.next_date is not None or card.missed_due is None:
        lines.append(tr(language, "Next date: {date}", date=fmt_date(card.next_date, language)))
    if card.state in STATE_LABELS or card.returned:
        state = STATE_LABELS.get(card.state, RETURNED_LABEL)
        lines.append(tr(language, "State: {state}", state=tr(language, state)))
    lines += ["", "<b>" + esc(tr(language, "Latest reports")) + "</b>"]
    timezone = zoneinfo.ZoneInfo(card.timezone)
    lines += [_report_line(r, timezone, language) for r in card.reports] or [
        tr(language, "No reports yet.")
    ]
    if not card.can_report:
        return split_message(lines), None
    lines += ["", tr(language, "How is it going? Choose a status.")]
    buttons = [
        InlineKeyboardButton(
            tr(language, label), callback_data=pack(STATUS, card.task_id, status, card.token)
        )
        for status, label in STATUS_LABELS.items()
    ]
    return split_message(lines), InlineKeyboardMarkup([buttons[:2], buttons[2:]])


def render_saved(saved: SavedReport) -> tuple[str, InlineKeyboardMarkup]:
    """What a saved report says, and the Skip button of its note prompt."""
    language = saved.language
    status = esc(tr(language, STATUS_LABELS[str(saved.status)]))
    if saved.percent is None:
        text = tr(
            language, "✅ Task {number}: reported “{status}”.", number=saved.number, status=status
        )
    else:
        text = tr(
            language,
            "✅ Task {number}: reported “{status}”, {percent}%.",
            number=saved.number,
            status=status,
            percent=saved.percent,
        )
    if saved.review_requested:
        text += "\n" + tr(language, "The coordinators have been asked to review and close it.")
    text += "\n" + tr(language, "Type a note, or press Skip.")
    skip = InlineKeyboardButton(
        tr(language, "Skip note"), callback_data=pack(SKIP, saved.report_id)
    )
    return text, InlineKeyboardMarkup([[skip]])


async def mytasks(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/mytasks: the agency's tasks with role, light and next date."""
    message, user = update.effective_message, update.effective_user
    assert message is not None
    assert user is not None
    runtime = runtime_of(context)
    async with runtime.session() as session:
        result = await my_tasks(session, telegram_id=user.id, now=runtime.now())
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
    runtime.wake_sender()
    await query.answer()
    text, buttons = render_saved(saved)
    prompt = await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=buttons)
    await _ask(context, prompt, NOTE, (task_id,))


@answers(PERCENT)
async def on_typed_percent(update: Update, context: Context, question: Question) -> None:
    """A number typed after the percent prompt: save the report, then ask for a note."""
    message, user = update.effective_message, update.effective_user
    assert message is not None
    assert user is not None
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
            telegram_id=user.id,
            task_id=task_id,
            status=args[1],
            percent=percent,
            token=token,
            now=runtime.now(),
        )
        await answered(session, chat_id=message.chat_id, message_id=question.message_id)
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
    await _ask(context, sent, NOTE, (task_id,))


@answers(NOTE)
async def on_typed_note(update: Update, context: Context, question: Question) -> None:
    """A note typed after a report: add it to the task."""
    message, user = update.effective_message, update.effective_user
    assert message is not None
    assert user is not None
    task_id = int_arg(list(question.subject), 0)
    if task_id is None:
        raise ConflictError(STALE)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        saved = await add_note(
            session,
            telegram_id=user.id,
            task_id=task_id,
            text=message.text or "",
            now=runtime.now(),
        )
        await answered(session, chat_id=message.chat_id, message_id=question.message_id)
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
