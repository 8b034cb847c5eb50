"""The README's sample chart: the bundled plan on 2016-06-01, with a few reports so lights vary.

Regenerate it with `python -m bot.files.chart_sample docs/chart-sample.png` (a throwaway SQLite
database in a temporary directory; nothing else is touched).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.files.chart import render_chart
from bot.i18n import tr
from db.engine import create_engine, create_session_factory
from db.enums import MemberRole, ReportStatus, Role, TaskState
from db.migrations import upgrade
from db.models import Assignment, Member, StatusReport, Task
from workflows.importing.service import bundled_annex, import_annex
from workflows.planning import set_due
from workflows.progress import ChartRow, chart_rows

IMPORTED = dt.datetime(2016, 3, 1, 2, 0, tzinfo=dt.UTC)
SAMPLE_NOW = dt.datetime(2016, 6, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing
SAMPLE_TODAY = dt.date(2016, 6, 1)
DOCUMENT = "国发〔2015〕5号"
COORDINATOR_ID = 1
ON_TRACK_AT = dt.datetime(2016, 5, 16, 2, 0, tzinfo=dt.UTC)
# Task number → (status reported by its lead unit, when); tasks absent here report on track.
REPORTS = {
    3: (ReportStatus.AT_RISK, dt.datetime(2016, 5, 25, 2, 0, tzinfo=dt.UTC)),
    9: (ReportStatus.BLOCKED, dt.datetime(2016, 5, 27, 2, 0, tzinfo=dt.UTC)),
    19: (ReportStatus.DONE, dt.datetime(2016, 5, 20, 2, 0, tzinfo=dt.UTC)),
}
SILENT = (20, 23)  # never report: yellow after two check-in cycles
DUE_MOVES = {14: dt.date(2016, 4, 30), 21: dt.date(2016, 6, 6)}  # overdue; due within a week
STATES = {12: TaskState.CLOSED, 19: TaskState.DONE}


async def seed_sample(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Import the bundled plan and give it the sample's reports, due dates and states."""
    async with sessions() as session:
        await import_annex(
            session=session,
            data=bundled_annex("gf-2015-5"),
            now=IMPORTED,
            timezone="Asia/Shanghai",
            plan_code="gf-2015-5",
        )
        session.add(
            Member(
                telegram_id=COORDINATOR_ID,
                display_name="督查室",
                role=MemberRole.COORDINATOR,
                created_at=IMPORTED,
            )
        )
        await session.commit()
    for number, day in DUE_MOVES.items():
        async with sessions() as session:
            await set_due(
                session=session,
                telegram_id=COORDINATOR_ID,
                number=number,
                plan_code=None,
                on_date=day,
                reason="sample",
                now=IMPORTED,
            )
    async with sessions() as session:
        leads = await session.execute(
            select(Task.id, Task.number, Assignment.agency_id)
            .join(Assignment, Assignment.task_id == Task.id)
            .where(Assignment.role == Role.LEAD)
        )
        for task_id, number, agency_id in leads:
            if number in SILENT:
                continue
            status, at = REPORTS.get(number, (ReportStatus.ON_TRACK, ON_TRACK_AT))
            session.add(
                StatusReport(task_id=task_id, agency_id=agency_id, status=status, reported_at=at)
            )
        for number, state in STATES.items():
            await session.execute(update(Task).where(Task.number == number).values(state=state))
        await session.commit()


async def sample_rows() -> list[ChartRow]:
    """The sample's chart rows, from a throwaway database."""
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(folder) / 'sample.sqlite3'}")
        try:
            await upgrade(engine)
            sessions = create_session_factory(engine)
            await seed_sample(sessions)
            async with sessions() as session:
                return await chart_rows(session, now=SAMPLE_NOW)
        finally:
            await engine.dispose()


def sample_chart(language: str = "zh") -> bytes | None:
    """The sample chart as PNG bytes, the photo /chart sends (None without a CJK font)."""
    rows = asyncio.run(sample_rows())
    title = tr(language, "{plan}: progress on {date}", plan=DOCUMENT, date=SAMPLE_TODAY.isoformat())
    pictures = render_chart(rows, today=SAMPLE_TODAY, language=language, title=title)
    return pictures.pages[0] if pictures is not None else None


def main(argv: list[str] | None = None) -> None:
    """Write the sample chart to a file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path, nargs="?", default=Path("docs/chart-sample.png"))
    parser.add_argument("--language", choices=("zh", "en"), default="zh")
    args = parser.parse_args(argv)
    png = sample_chart(args.language)
    if png is None:
        raise SystemExit("no CJK font found; see the log")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(png)
    print(f"{args.output}: {len(png)} bytes")


if __name__ == "__main__":
    main()
