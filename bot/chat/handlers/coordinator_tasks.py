"""Coordinators reading: /tasks with filters and paging buttons, /task N, /audit N."""

from __future__ import annotations

import zoneinfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.chat.arguments import USAGE_AUDIT, USAGE_TASK, filter_args, task_only
from bot.chat.callbacks import int_arg, pack, pattern, unpack
from bot.chat.commands import incoming, reply_html
from bot.chat.errors import language_of
from bot.chat.task_card import audit_line, render_task_card, standing, state_mark, task_title
from bot.i18n import N_, tr
from bot.limits import split_message
from bot.render import esc, trim
from bot.runtime import runtime_of
from workflows.overview import TaskFilter, TaskPage, list_task_page, task_audit, task_card
from workflows.plans import plan_word

PAGE = "tpg"
LINE_WIDTH = 28
FILTER_LABELS = {
    TaskFilter.ALL: N_("all tasks"),
    TaskFilter.OPEN: N_("open tasks"),
    TaskFilter.RED: N_("red light"),
    TaskFilter.YELLOW: N_("yellow light"),
    TaskFilter.GREEN: N_("green light"),
    TaskFilter.OVERDUE: N_("overdue tasks"),
    TaskFilter.SILENT: N_("silent for 28 days"),
    TaskFilter.DONE: N_("done or closed"),
}


def render_page(page: TaskPage, language: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of tasks: one line each, with ◀ ▶ buttons carrying the filter and page."""
    label = page.agency or tr(language, FILTER_LABELS.get(page.filter, page.filter))
    if page.plan:
        label = f"{page.plan} · {label}"
    head = tr(
        language,
        "<b>Tasks</b> ({filter}) · page {page}/{pages} · {total} in all",
        filter=esc(label),
        page=page.page + 1,
        pages=page.pages,
        total=page.total,
    )
    lines = [head, ""]
    for line in page.lines:
        number = f"{line.plan}/{line.number}" if page.several_plans else str(line.number)
        when = standing(
            state=line.state,
            next_date=line.next_date,
            missed_due=line.missed_due,
            days_overdue=line.days_overdue,
            returned=line.returned,
            language=language,
        )
        lines.append(
            f"{state_mark(line.light, line.state)} <b>{esc(number)}</b>"
            f" {esc(trim(line.text, LINE_WIDTH))} — {esc(line.lead or '—')} · {esc(when)}"
        )
    if not page.lines:
        lines.append(tr(language, "No tasks match."))
    agency = page.agency_id or 0
    plan = (page.plan_id,) if page.plan_id else ()
    buttons = [
        InlineKeyboardButton(mark, callback_data=pack(PAGE, page.filter, agency, target, *plan))
        for mark, target in (("◀", page.page - 1), ("▶", page.page + 1))
        if 0 <= target < page.pages
    ]
    return "\n".join(lines), InlineKeyboardMarkup([buttons]) if buttons else None


async def on_tasks(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/tasks [PLAN] [filter]: the first page of matching tasks."""
    message, user_id, text = incoming(update)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        plan, rest = await plan_word(session, text.split())
        wanted = filter_args(" ".join(rest))
        page = await list_task_page(
            session=session,
            telegram_id=user_id,
            kind=wanted.kind,
            agency=wanted.agency,
            now=runtime.now(),
            plan_id=None if plan is None else plan.id,
        )
    body, buttons = render_page(page, await language_of(update, context))
    await reply_html(message, [body], buttons)


async def on_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """◀ ▶: show another page of the same filter, re-checked and re-read."""
    query = update.callback_query
    assert query is not None
    assert query.from_user is not None
    args = unpack(query.data)[1]
    kind = next((f for f in TaskFilter if args and f.value == args[0]), None)
    agency_id, number, plan_id = int_arg(args, 1), int_arg(args, 2), int_arg(args, 3)
    language = await language_of(update, context)
    if kind is None or agency_id is None or number is None or query.message is None:
        await query.answer(tr(language, "This button is out of date."))
        return
    runtime = runtime_of(context)
    async with runtime.session() as session:
        page = await list_task_page(
            session=session,
            telegram_id=query.from_user.id,
            kind=kind,
            agency_id=agency_id or None,
            page=number,
            now=runtime.now(),
            plan_id=plan_id or None,
        )
    body, buttons = render_page(page, language)
    await query.answer()
    await query.edit_message_text(body, parse_mode=ParseMode.HTML, reply_markup=buttons)


async def on_task(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/task N: the task's card."""
    message, user_id, text = incoming(update)
    ref = task_only(text, USAGE_TASK)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        card = await task_card(
            session=session,
            telegram_id=user_id,
            number=ref.number,
            plan_code=ref.plan_code,
            now=runtime.now(),
        )
    await reply_html(message, render_task_card(card, await language_of(update, context)))


async def on_audit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/audit N: who changed what on a task, newest first."""
    message, user_id, text = incoming(update)
    ref = task_only(text, USAGE_AUDIT)
    async with runtime_of(context).session() as session:
        trail = await task_audit(
            session=session, telegram_id=user_id, number=ref.number, plan_code=ref.plan_code
        )
    language = await language_of(update, context)
    timezone = zoneinfo.ZoneInfo(trail.timezone)
    lines = [
        f"{task_title(trail.plan, trail.number, language)} · {esc(tr(language, 'Audit log'))}",
        esc(trim(trail.text, 60)),
        "",
    ]
    lines += [audit_line(event, timezone, language) for event in trail.events] or [
        esc(tr(language, "Nothing has been changed yet."))
    ]
    await reply_html(message, split_message(lines))


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /tasks, its paging buttons, /task and /audit."""
    application.add_handler(CommandHandler("tasks", on_tasks))
    application.add_handler(CallbackQueryHandler(on_page, pattern=pattern(PAGE)))
    application.add_handler(CommandHandler("task", on_task))
    application.add_handler(CommandHandler("audit", on_audit))
