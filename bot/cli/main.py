"""The `annexbot` command: one Typer app with each command group registered on it."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError  # typer 0.29 vendors click
from typer.core import TyperGroup

from bot.cli import (
    backup,
    demo,
    digest,
    export,
    holidays,
    members,
    plan_life,
    plans,
    run,
    serve,
)


class OneLineErrors(TyperGroup):
    """The annexbot group: a usage error is one line on standard error and exit code 1."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; usage errors are reported as every other annexbot error."""
        try:
            outcome = super().main(
                args, prog_name, complete_var, False, windows_expand_args, **extra
            )
        except NoArgsIsHelpError as asked:
            typer.echo(asked.ctx.get_help())
            outcome = 0
        except UsageError as error:
            typer.echo(usage_line(error), err=True)
            outcome = 1
        except typer.Abort:
            typer.echo("annexbot: aborted", err=True)
            outcome = 1
        if not standalone_mode:
            return outcome
        sys.exit(outcome if isinstance(outcome, int) else 0)


def usage_line(error: UsageError) -> str:
    """`annexbot export: No such option: --foo; see annexbot export --help`."""
    path = error.ctx.command_path if error.ctx is not None else "annexbot"
    message = " ".join(error.format_message().split()).rstrip(".")
    return f"{path}: {message}; see {path} --help"


app = typer.Typer(
    name="annexbot",
    cls=OneLineErrors,
    help="Track the task-division annex of a policy document (重点任务分工及进度安排).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    # Help as wide as the terminal, up to 100 columns: whole command summaries.
    context_settings={"max_content_width": 100},
)

for group in (plans, plan_life, members, run, digest, backup, serve, demo, export, holidays):
    group.register(app)


def main() -> None:
    """Entry point of the console script."""
    app()
