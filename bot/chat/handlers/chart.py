"""/chart: the progress chart as a picture (coordinators: the whole plan; liaisons: their tasks)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Sequence

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.chat.commands import answering
from bot.chat.plan_choice import plan_command
from bot.delivery.pictures import Pictures, send_pictures
from bot.files.chart import render_chart
from bot.i18n import tr
from bot.render import esc
from bot.runtime import runtime_of
from workflows.lights import Light
from workflows.progress import ChartRow, ProgressChart, progress_chart


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


def chart_pictures(
    rows: Sequence[ChartRow],
    *,
    today: dt.date,
    language: str,
    title: str,
    caption: str,
    name: str,
) -> Pictures | None:
    """The chart as photos of a page each and, when it pages, the whole as a PNG file."""
    drawn = render_chart(rows, today=today, language=language, title=title)
    if drawn is None:
        return None
    pages = len(drawn.pages)
    if pages > 1:
        caption += "\n" + tr(
            language, "{pages} pages; the whole chart follows as a file.", pages=pages
        )
    return Pictures(
        drawn.pages,
        caption,
        drawn.full,
        f"chart-{name}-{today.isoformat()}.png",
        tr(
            language, "The whole chart in one picture ({count} tasks), to zoom in.", count=len(rows)
        ),
    )


@plan_command("chart")
async def on_chart(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """/chart [PLAN]: the chart as photos (an album when it pages), or why there is none."""
    message, user_id = answering(update)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        chart = await progress_chart(
            session=session,
            telegram_id=user_id,
            now=runtime.now(),
            plan_code=text or None,
            checkin_days=runtime.settings.checkin_days,
        )
    language = chart.language
    if not chart.rows or chart.today is None:
        await message.reply_text(tr(language, "There are no tasks to chart yet."))
        return
    await message.chat.send_action(ChatAction.UPLOAD_PHOTO)
    # Drawing takes a second or so a page; keep the event loop free meanwhile.
    pictures = await asyncio.to_thread(
        chart_pictures,
        chart.rows,
        today=chart.today,
        language=language,
        title=chart_title(chart, language),
        caption=esc(chart_caption(chart, language)),
        name=chart.plan_code or "plan",
    )
    if pictures is None:
        await message.reply_text(
            tr(language, "The chart is unavailable: no Chinese font is installed. Try /tasks.")
        )
        return
    await send_pictures(context.bot, message.chat_id, pictures)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /chart."""
    application.add_handler(CommandHandler("chart", on_chart))
