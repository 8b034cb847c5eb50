"""What every `annexbot` command shares: consoles, settings, the runner and one-line errors."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from bot.settings import Settings
from workflows.errors import AnnexbotError

T = TypeVar("T")

AGENCIES_HINT = "There is no agency called “{name}”; annexbot agencies lists them."
# What the chat says in its own terms (its commands, "you"), as the shell says it.
SHELL_WORDING = {
    "There is no agency called “{name}”; /agencies lists them.": AGENCIES_HINT,
    "No agency is called “{name}”.": AGENCIES_HINT,
    "There are several plans; name one.": (
        "There are several plans; name one with --plan CODE (annexbot plans lists them)."
    ),
    "You are already registered as a coordinator.": "already a coordinator; nothing changed.",
    "You are already registered for {agency}. To change, send /leave first.": (
        "already registered for {agency}; to make them a coordinator, they send /leave "
        "to the bot first."
    ),
}


class CommandError(Exception):
    """A failure to report as one line."""


def stdout() -> Console:
    """A console on standard output, sized by the terminal (or COLUMNS) of this run."""
    return Console(soft_wrap=True)


def stderr() -> Console:
    """A console on standard error for one-line failures."""
    return Console(stderr=True, soft_wrap=True)


def load_settings() -> Settings:
    """The settings, or one line saying which one is wrong."""
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = "ANNEXBOT_" + "_".join(str(p) for p in first["loc"]).upper()
        raise CommandError(f"setting {name}: {first['msg']}") from error


def said(error: AnnexbotError) -> str:
    """An error as the shell says it."""
    wording = SHELL_WORDING.get(error.template)
    return wording.format(**error.params) if wording is not None else str(error)


def execute(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine; turn domain and database errors into one line and exit code 1."""
    try:
        return asyncio.run(work())
    except AnnexbotError as error:
        stderr().print(f"annexbot: {said(error)}", markup=False, highlight=False)
    except CommandError as error:
        stderr().print(f"annexbot: {error}", markup=False, highlight=False)
    except SQLAlchemyError as error:
        original = getattr(error, "orig", None)
        reason = str(original) if original is not None else str(error)
        stderr().print(f"annexbot: database error: {reason.splitlines()[0]}", markup=False)
    except OSError as error:
        stderr().print(f"annexbot: {error}", markup=False, highlight=False)
    raise typer.Exit(1)


def utc_now() -> dt.datetime:
    """The current time, read once at the edge of the program."""
    return dt.datetime.now(dt.UTC)


def parse_date(value: str) -> dt.date:
    """A YYYY-MM-DD date from the command line."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from error


def fail(message: str) -> NoReturn:
    """Say what is wrong in one line on standard error and exit with code 1."""
    stderr().print(f"annexbot: {message}", markup=False, highlight=False)
    raise typer.Exit(1)
