"""/export csv|xlsx|ics [AGENCY]: the status matrix, the history or the calendar as files.

CSV goes as two documents (matrix, then history) rather than one zip: each opens straight
from the chat in Excel, WPS or a phone's viewer, and a zip is one more step many phones
cannot take.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import unicodedata
import zoneinfo
from dataclasses import dataclass
from functools import partial

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.chat.commands import answering
from bot.chat.errors import language_of
from bot.chat.plan_choice import plan_command
from bot.files.workbooks import export_tables, file_name, to_csv, to_xlsx
from bot.i18n import N_, tr
from bot.live_settings import effective_settings
from bot.render import fmt_date
from bot.runtime import Runtime, runtime_of
from workflows.errors import InvalidInputError
from workflows.exports import ExportData, ExportTarget, build_export, member_export_target
from workflows.feeds.calendar import export_calendar
from workflows.plans import plan_word

USAGE_EXPORT = N_("Usage: /export csv|xlsx|ics [AGENCY], e.g. /export xlsx 科技部")
FORMATS = {
    "csv": "csv",
    "xlsx": "xlsx",
    "excel": "xlsx",
    "xls": "xlsx",
    "ics": "ics",
    "ical": "ics",
    "calendar": "ics",
    "日历": "ics",
}
MAX_AGENCY = 64


@dataclass(frozen=True)
class ExportArgs:
    """/export's arguments: a file format and, optionally, an agency."""

    format: str
    agency: str | None = None


def export_args(text: str) -> ExportArgs:
    """FORMAT [AGENCY]; anything else is the usage."""
    words = unicodedata.normalize("NFKC", text).split()
    if not words or words[0].lower() not in FORMATS:
        raise InvalidInputError(USAGE_EXPORT)
    agency = " ".join(words[1:]) or None
    if agency is not None and len(agency) > MAX_AGENCY:
        raise InvalidInputError(USAGE_EXPORT)
    return ExportArgs(FORMATS[words[0].lower()], agency)


def _today(runtime: Runtime) -> dt.date:
    """Today in the bot's timezone, for file names."""
    return runtime.now().astimezone(zoneinfo.ZoneInfo(runtime.settings.timezone)).date()


async def _send_tables(
    message: Message, data: ExportData, kind: str, language: str, today: dt.date
) -> None:
    """The matrix and history as two CSV documents or one workbook."""
    matrix, history = export_tables(data, language)
    tasks = len({(row.plan, row.number) for row in data.matrix})
    summary = tr(
        language,
        "Status matrix: {tasks} tasks, {rows} rows. History: {entries} entries. As of {date}.",
        tasks=tasks,
        rows=len(matrix.rows),
        entries=len(history.rows),
        date=fmt_date(today, language),
    )
    name = partial(file_name, plan_code=data.plan_code, agency=data.agency, day=today)
    if kind == "xlsx":
        body = await asyncio.to_thread(to_xlsx, (matrix, history), created=data.generated_at)
        await message.reply_document(
            body, filename=name(part="", extension="xlsx"), caption=summary
        )
        return
    for table, caption in ((matrix, summary), (history, None)):
        await message.reply_document(
            to_csv(table),
            filename=name(part=table.slug, extension="csv"),
            caption=caption,
        )


@plan_command("export", after=1)
async def on_export(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """/export FORMAT [PLAN] [AGENCY]: coordinators any plan or agency; liaisons their own."""
    message, user_id = answering(update)
    wanted = export_args(text)
    runtime = runtime_of(context)
    language = await language_of(update, context)
    settings = await effective_settings(runtime)
    async with runtime.session() as session:
        plan, rest = await plan_word(session, (wanted.agency or "").split())
        target: ExportTarget = await member_export_target(
            session=session,
            telegram_id=user_id,
            agency=" ".join(rest) or None,
            plan_code=None if plan is None else plan.code,
        )
        await message.reply_chat_action(ChatAction.UPLOAD_DOCUMENT)
        if wanted.format == "ics":
            body = await export_calendar(
                session,
                plan_code=target.plan_code,
                agency_id=target.agency_id,
                bot_url=f"https://t.me/{context.bot.username}",
                now=runtime.now(),
                alarm_days=settings.feed_alarm_days,
                language=language,
                public_base_url=runtime.settings.public_base_url,
            )
        else:
            data = await build_export(
                session=session,
                target=target,
                now=runtime.now(),
                checkin_days=settings.checkin_days,
            )
    today = _today(runtime)
    if wanted.format != "ics":
        await _send_tables(message, data, wanted.format, language, today)
        return
    await message.reply_document(
        body,
        filename=file_name(
            plan_code=target.plan_code,
            agency=target.agency,
            part="",
            day=today,
            extension="ics",
        ),
        caption=tr(
            language,
            "Milestones of {scope} as a calendar file. For a calendar that keeps itself "
            "up to date, subscribe with /calendar.",
            scope=target.agency or tr(language, "all tasks"),
        ),
    )


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /export."""
    application.add_handler(CommandHandler("export", on_export))
