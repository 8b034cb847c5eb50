"""Assignment notices to liaisons and their 签收 button."""

from __future__ import annotations

import contextlib
import zoneinfo
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot.chat.callbacks import int_arg, pack, pattern, unpack
from bot.chat.errors import language_of
from bot.chat.task_card import unit_name
from bot.delivery.sender import Rendered, renderer
from bot.i18n import tr, trn
from bot.render import esc, fmt_datetime, role_label, trim
from bot.runtime import runtime_of
from workflows.notices import (
    NOTICE_KIND,
    TASKS_PER_NOTICE,
    NoticeItem,
    acknowledge,
    acknowledge_all,
    notice_items,
)
from workflows.outbox.sending import OutgoingMessage

ACK = "ack"
ACK_ALL = "acka"
TEXT_WIDTH = 160
SCHEDULE_WIDTH = 40


def _signed_line(item: NoticeItem, language: str) -> str:
    """Who signed for an assignment, and when, in the plan's timezone."""
    assert item.acknowledged_at is not None
    when = fmt_datetime(item.acknowledged_at, zoneinfo.ZoneInfo(item.timezone), language)
    return tr(language, "✅ Signed by {name} at {time}", name=esc(item.acknowledged_by), time=when)


def _numbers_by_plan(items: Sequence[NoticeItem], language: str) -> list[str]:
    """Task numbers a line per plan (the plan named when there are several): 第 1、5、9 项."""
    plans: dict[str, list[int]] = {}
    for item in items:
        plans.setdefault(item.plan_code, []).append(item.task_number)
    lines = []
    for code, numbers in plans.items():
        sep = "、" if language == "zh" else ", "
        listed = tr(language, "tasks {numbers}", numbers=sep.join(str(n) for n in numbers))
        lines.append(f"• {esc(code)}: {listed}" if len(plans) > 1 else f"• {listed}")
    return lines


def render_many(
    items: Sequence[NoticeItem], language: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """More tasks than a notice lists one by one: their numbers, and one 全部签收 button."""
    unsigned = [item for item in items if item.acknowledged_at is None]
    agency = esc(unit_name(items[0].agency_name, items[0].agency_name_en, language))
    if not unsigned:
        signed = [item for item in items if item.acknowledged_by]
        by = esc(signed[0].acknowledged_by) if signed else "—"
        text = tr(
            language,
            "✅ {agency} has signed for {count} tasks ({name}).",
            agency=agency,
            count=len(items),
            name=by,
        )
        return "\n".join([text, *_numbers_by_plan(items, language)]), None
    lines = [
        tr(
            language,
            "{agency} has {count} tasks not signed for yet:",
            agency=agency,
            count=len(unsigned),
        ),
        *_numbers_by_plan(unsigned, language),
        "",
        tr(language, "Open each with /mytasks, or sign for them all at once."),
    ]
    every = tr(language, "✅ Acknowledge all {count}", count=len(unsigned))
    button = InlineKeyboardButton(every, callback_data=pack(ACK_ALL))
    return "\n".join(lines), InlineKeyboardMarkup([[button]])


def render_notice(
    items: list[NoticeItem] | tuple[NoticeItem, ...], language: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A notice's text and its 签收 buttons (one per assignment not yet signed for)."""
    if len(items) > TASKS_PER_NOTICE:
        return render_many(items, language)
    agency = unit_name(items[0].agency_name, items[0].agency_name_en, language)
    lines = [tr(language, "<b>Tasks assigned to {agency}</b>", agency=esc(agency))]
    buttons: list[InlineKeyboardButton] = []
    for item in items:
        head = tr(
            language,
            "<b>Task {number}</b> · {role} · {schedule}",
            number=item.task_number,
            role=role_label(item.role, language),
            schedule=esc(trim(item.schedule_text or "—", SCHEDULE_WIDTH)),
        )
        lines += ["", head, esc(trim(item.task_text, TEXT_WIDTH))]
        if item.acknowledged_at is not None:
            lines.append(_signed_line(item, language))
        else:
            label = tr(language, "Acknowledge task {number}", number=item.task_number)
            buttons.append(InlineKeyboardButton(label, callback_data=pack(ACK, item.assignment_id)))
    if buttons:
        lines += ["", tr(language, "Press Acknowledge to confirm you have received each task.")]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if len(buttons) > 1:
        every = tr(language, "✅ Acknowledge all {count}", count=len(buttons))
        rows.insert(0, [InlineKeyboardButton(every, callback_data=pack(ACK_ALL))])
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


@renderer(NOTICE_KIND)
async def render_assignment_notice(
    message: OutgoingMessage, session: AsyncSession
) -> Rendered | None:
    """A grouped notice of new assignments; nothing when all were signed for or removed."""
    items = await notice_items(session, [int(a) for a in message.payload["assignments"]])
    if not any(item.acknowledged_at is None for item in items):
        return None
    text, buttons = render_notice(items, message.language)
    return Rendered(text, buttons, items[0].task_id if len(items) == 1 else None)


async def _show_signed(query: CallbackQuery, notice: Sequence[NoticeItem], language: str) -> None:
    """Edit the pressed notice to show who signed (nothing when it lists no task any more)."""
    if not notice:
        return
    text, buttons = render_notice(list(notice), language)
    # Telegram refuses an edit that changes nothing (a notice already showing the signature).
    with contextlib.suppress(BadRequest):
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=buttons)


async def on_acknowledge(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """签收: record who signed when, then show it on the notice."""
    query = update.callback_query
    assert query is not None
    assignment_id = int_arg(unpack(query.data)[1], 0)
    if assignment_id is None or query.message is None:
        await query.answer(tr(await language_of(update, context), "This button is out of date."))
        return
    runtime = runtime_of(context)
    async with runtime.session() as session:
        ack = await acknowledge(
            session,
            telegram_id=query.from_user.id,
            assignment_id=assignment_id,
            now=runtime.now(),
            chat_id=query.message.chat.id,
            message_id=query.message.message_id,
        )
    when = fmt_datetime(ack.at, zoneinfo.ZoneInfo(ack.timezone), ack.language)
    if ack.already:
        answer = tr(
            ack.language,
            "Task {number} was already signed for by {name} at {time}.",
            number=ack.task_number,
            name=ack.by_name,
            time=when,
        )
    else:
        answer = tr(ack.language, "Signed for task {number}. Thank you.", number=ack.task_number)
    await query.answer(answer)
    await _show_signed(query, ack.notice, ack.language)


async def on_acknowledge_all(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """全部签收: sign every task of the message still unsigned, then show who signed."""
    query = update.callback_query
    assert query is not None
    if query.message is None:
        await query.answer(tr(await language_of(update, context), "This button is out of date."))
        return
    runtime = runtime_of(context)
    async with runtime.session() as session:
        done = await acknowledge_all(
            session,
            telegram_id=query.from_user.id,
            chat_id=query.message.chat.id,
            message_id=query.message.message_id,
            now=runtime.now(),
        )
    if done.signed:
        answer = trn(
            done.language,
            "Signed for {count} task. Thank you.",
            "Signed for {count} tasks. Thank you.",
            done.signed,
            count=done.signed,
        )
    else:
        answer = tr(done.language, "Every task here was already signed for.")
    await query.answer(answer)
    await _show_signed(query, done.notice, done.language)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the 签收 button handlers."""
    application.add_handler(CallbackQueryHandler(on_acknowledge, pattern=pattern(ACK)))
    application.add_handler(CallbackQueryHandler(on_acknowledge_all, pattern=pattern(ACK_ALL)))
