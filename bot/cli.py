"""The `annexbot` command: database, import and read-only views of plans, tasks and agencies."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from bot import console as show
from bot.database import open_database
from bot.import_report import print_import
from bot.settings import Settings
from db.migrations import current_revision, head_revision
from workflows.agencies import list_agencies
from workflows.errors import AnnexbotError
from workflows.importing.model import DocumentInfo
from workflows.importing.readers import Format
from workflows.importing.service import BUNDLED_ANNEXES, bundled_annex, import_annex
from workflows.tasks import get_task, list_plans, list_tasks

T = TypeVar("T")

app = typer.Typer(
    name="annexbot",
    help="Track the task-division annex of a policy document (重点任务分工及进度安排).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _out() -> Console:
    """A console on standard output, sized by the terminal (or COLUMNS) of this run."""
    return Console(soft_wrap=True)


def _err() -> Console:
    """A console on standard error for one-line failures."""
    return Console(stderr=True, soft_wrap=True)


class CommandError(Exception):
    """A failure to report as one line."""


def _settings() -> Settings:
    """The settings, or one line saying which one is wrong."""
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = "ANNEXBOT_" + "_".join(str(p) for p in first["loc"]).upper()
        raise CommandError(f"setting {name}: {first['msg']}") from error


def _run(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine; turn domain and database errors into one line and exit code 1."""
    try:
        return asyncio.run(work())
    except (AnnexbotError, CommandError) as error:
        _err().print(f"annexbot: {error}", markup=False, highlight=False)
    except SQLAlchemyError as error:
        original = getattr(error, "orig", None)
        reason = str(original) if original is not None else str(error)
        _err().print(f"annexbot: database error: {reason.splitlines()[0]}", markup=False)
    except OSError as error:
        _err().print(f"annexbot: {error}", markup=False, highlight=False)
    raise typer.Exit(1)


def _now() -> dt.datetime:
    """The current time, read once at the edge of the program."""
    return dt.datetime.now(dt.UTC)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Upgrade the database to the newest schema (other commands do this too)."""

    async def work() -> None:
        settings = _settings()
        async with open_database(settings):
            pass
        _out().print(f"Database at revision {head_revision()}.", highlight=False)

    _run(work)


@db_app.command("current")
def db_current() -> None:
    """Show the database's schema revision and the newest one the code knows."""

    async def work() -> None:
        from db.engine import create_engine

        engine = create_engine(_settings().resolved_database_url())
        try:
            revision = await current_revision(engine)
        finally:
            await engine.dispose()
        _out().print(f"database: {revision or 'empty'}; code: {head_revision()}", highlight=False)

    _run(work)


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
    if not path.is_file():
        raise CommandError(f"no such file: {source}")
    return path.read_bytes(), path.name


@app.command("import")
def import_command(
    source: Annotated[
        str | None, typer.Argument(metavar="FILE|-", help="Annex file, or - for standard input.")
    ] = None,
    bundled: Annotated[
        str | None, typer.Option(help="Import an annex shipped with annexbot: gf-2015-5.")
    ] = None,
    plan: Annotated[
        str | None, typer.Option(help="Plan code (default: from the document number or file name).")
    ] = None,
    format: Annotated[
        str, typer.Option("--format", help="auto, table, inline, labelled, csv or xlsx.")
    ] = "auto",
    issued: Annotated[
        str | None, typer.Option(help="Document date YYYY-MM-DD, for schedules without a year.")
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="Document title, when the file lacks it.")
    ] = None,
    number: Annotated[
        str | None, typer.Option("--doc-number", help="Document number, e.g. 国发〔2015〕5号.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and compare, write nothing.")
    ] = False,
    apply: Annotated[
        bool, typer.Option("--apply", help="Apply the changes a re-import shows.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Import an annex into a plan; a re-import shows its changes and applies them with --apply."""
    if format not in ("auto", "table", "inline", "labelled", "csv", "xlsx"):
        _err().print(f"annexbot: unknown --format {format!r}", markup=False)
        raise typer.Exit(2)

    async def work() -> Any:
        settings = _settings()
        data, filename = _read_source(source, bundled)
        issued_on = _parse_date(issued) if issued else None
        name = filename or (f"{bundled}.txt" if bundled else None)
        async with open_database(settings) as sessions, sessions() as session:
            return await import_annex(
                session=session,
                data=data,
                now=_now(),
                timezone=settings.timezone,
                plan_code=plan or bundled,
                format=_format(format),
                filename=name,
                document=DocumentInfo(number=number, title=title, issued_on=issued_on),
                dry_run=dry_run,
                apply=apply,
            )

    result = _run(work)
    if as_json:
        _out().print_json(show.to_json(show.import_json(result)))
    else:
        print_import(_out(), result)


def _format(value: str) -> Format:
    """The --format value as a reader format."""
    return value  # type: ignore[return-value]  # checked against the choices above


def _parse_date(value: str) -> dt.date:
    """A YYYY-MM-DD date from the command line."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from error


@app.command("plans")
def plans_command(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the plans."""

    async def work() -> Any:
        async with open_database(_settings()) as sessions, sessions() as session:
            return await list_plans(session)

    plans = _run(work)
    if as_json:
        print(show.to_json([p.__dict__ for p in plans]))
    else:
        show.print_plans(_out(), plans)


@app.command("tasks")
def tasks_command(
    plan: Annotated[str | None, typer.Option(help="Only this plan.")] = None,
    agency: Annotated[
        str | None, typer.Option(help="Only tasks of this agency (any of its names).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List tasks with their units and dates."""

    async def work() -> Any:
        async with open_database(_settings()) as sessions, sessions() as session:
            return await list_tasks(session, plan_code=plan, agency=agency)

    tasks = _run(work)
    if as_json:
        print(show.to_json([show.task_json(t) for t in tasks]))
    elif not tasks:
        _out().print("No tasks. Import an annex first: annexbot import --bundled gf-2015-5")
    else:
        show.print_tasks(_out(), tasks)


@app.command("task")
def task_command(
    number: Annotated[int, typer.Argument(help="Task number.")],
    plan: Annotated[
        str | None, typer.Option(help="The plan, when several have this number.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show one task: text, units, schedule and milestones."""

    async def work() -> Any:
        async with open_database(_settings()) as sessions, sessions() as session:
            return await get_task(session, number=number, plan_code=plan)

    task = _run(work)
    if as_json:
        print(show.to_json(show.task_json(task)))
    else:
        show.print_task(_out(), task)


@app.command("agencies")
def agencies_command(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List agencies with how many tasks each leads and co-handles."""

    async def work() -> Any:
        async with open_database(_settings()) as sessions, sessions() as session:
            return await list_agencies(session)

    agencies = _run(work)
    if as_json:
        print(show.to_json([a.__dict__ for a in agencies]))
    else:
        show.print_agencies(_out(), agencies)


from bot import cli_members  # noqa: E402  (registers its commands on app above)

cli_members.register(app)

from bot import cli_run  # noqa: E402  (registers `run` on app above)

cli_run.register(app)

from bot import cli_digest  # noqa: E402  (registers `digest` on app above)

cli_digest.register(app)

from bot import cli_backup  # noqa: E402  (registers `backup` and `restore` on app above)

cli_backup.register(app)

from bot import cli_serve  # noqa: E402  (registers `serve` and `feed-link` on app above)

cli_serve.register(app)

from bot import cli_demo  # noqa: E402  (registers `demo` on app above)

cli_demo.register(app)

from bot import cli_export  # noqa: E402  (registers `export` on app above)

cli_export.register(app)


def main() -> None:
    """Entry point of the console script."""
    app()
