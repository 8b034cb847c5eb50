"""The `annexbot export` command: the status matrix and history as CSV or XLSX, or the .ics file."""

from __future__ import annotations

import datetime as dt
import sys
import zoneinfo
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.common import CommandError, execute, fail, load_settings, stdout, utc_now
from bot.database import open_database
from bot.files.workbooks import Table, export_tables, file_name, to_csv, to_xlsx
from bot.i18n import LANGUAGES
from bot.live_settings import settings_in
from workflows.exports import build_export, export_target
from workflows.feeds.calendar import export_calendar
from workflows.tasks import list_plans

FORMATS = ("ics", "csv", "xlsx")
TABLES = ("matrix", "history")


def _write(output: Path | None, body: bytes) -> None:
    """Bytes to a file, or to standard output when there is no file."""
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(body)


def _is_directory(output: str | None) -> bool:
    """Whether --output names a folder to write the default names into."""
    return output is not None and output != "-" and (output.endswith("/") or Path(output).is_dir())


def _csv_files(
    tables: tuple[Table, Table], output: str | None, table: str | None, default: dict[str, str]
) -> list[tuple[Path | None, Table]]:
    """Where each CSV table goes: one file per table, or the chosen one to a file or stdout."""
    chosen = [t for t in tables if table is None or t.slug == table]
    if output == "-":
        return [(None, chosen[0])]
    if output is None or _is_directory(output):
        folder = Path(output or ".")
        return [(folder / default[t.slug], t) for t in chosen]
    path = Path(output)
    if len(chosen) == 1:
        return [(path, chosen[0])]
    return [(path.with_name(f"{path.stem}-{t.slug}{path.suffix or '.csv'}"), t) for t in chosen]


def _target_path(output: str | None, default: str) -> Path | None:
    """The file to write: the one given, the default name (in a folder given), or None for -."""
    if output == "-":
        return None
    if output is None or _is_directory(output):
        return Path(output or ".") / default
    return Path(output)


def _save_tables(
    tables: tuple[Table, Table],
    *,
    format: str,
    output: str | None,
    table: str | None,
    name: Callable[[str, str], str],
    created: dt.datetime,
) -> list[str]:
    """Write the workbook or the CSV files; returns what was written, for the operator."""
    if format == "xlsx":
        path = _target_path(output, name("", "xlsx"))
        _write(path, to_xlsx(tables, created=created))
        rows = f"{len(tables[0].rows)} matrix rows, {len(tables[1].rows)} history rows"
        return [f"{path} ({rows})"] if path else []
    written = []
    defaults = {t.slug: name(t.slug, "csv") for t in tables}
    for where, chosen in _csv_files(tables, output, table, defaults):
        _write(where, to_csv(chosen))
        if where is not None:
            written.append(f"{where} ({len(chosen.rows)} rows)")
    return written


def register(app: typer.Typer) -> None:
    """Add `annexbot export` to the annexbot command line."""

    @app.command("export")
    def export_command(
        format: Annotated[
            str, typer.Option("--format", metavar="ics|csv|xlsx", help="What to write.")
        ],
        plan: Annotated[str | None, typer.Option(metavar="CODE", help="Only this plan.")] = None,
        agency: Annotated[
            str | None,
            typer.Option(metavar="NAME", help="Only the tasks of this agency (any of its names)."),
        ] = None,
        output: Annotated[
            str | None,
            typer.Option(
                "--output",
                "-o",
                metavar="PATH|-",
                help="File or folder to write, or - for standard output (default: a name made "
                "of the plan, agency, date and language, in the current folder). CSV writes "
                "PATH-matrix.csv and PATH-history.csv.",
            ),
        ] = None,
        table: Annotated[
            str | None,
            typer.Option(
                metavar="matrix|history", help="CSV only: just one table (- writes the matrix)."
            ),
        ] = None,
        language: Annotated[
            str,
            typer.Option(
                "--lang",
                "--language",
                metavar="zh|en",
                help="Language of headers and values: zh or en.",
            ),
        ] = "zh",
    ) -> None:
        """Export the status matrix and history (CSV, XLSX) or the milestones (.ics)."""
        if format not in FORMATS:
            fail(f"unknown --format {format!r} (ics, csv or xlsx)")
        if output is not None and output.endswith("/"):
            Path(output).mkdir(parents=True, exist_ok=True)  # DIR/ asks for a folder

        async def work() -> list[str]:
            if table is not None and (format != "csv" or table not in TABLES):
                raise CommandError("--table takes matrix or history, with --format csv")
            if language not in LANGUAGES:
                raise CommandError("--lang takes zh or en")
            if output == "-" and format == "xlsx" and sys.stdout.isatty():
                raise CommandError("an XLSX file is binary: give --output FILE or redirect it")
            settings = load_settings()
            now = utc_now()
            day = now.astimezone(zoneinfo.ZoneInfo(settings.timezone)).date()
            async with open_database(settings) as sessions, sessions() as session:
                target = await export_target(session=session, plan_code=plan, agency=agency)
                settings = await settings_in(session, settings)
                plans = [found.code for found in await list_plans(session)]
                named = plan or (plans[0] if len(plans) == 1 else None)
                name = partial(_default_name, named, target.agency, day, language)
                if format == "ics":
                    body = await export_calendar(
                        session,
                        plan_code=plan,
                        agency_id=target.agency_id,
                        bot_url="",
                        now=now,
                        alarm_days=settings.feed_alarm_days,
                        language=language,
                        public_base_url=settings.public_base_url,
                    )
                    path = _target_path(output, name("", "ics"))
                    _write(path, body)
                    return [str(path)] if path else []
                data = await build_export(
                    session=session, target=target, now=now, checkin_days=settings.checkin_days
                )
            return _save_tables(
                export_tables(data, language),
                format=format,
                output=output,
                table=table,
                name=name,
                created=now,
            )

        written: Any = execute(work)
        for line in written:
            stdout().print(f"Wrote {line}.", markup=False, highlight=False)


def _default_name(
    plan: str | None, agency: str | None, day: dt.date, language: str, part: str, extension: str
) -> str:
    """The default file name of an export."""
    return file_name(
        plan_code=plan, agency=agency, part=part, day=day, extension=extension, language=language
    )
