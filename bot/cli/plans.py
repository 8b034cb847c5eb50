"""`annexbot plans`, `tasks`, `task`, `agencies` and `db` (and `import`): plans and their tasks."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bot.cli import annex_import
from bot.cli import console as show
from bot.cli.common import execute, load_settings, stdout
from bot.database import open_database
from db.migrations import current_revision, head_revision
from workflows.agencies import list_agencies
from workflows.tasks import get_task, list_plans, list_tasks

JSON_HELP = "Print JSON instead of a table (README, section JSON, lists the fields)."


def register(app: typer.Typer) -> None:
    """Add the plan commands and the `db` group to the annexbot CLI."""
    db_app = typer.Typer(
        help="The database: migrations.", no_args_is_help=True, rich_markup_mode=None
    )
    db_app.command("upgrade")(db_upgrade)
    db_app.command("current")(db_current)
    app.add_typer(db_app, name="db")
    app.command("import")(annex_import.import_command)
    app.command("plans")(plans_command)
    app.command("tasks")(tasks_command)
    app.command("task")(task_command)
    app.command("agencies")(agencies_command)


def db_upgrade() -> None:
    """Upgrade the database to the newest schema (other commands do this too)."""

    async def work() -> None:
        settings = load_settings()
        async with open_database(settings):
            pass
        stdout().print(f"Database at revision {head_revision()}.", highlight=False)

    execute(work)


def db_current() -> None:
    """Show the database's schema revision and the newest one the code knows."""

    async def work() -> None:
        from db.engine import create_engine

        engine = create_engine(load_settings().resolved_database_url())
        try:
            revision = await current_revision(engine)
        finally:
            await engine.dispose()
        stdout().print(f"database: {revision or 'empty'}; code: {head_revision()}", highlight=False)

    execute(work)


def plans_command(as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False) -> None:
    """List the plans."""

    async def work() -> Any:
        async with open_database(load_settings()) as sessions, sessions() as session:
            return await list_plans(session)

    plans = execute(work)
    if as_json:
        print(show.to_json([p.__dict__ for p in plans]))
    else:
        show.print_plans(stdout(), plans)


def tasks_command(
    plan: Annotated[str | None, typer.Option(metavar="CODE", help="Only this plan.")] = None,
    agency: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Only tasks of this agency (any of its names)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """List tasks with their units and dates."""

    async def work() -> Any:
        async with open_database(load_settings()) as sessions, sessions() as session:
            return await list_tasks(session, plan_code=plan, agency=agency)

    tasks = execute(work)
    if as_json:
        print(show.to_json([show.task_json(t) for t in tasks]))
    elif not tasks:
        stdout().print("No tasks. Import an annex first: annexbot import --bundled gf-2015-5")
    else:
        show.print_tasks(stdout(), tasks)


def task_command(
    number: Annotated[int, typer.Argument(metavar="N", help="Task number.")],
    plan: Annotated[
        str | None, typer.Option(metavar="CODE", help="The plan, when several have this number.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Show one task: text, units, schedule and milestones."""

    async def work() -> Any:
        async with open_database(load_settings()) as sessions, sessions() as session:
            return await get_task(session, number=number, plan_code=plan)

    task = execute(work)
    if as_json:
        print(show.to_json(show.task_json(task)))
    else:
        show.print_task(stdout(), task)


def agencies_command(
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """List agencies with how many tasks each leads and co-handles."""

    async def work() -> Any:
        async with open_database(load_settings()) as sessions, sessions() as session:
            return await list_agencies(session)

    agencies = execute(work)
    if as_json:
        print(show.to_json([a.__dict__ for a in agencies]))
    else:
        show.print_agencies(stdout(), agencies)
