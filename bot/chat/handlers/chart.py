"""/chart: the progress chart as a picture (coordinators: the whole plan; liaisons: their tasks)."""

from __future__ import annotations

import asyncio
from collections import Counter

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.chat.commands import incoming
from bot.files.chart import render_gantt
from bot.i18n import tr
from bot.runtime import runtime_of
from workflows.lights import Light
from workflows.progress import ProgressChart, progress_chart


def chart_title(chart: ProgressChart, language: str) -> str:
    """The heading drawn on the chart: the plan (or the agency's part of it) and the day."""
    plan = chart.document_number or chart.plan_code or ""
    day = chart.today.isoformat() if chart.today else ""
    if chart.agency:
        return tr(language, "{agency} in {plan}, {date}", agency=chart.agency, plan=plan, date=day)
    return tr(language, "{plan}: progress on {date}", plan=plan, date=day)


def chart_caption(chart: ProgressChart, language: str) -> str:
    """The photo's caption: the title and the count of tasks by light."""
    lights = Counter(row.light for row in chart.rows if not row.done)
    counts = tr(
        language,
        "🔴 {red} · 🟡 {yellow} · 🟢 {green} · ✓ {done} done",
        red=lights[Light.RED],
        yellow=lights[Light.YELLOW],
        green=lights[Light.GREEN],
        done=sum(row.done for row in chart.rows),
    )
    return f"{chart_title(chart, language)}\n{counts}"


async def on_chart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/chart [PLAN]: the chart as a photo, or a line saying why there is none."""
    message, user_id, text = incoming(update)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        chart = await progress_chart(
            session=session,
            telegram_id=user_id,
            now=runtime.now(),
            plan_code=text.split()[0] if text.split() else None,
            checkin_days=runtime.settings.checkin_days,
        )
    language = chart.language
    if not chart.rows or chart.today is None:
        await message.reply_text(tr(language, "There are no tasks to chart yet."))
        return
    await message.chat.send_action(ChatAction.UPLOAD_PHOTO)
    # Drawing takes a second or so; keep the event loop free meanwhile.
    png = await asyncio.to_thread(
        render_gantt,
        chart.rows,
        today=chart.today,
        language=language,
        title=chart_title(chart, language),
    )
    if png is None:
        await message.reply_text(
            tr(language, "The chart is unavailable: no Chinese font is installed. Try /tasks.")
        )
        return
    await message.reply_photo(png, caption=chart_caption(chart, language))


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /chart."""
    application.add_handler(CommandHandler("chart", on_chart))
