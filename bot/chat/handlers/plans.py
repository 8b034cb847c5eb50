"""/plans: the plans there are, with their document numbers, titles, counts and lights."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.chat import plan_choice
from bot.chat.commands import incoming, reply_html
from bot.i18n import tr
from bot.limits import split_message
from bot.live_settings import effective_settings
from bot.render import esc, trim
from bot.runtime import runtime_of
from workflows.plans import PlanSummary, plan_summaries

TITLE_WIDTH = 60


def plan_lines(summaries: list[PlanSummary], language: str) -> list[str]:
    """A plan a paragraph: its label and code, its title, then its tasks and lights."""
    lines = [f"<b>{esc(tr(language, 'Plans ({count})', count=len(summaries)))}</b>"]
    for plan in summaries:
        heading = f"\n<b>{esc(plan.label)}</b>"
        if plan.code != plan.label:
            heading += f" · <code>{esc(plan.code)}</code>"
        lines.append(heading)
        if plan.title:
            lines.append(esc(trim(plan.title, TITLE_WIDTH)))
        counts = tr(
            language,
            "{tasks} tasks · {open} open · 🔴 {red} 🟡 {yellow} 🟢 {green}",
            tasks=plan.tasks,
            open=plan.open,
            red=plan.red,
            yellow=plan.yellow,
            green=plan.green,
        )
        lines.append(esc(counts))
    return lines


async def on_plans(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/plans: every plan (a liaison's: those their agency has tasks in)."""
    message, user_id, _ = incoming(update)
    runtime = runtime_of(context)
    settings = await effective_settings(runtime)
    async with runtime.session() as session:
        language, summaries = await plan_summaries(
            session, telegram_id=user_id, now=runtime.now(), checkin_days=settings.checkin_days
        )
    if not summaries:
        await message.reply_text(tr(language, "There is no plan yet."))
        return
    hint = esc(
        tr(language, "Name a plan after a command by its code, number or a word of its title.")
    )
    await reply_html(message, split_message([*plan_lines(summaries, language), "", hint]))


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /plans and the plan buttons."""
    application.add_handler(CommandHandler("plans", on_plans))
    plan_choice.register(application)
