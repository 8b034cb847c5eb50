"""`annexbot import`: an annex file, standard input or the bundled annex into a plan."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli import console as show
from bot.cli.common import (
    CommandError,
    execute,
    fail,
    load_settings,
    parse_date,
    stdout,
    utc_now,
)
from bot.cli.import_report import print_explanation, print_import
from bot.database import open_database
from workflows.importing.explain import AnnexReading, explain_annex
from workflows.importing.model import DocumentInfo
from workflows.importing.readers import Format
from workflows.importing.service import BUNDLED_ANNEXES, bundled_annex, import_annex
from workflows.rehearsal import shift_first_deadline_to


def _read_source(source: str | None, bundled: str | None) -> tuple[bytes, str | None]:
    """The bytes to import and a file name for hints: a file, '-' for standard input, or bundled."""
    if bundled and source:
        raise CommandError("give a FILE or --bundled NAME, not both")
    if bundled:
        return bundled_annex(bundled), None
    if not source:
        raise CommandError(
            f"give a FILE, '-' for standard input, or --bundled ({', '.join(BUNDLED_ANNEXES)})"
        )
    if source == "-":
        return sys.stdin.buffer.read(), None
    path = Path(source)
    if path.is_dir():
        raise CommandError(f"{source} is a directory; give the annex file in it")
    if not path.is_file():
        raise CommandError(f"no such file: {source}")
    data = path.read_bytes()
    if not data.strip():
        raise CommandError(f"{source} is empty: nothing to import")
    return data, path.name


def import_command(
    source: Annotated[
        str | None, typer.Argument(metavar="FILE|-", help="Annex file, or - for standard input.")
    ] = None,
    bundled: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Import an annex shipped with annexbot: gf-2015-5."),
    ] = None,
    plan: Annotated[
        str | None,
        typer.Option(
            metavar="CODE", help="Plan code (default: from the document number or file name)."
        ),
    ] = None,
    format: Annotated[
        str,
        typer.Option(
            "--format", metavar="FORMAT", help="auto, table, inline, labelled, csv or xlsx."
        ),
    ] = "auto",
    issued: Annotated[
        str | None,
        typer.Option(
            metavar="DATE", help="Document date YYYY-MM-DD, for schedules without a year."
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Document title, when the file lacks it.")
    ] = None,
    number: Annotated[
        str | None,
        typer.Option(
            "--doc-number", metavar="NUMBER", help="Document number, e.g. 国发〔2015〕5号."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and compare, write nothing.")
    ] = False,
    apply: Annotated[
        bool, typer.Option("--apply", help="Apply the changes a re-import shows.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain", help="Say how each task was read (rule, units, dates); write nothing."
        ),
    ] = False,
    shift_to: Annotated[
        str | None,
        typer.Option(
            "--shift-to",
            metavar="DATE",
            help="Move a new plan's dates so that its first deadline falls on DATE (YYYY-MM-DD), "
            "to try an old annex such as the bundled one for real.",
        ),
    ] = None,
    jurisdiction: Annotated[
        str | None,
        typer.Option(
            metavar="PLACE",
            help="Where a local plan applies, e.g. 浙江省 or 浙江省杭州市: its 省发展改革委 "
            "becomes 浙江省发展改革委 (default: as stored, or from the issuer).",
        ),
    ] = None,
) -> None:
    """Import an annex into a plan; a re-import shows its changes and applies them with --apply."""
    if format not in ("auto", "table", "inline", "labelled", "csv", "xlsx"):
        fail(f"unknown --format {format!r} (auto, table, inline, labelled, csv or xlsx)")

    if explain:
        print_explanation(stdout(), _explain(source, bundled, format, issued))
        return

    async def work() -> Any:
        settings = load_settings()
        data, filename = _read_source(source, bundled)
        issued_on = parse_date(issued) if issued else None
        first_deadline = parse_date(shift_to) if shift_to else None
        if first_deadline is not None and dry_run:
            raise CommandError("--shift-to moves an imported plan's dates; not with --dry-run")
        name = filename or (f"{bundled}.txt" if bundled else None)
        async with open_database(settings) as sessions, sessions() as session:
            result = await import_annex(
                session=session,
                data=data,
                now=utc_now(),
                timezone=settings.timezone,
                plan_code=plan or bundled,
                format=_format(format),
                filename=name,
                document=DocumentInfo(number=number, title=title, issued_on=issued_on),
                dry_run=dry_run,
                apply=apply,
                jurisdiction=jurisdiction,
            )
            if first_deadline is None:
                return result, None
            if not result.plan_created:
                raise CommandError(
                    f"--shift-to moves a new plan's dates; plan {result.plan_code} exists "
                    "already, and none of its dates moved"
                )
            days = await shift_first_deadline_to(
                session, plan_code=result.plan_code, deadline=first_deadline, now=utc_now()
            )
            return result, days

    result, shifted = execute(work)
    if as_json:
        stdout().print_json(show.to_json(show.import_json(result)))
    else:
        print_import(stdout(), result, code_given=plan is not None or bundled is not None)
        if shifted is not None:
            stdout().print(
                f"Every date moved {shifted} days, so the first deadline falls on {shift_to}.",
                markup=False,
                highlight=False,
            )


def _explain(
    source: str | None, bundled: str | None, format: str, issued: str | None
) -> AnnexReading:
    """Read a file as an import would, for --explain; a file that cannot be read is one line."""

    async def work() -> AnnexReading:
        data, filename = _read_source(source, bundled)
        name = filename or (f"{bundled}.txt" if bundled else None)
        issued_on = parse_date(issued) if issued else None
        return explain_annex(data, format=_format(format), filename=name, issued_on=issued_on)

    return execute(work)


def _format(value: str) -> Format:
    """The --format value as a reader format."""
    return value  # type: ignore[return-value]  # checked against the choices above
