"""/plans: the plans there are, with their document numbers, titles, counts and lights."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.chat import plan_choice
from bot.chat.commands import incoming, reply_html
from bot.i18n import N_, tr, trn
from bot.limits import split_message
from bot.live_settings import effective_settings
from bot.render import esc, trim
from bot.runtime import runtime_of
from workflows.errors import InvalidInputError
from workflows.plans import PlanSummary, archive_plan, plan_summaries, restore_plan

TITLE_WIDTH = 60


def plan_lines(
    summaries: list[PlanSummary], language: str, heading: str = N_("Plans ({count})")
) -> list[str]:
    """A plan a paragraph: its label and code, its title, then its tasks and lights."""
    lines = [f"<b>{esc(tr(language, heading, count=len(summaries)))}</b>"]
    for plan in summaries:
        name = f"\n<b>{esc(plan.label)}</b>"
        if plan.code != plan.label:
            name += f" · <code>{esc(plan.code)}</code>"
        lines.append(name)
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


ARCHIVED = ("archived", "已归档", "归档")
ARCHIVE = ("archive", "归档")
RESTORE = ("restore", "恢复")
CARRY = ("carry", "结转")
USAGE_PLANS = N_(
    "Usage: /plans [archived], /plans archive PLAN [carry], /plans restore PLAN, "
    "e.g. /plans archive gf-2015-5 carry"
)


async def on_plans(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/plans [archived]: the plans; /plans archive PLAN [carry] and /plans restore PLAN."""
    message, user_id, text = incoming(update)
    words = text.split()
    verb = words[0].lower() if words else ""
    if verb in ARCHIVE or verb in RESTORE:
        await _change(update, context, verb, words[1:])
        return
    if words and verb not in ARCHIVED:
        raise InvalidInputError(USAGE_PLANS)
    runtime = runtime_of(context)
    settings = await effective_settings(runtime)
    async with runtime.session() as session:
        language, summaries = await plan_summaries(
            session,
            telegram_id=user_id,
            now=runtime.now(),
            checkin_days=settings.checkin_days,
            archived=bool(words),
        )
    if not summaries:
        empty = N_("No plan is archived.") if words else N_("There is no plan yet.")
        await message.reply_text(tr(language, empty))
        return
    heading = N_("Archived plans ({count})") if words else N_("Plans ({count})")
    hint = esc(
        tr(language, "Name a plan after a command by its code, number or a word of its title.")
    )
    lines = plan_lines(summaries, language, heading)
    await reply_html(message, split_message([*lines, "", hint]))


async def _change(
    update: Update, context: ContextTypes.DEFAULT_TYPE, verb: str, words: list[str]
) -> None:
    """/plans archive PLAN [carry] or /plans restore PLAN, told in one line."""
    message, user_id, _ = incoming(update)
    carry = bool(words) and words[-1].lower() in CARRY
    typed = " ".join(words[:-1] if carry else words)
    if not typed:
        raise InvalidInputError(USAGE_PLANS)
    runtime = runtime_of(context)
    async with runtime.session() as session:
        if verb in ARCHIVE:
            change = await archive_plan(
                session, telegram_id=user_id, typed=typed, now=runtime.now(), carry_over=carry
            )
        else:
            change = await restore_plan(
                session, telegram_id=user_id, typed=typed, now=runtime.now()
            )
    if verb in RESTORE:
        said = tr(
            change.language, "{plan} is back in every list, reminder and feed.", plan=change.label
        )
    elif change.carried_over:
        said = trn(
            change.language,
            "{plan} is archived; {count} open task is noted as carried over.",
            "{plan} is archived; {count} open tasks are noted as carried over.",
            change.carried_over,
            plan=change.label,
            count=change.carried_over,
        )
    else:
        said = tr(
            change.language,
            "{plan} is archived: it leaves every list, reminder and feed.",
            plan=change.label,
        )
    await message.reply_text(said)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /plans and the plan buttons."""
    application.add_handler(CommandHandler("plans", on_plans))
    plan_choice.register(application)
