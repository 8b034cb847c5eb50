"""The `annexbot` command: one Typer app with each command group registered on it."""

from __future__ import annotations

import typer

from bot.cli import backup, demo, digest, export, holidays, members, plans, run, serve

app = typer.Typer(
    name="annexbot",
    help="Track the task-division annex of a policy document (重点任务分工及进度安排).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for group in (plans, members, run, digest, backup, serve, demo, export, holidays):
    group.register(app)


def main() -> None:
    """Entry point of the console script."""
    app()
