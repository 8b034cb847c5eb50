"""The `annexbot digest` command: the digest in the terminal, and the progress chart as a file."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.chat.digest import plain, render_digests
from bot.chat.handlers.chart import chart_title
from bot.cli.common import CommandError, execute, load_settings, stderr, stdout, utc_now
from bot.database import open_database
from bot.files.chart import render_gantt
from bot.live_settings import settings_in
from workflows.digest.requests import compose_digests, plans_by_code
from workflows.planning import require_agency
from workflows.progress import ProgressChart, chart_rows
from workflows.status import local_today


def register(app: typer.Typer) -> None:
    """Add `digest` to the annexbot command line."""

    @app.command("digest")
    def digest_command(
        plan: Annotated[
            str | None,
            typer.Option(metavar="CODE", help="Only this plan (its code); default every plan."),
        ] = None,
        agency: Annotated[
            str | None,
            typer.Option(metavar="NAME", help="This agency's digest (any of its names)."),
        ] = None,
        lang: Annotated[
            str, typer.Option("--lang", "--language", metavar="zh|en", help="zh or en.")
        ] = "zh",
        chart: Annotated[
            Path | None,
            typer.Option(
                metavar="FILE",
                help="Also write the progress chart (PNG) to this file: the agency's tasks with "
                "--agency; with several plans one file per plan, FILE-PLAN.png.",
            ),
        ] = None,
    ) -> None:
        """Print the coordinators' (or an agency's) digest as of now; --chart writes the chart."""
        if lang not in ("zh", "en"):
            stderr().print("annexbot: --lang takes zh or en", markup=False, highlight=False)
            raise typer.Exit(1)

        async def work() -> Any:
            settings = load_settings()
            now = utc_now()
            async with open_database(settings) as sessions, sessions() as session:
                live = await settings_in(session, settings)
                digests = await compose_digests(
                    session,
                    now=now,
                    weekday=live.digest_weekday,
                    at=live.digest_time,
                    agency=agency,
                    plan_code=plan,
                    checkin_days=live.checkin_days,
                )
                charts: list[tuple[Path, bytes]] = []
                if chart is not None:
                    charts = await _charts(
                        session,
                        target=chart,
                        plan_code=plan,
                        agency=agency,
                        now=now,
                        language=lang,
                        checkin_days=live.checkin_days,
                    )
            return digests, charts

        digests, charts = execute(work)
        out = stdout()
        if not digests:
            out.print("No digest: no plan has tasks for it.", markup=False, highlight=False)
        # One terminal "message", a section per plan: no splitting for Telegram's limit.
        for part in render_digests(digests, lang, limit=sys.maxsize, chart_note=False):
            out.print(plain(part.text), markup=False, highlight=False)
        for path, png in charts:
            path.write_bytes(png)
            out.print(f"Chart written to {path} ({len(png):,} bytes).", highlight=False)


async def _charts(
    session: AsyncSession,
    *,
    target: Path,
    plan_code: str | None,
    agency: str | None,
    now: dt.datetime,
    language: str,
    checkin_days: int,
) -> list[tuple[Path, bytes]]:
    """Each plan's chart (the named one's), of the agency's tasks when one is named, as PNG."""
    found = await require_agency(session, agency) if agency is not None else None
    drawn: list[tuple[str, bytes]] = []
    for plan in await plans_by_code(session, plan_code):
        rows = await chart_rows(
            session,
            plan_id=plan.id,
            now=now,
            agency_id=found.id if found else None,
            checkin_days=checkin_days,
        )
        if not rows:
            continue
        today = local_today(now, plan.timezone)
        chart = ProgressChart(
            language=language,
            plan_code=plan.code,
            # The code too: two plans may come from one document.
            document_number=" · ".join(filter(None, (plan.document_number, plan.code))),
            today=today,
            agency=found.name if found else None,
            rows=tuple(rows),
        )
        title = chart_title(chart, language)
        png = render_gantt(rows, today=today, language=language, title=title)
        if png is None:
            raise CommandError("no chart: no CJK font found (see the log)")
        drawn.append((plan.code, png))
    if not drawn:
        whose = f"{found.name} has" if found else "the plans have"
        raise CommandError(f"no chart: {whose} no tasks; import an annex first")
    if len(drawn) == 1:
        return [(target, drawn[0][1])]
    suffix = target.suffix or ".png"
    return [(target.with_name(f"{target.stem}-{code}{suffix}"), png) for code, png in drawn]
