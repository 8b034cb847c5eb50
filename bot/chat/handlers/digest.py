"""/digest [AGENCY], the weekly digest sweep, and how digest deliveries (text, chart) are sent."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.chat.commands import answering
from bot.chat.digest import digest_buttons, render_digests
from bot.chat.handlers.chart import chart_pictures, chart_title
from bot.chat.plan_choice import plan_command
from bot.delivery.pictures import Pictures, send_pictures
from bot.delivery.sender import Rendered, renderer
from bot.delivery.sweeps import leader_job, run_sweep
from bot.i18n import N_, tr
from bot.live_settings import settings_in
from bot.render import esc, fmt_date
from bot.runtime import RUNTIME_KEY, Runtime, runtime_of
from workflows.digest.model import CoordinatorDigest
from workflows.digest.requests import chart_plan, digests_for_member
from workflows.digest.schedule import CHART_KIND, DIGEST_KIND, plan_weekly_digests
from workflows.errors import InvalidInputError
from workflows.outbox.sending import OutgoingMessage
from workflows.plans import plan_in_reach, plan_word
from workflows.progress import ProgressChart, chart_rows
from workflows.status import local_today

log = logging.getLogger(__name__)
JOB_NAME = "weekly-digest"
USAGE_DIGEST = N_("Usage: /digest [AGENCY], e.g. /digest 科技部")
MAX_AGENCY_NAME = 64
SWEEP_INTERVAL_SECONDS = 300


async def render_digest_part(message: OutgoingMessage, _session: AsyncSession) -> Rendered:
    """A digest part: its text was rendered when the digest was decided; buttons open tasks."""
    tasks: Sequence[Sequence[int]] = message.payload.get("tasks", [])
    plans: Sequence[str] = message.payload.get("plans", [])
    return Rendered(str(message.payload["text"]), digest_buttons(tasks, plans))


async def digest_chart(
    session: AsyncSession, *, plan_id: int, now: dt.datetime, language: str
) -> Pictures | None:
    """A plan's progress chart with its caption; None without a CJK font (logged) or tasks."""
    plan = await chart_plan(session, plan_id=plan_id)
    if plan is None:
        return None
    code, number, timezone = plan
    rows = await chart_rows(session, plan_id=plan_id, now=now)
    today = local_today(now, timezone)
    # Drawn with the plan's label (its document number), as /chart draws it.
    drawn = ProgressChart(language, code, number, today, None, tuple(rows))
    caption = tr(
        language,
        "📈 <b>Progress chart</b> · {plan} · {date}",
        plan=esc(code),
        date=fmt_date(today, language),
    )
    pictures = await asyncio.to_thread(
        chart_pictures,
        rows,
        today=today,
        language=language,
        title=chart_title(drawn, language),
        caption=caption,
        name=code,
    )
    if pictures is None:
        log.warning("digest of plan %s goes out as text only: no chart", code)
    return pictures


def chart_renderer(
    clock: Callable[[], dt.datetime],
) -> Callable[[OutgoingMessage, AsyncSession], Any]:
    """A renderer for the coordinators' chart, drawn when it is sent, on the bot's clock."""

    async def render_chart(message: OutgoingMessage, session: AsyncSession) -> Rendered | None:
        """The chart's pictures; nothing (the text went anyway) when it cannot be drawn."""
        pictures = await digest_chart(
            session, plan_id=int(message.payload["plan_id"]), now=clock(), language=message.language
        )
        if pictures is None:
            return None
        return Rendered(pictures.caption, pictures=pictures)

    return render_chart


async def sweep(runtime: Runtime) -> int:
    """Queue the digest of the period whose moment has passed; errors are logged, not raised."""
    return await run_sweep(
        runtime,
        "weekly digest",
        lambda session, settings, now: plan_weekly_digests(
            session,
            now=now,
            weekday=settings.digest_weekday,
            at=settings.digest_time,
            render=render_digests,
            checkin_days=settings.checkin_days,
            quiet_start=settings.quiet_start,
            quiet_end=settings.quiet_end,
            timezone=settings.timezone,
        ),
    )


on_sweep = leader_job(JOB_NAME, sweep)


def digest_args(text: str) -> str | None:
    """/digest's optional agency name, full-width forms folded and spaces collapsed."""
    agency = " ".join(unicodedata.normalize("NFKC", text).split())
    if len(agency) > MAX_AGENCY_NAME:
        raise InvalidInputError(USAGE_DIGEST)
    return agency or None


@plan_command("digest")
async def on_digest(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """/digest [PLAN] [AGENCY]: the digest now (a plan's, an agency's, or a liaison's own)."""
    message, user_id = answering(update)
    runtime = runtime_of(context)
    now = runtime.now()
    async with runtime.session() as session:
        plan, rest = await plan_word(session, text.split())
        agency = digest_args(" ".join(rest))
        plan_code = await plan_in_reach(
            session, telegram_id=user_id, plan_code=None if plan is None else plan.code
        )
        settings = await settings_in(session, runtime.settings)
        actor, digests = await digests_for_member(
            session,
            telegram_id=user_id,
            now=now,
            weekday=settings.digest_weekday,
            at=settings.digest_time,
            agency=agency,
            plan_code=plan_code,
            checkin_days=settings.checkin_days,
        )
    language = actor.language
    if not digests:
        await message.reply_text(tr(language, "No tasks in any plan for this digest."))
        return
    # An agency's digest across its plans is one message set; a coordinator's is one plan's.
    for part in render_digests(digests, language, chart_note=False):
        await message.reply_text(
            part.text,
            parse_mode=ParseMode.HTML,
            reply_markup=digest_buttons(part.tasks, part.plans),
            disable_web_page_preview=True,
        )
    if len(digests) == 1 and isinstance(digests[0], CoordinatorDigest):
        async with runtime.session() as session:
            pictures = await digest_chart(
                session, plan_id=digests[0].plan_id, now=now, language=language
            )
        if pictures is not None:
            await send_pictures(context.bot, message.chat_id, pictures)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /digest, the digest renderers and the sweep every five minutes."""
    runtime = application.bot_data[RUNTIME_KEY]
    assert isinstance(runtime, Runtime)
    renderer(DIGEST_KIND)(render_digest_part)
    renderer(CHART_KIND)(chart_renderer(runtime.now))
    application.add_handler(CommandHandler("digest", on_digest))
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            on_sweep, interval=SWEEP_INTERVAL_SECONDS, first=20, name=JOB_NAME
        )
