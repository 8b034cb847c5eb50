"""annexbot plan archive|restore: a finished plan leaves every list, sweep and feed; and back."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import execute, load_settings, stdout, utc_now
from bot.database import open_database
from workflows.plans import PlanChange, archive_plan, restore_plan

PLAN = Annotated[
    str,
    typer.Argument(metavar="PLAN", help="The plan's code, document number or a word of its title."),
]


def register(app: typer.Typer) -> None:
    """Add `annexbot plan archive` and `annexbot plan restore`."""
    plan_app = typer.Typer(
        help="A plan's life: archive a finished plan, restore an archived one.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.add_typer(plan_app, name="plan")

    @plan_app.command("archive")
    def archive(
        plan: PLAN,
        carry_over: Annotated[
            bool,
            typer.Option(
                "--carry-over", help="Archive with open tasks, noted as carried over in the audit."
            ),
        ] = False,
    ) -> None:
        """Archive a plan: it leaves every list, reminder, digest and feed."""

        async def work() -> PlanChange:
            async with open_database(load_settings()) as sessions, sessions() as session:
                return await archive_plan(
                    session, telegram_id=None, typed=plan, now=utc_now(), carry_over=carry_over
                )

        change = execute(work)
        carried = (
            f"; {change.carried_over} open tasks noted as carried over"
            if change.carried_over
            else ""
        )
        stdout().print(
            f"{change.label} ({change.code}) archived{carried}.", markup=False, highlight=False
        )

    @plan_app.command("restore")
    def restore(plan: PLAN) -> None:
        """Bring an archived plan back into every list, reminder, digest and feed."""

        async def work() -> PlanChange:
            async with open_database(load_settings()) as sessions, sessions() as session:
                return await restore_plan(session, telegram_id=None, typed=plan, now=utc_now())

        change = execute(work)
        stdout().print(f"{change.label} ({change.code}) restored.", markup=False, highlight=False)
