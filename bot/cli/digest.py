"""The `annexbot digest` command: the digest in the terminal, and the progress chart as a file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.chat.digest import plain, render_digest
from bot.cli.common import CommandError, execute, load_settings, stderr, stdout, utc_now
from bot.database import open_database
from bot.files.chart import render_gantt
from bot.live_settings import settings_in
from workflows.digest.requests import compose_digests, plan_of
from workflows.progress import chart_rows
from workflows.status import local_today


def register(app: typer.Typer) -> None:
    """Add `digest` to the annexbot command line."""

    @app.command("digest")
    def digest_command(
        plan: Annotated[
            str | None, typer.Option(help="Only this plan (its code); default every plan.")
        ] = None,
        agency: Annotated[
            str | None, typer.Option(help="This agency's digest (any of its names).")
        ] = None,
        lang: Annotated[str, typer.Option(help="zh or en.")] = "zh",
        chart: Annotated[
            Path | None, typer.Option(help="Also write the progress chart (PNG) to this file.")
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
                png = None
                if chart is not None:
                    found = await plan_of(session, plan)
                    if found is None:
                        raise CommandError("no plan to chart; import an annex first")
                    plan_id, timezone = found
                    rows = await chart_rows(session, plan_id=plan_id, now=now)
                    png = render_gantt(rows, today=local_today(now, timezone), language=lang)
                    if png is None:
                        raise CommandError("no chart: no CJK font found, or no tasks (see the log)")
            return digests, png

        digests, png = execute(work)
        out = stdout()
        if not digests:
            out.print("No digest: no plan has tasks for it.", markup=False, highlight=False)
        for index, digest in enumerate(digests):
            if index:
                out.print("")
            # One terminal "message": no splitting for Telegram's limit.
            for part in render_digest(digest, lang, limit=sys.maxsize):
                out.print(plain(part.text), markup=False, highlight=False)
        if chart is not None and png is not None:
            chart.write_bytes(png)
            out.print(f"Chart written to {chart} ({len(png):,} bytes).", highlight=False)
