"""`annexbot holidays`: the working-day calendar, its yearly notice, and single days."""

from __future__ import annotations

import datetime as dt
import sys
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console

from bot.cli.common import CommandError, execute, load_settings, parse_date, stdout, utc_now
from bot.database import open_database
from workflows.holiday_calendar import (
    NOTICE,
    SEEDED,
    DayChange,
    NoticeImport,
    YearView,
    clear_day,
    import_notice,
    set_day,
    year_view,
)

WEEKDAYS = "一二三四五六日"


def _day(day: dt.date, year: int | None = None) -> str:
    """A day as the notices print it: 2月14日（周日）, with its year when not `year`."""
    text = f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"
    return text if year in (None, day.year) else f"{day.year}年{text}"


def _state(working: bool) -> str:
    return "working day" if working else "day off"


def _source(view: YearView) -> str:
    """Where a year's calendar came from."""
    if view.source == SEEDED:
        return f"seeded from the chinese-calendar package ({view.note})"
    if view.source == NOTICE:
        note = f", {view.note}" if view.note else ""
        when = f"{view.updated_at:%Y-%m-%d}" if view.updated_at else "?"
        return f"the State Council's notice, imported {when}{note}"
    return view.source or "—"


def _printer(out: Console) -> Callable[[str], None]:
    """Print plain lines (no rich markup: notices have brackets of their own)."""

    def say(text: str) -> None:
        out.print(text, markup=False, highlight=False)

    return say


def print_year(out: Console, view: YearView) -> None:
    """A year's holidays and adjusted working days, or what is missing."""
    say = _printer(out)
    if not view.covered:
        last = view.last_year or "no year"
        say(f"{view.year}: no holidays known; the calendar covers up to {last}.")
        say(f"Until the State Council's notice for {view.year} is imported, {view.year} counts")
        say("Monday to Friday as working days: annexbot holidays import FILE")
    else:
        say(f"{view.year}: {_source(view)}")
    for period in view.periods:
        span = _day(period.first, view.year)
        if period.days > 1:
            span += f"至{_day(period.last, view.year)}"
        say(f"  {period.name or '—'}  {span}  {_days(period.days)} off")
    if view.working:
        worked = "、".join(f"{_day(day, view.year)} {name}".strip() for day, name in view.working)
        say(f"  worked: {worked}")


def print_notice(out: Console, result: NoticeImport) -> None:
    """What a notice was read as, and what importing it changes."""
    say = _printer(out)
    notice = result.notice
    before = {None: "nothing so far", SEEDED: "the chinese-calendar package", NOTICE: "a notice"}
    say(f"The notice for {notice.year} (the year has {before.get(result.previous_source)}):")
    for holiday in notice.holidays:
        first, last = holiday.days[0], holiday.days[-1]
        span = _day(first, notice.year)
        if last != first:
            span += f"至{_day(last, notice.year)}"
        say(f"  {holiday.name}  {span}  {_days(len(holiday.days))} off")
        if holiday.working:
            say(f"      worked: {'、'.join(_day(d, notice.year) for d in holiday.working)}")
    for sentence in notice.unread:
        say(f"  not read (check it): {sentence}")
    moved = result.moved
    if moved:
        say(f"Changes {_days(len(moved))} from what the calendar has:")
        for change in moved:
            say(f"  {change.day.isoformat()} {_day(change.day)}: {_change(change)}")
    else:
        say("No day changes between working and off.")


def _days(count: int) -> str:
    """A count of days in English: 1 day, 3 days."""
    return f"{count} day" if count == 1 else f"{count} days"


def _change(change: DayChange) -> str:
    """A day's change, from the calendar's point of view."""
    return f"{_state(change.was_working)} → {_state(change.is_working)}"


def _read(source: str) -> str:
    """A notice's text from a file or standard input (UTF-8, or GB18030 as offices save it)."""
    if source == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise CommandError(f"no such file: {source}")
        data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError(f"{source}: neither UTF-8 nor GB18030 text")


def register(app: typer.Typer) -> None:
    """Add the `holidays` group to the annexbot CLI."""
    holidays = typer.Typer(
        help="The working-day calendar: holidays and adjusted working days.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.add_typer(holidays, name="holidays")
    holidays.command("show")(show_command)
    holidays.command("import")(import_command)
    holidays.command("add")(add_command)
    holidays.command("remove")(remove_command)


def show_command(
    year: Annotated[int | None, typer.Argument(help="The year (default: this year).")] = None,
) -> None:
    """Show a year's holidays and adjusted working days, and where they came from."""

    async def work() -> Any:
        settings = load_settings()
        today = utc_now().astimezone(zoneinfo.ZoneInfo(settings.timezone)).date()
        async with open_database(settings) as sessions, sessions() as session:
            return await year_view(session, year=year or today.year)

    print_year(stdout(), execute(work))


def import_command(
    source: Annotated[
        str, typer.Argument(metavar="FILE|-", help="The notice's text, or - for standard input.")
    ],
    year: Annotated[
        int | None,
        typer.Option(metavar="YEAR", help="The notice's year, when its text does not say it."),
    ] = None,
    note: Annotated[
        str,
        typer.Option(
            metavar="TEXT", help="Where the notice came from (its address or document number)."
        ),
    ] = "",
    apply: Annotated[bool, typer.Option("--apply", help="Import without asking.")] = False,
) -> None:
    """Read the State Council's notice (关于YYYY年部分节假日安排的通知) into its year's calendar."""

    async def preview() -> Any:
        settings = load_settings()
        text = _read(source)
        async with open_database(settings) as sessions, sessions() as session:
            return text, await import_notice(session, text=text, now=utc_now(), year=year)

    text, result = execute(preview)
    out = stdout()
    print_notice(out, result)
    if not apply:
        if source == "-":  # standard input held the notice: there is no one to ask
            out.print("Nothing written: run again with --apply to import it.", highlight=False)
            return
        try:
            confirmed = typer.confirm(f"Import this as {result.notice.year}'s calendar?")
        except click.exceptions.Abort:
            confirmed = False
        if not confirmed:
            out.print("Nothing written.", highlight=False)
            return

    async def write() -> Any:
        async with open_database(load_settings()) as sessions, sessions() as session:
            return await import_notice(
                session, text=text, now=utc_now(), year=year, apply=True, note=note
            )

    done = execute(write)
    out.print(
        f"Imported: {done.notice.year} now follows the notice ({len(done.notice.days())} days).",
        highlight=False,
    )


def add_command(
    day: Annotated[str, typer.Argument(metavar="DATE", help="The day, YYYY-MM-DD.")],
    working: Annotated[
        bool, typer.Option("--working", help="An adjusted working day (a worked weekend day).")
    ] = False,
    name: Annotated[
        str, typer.Option(metavar="NAME", help="The holiday it belongs to, e.g. 春节.")
    ] = "",
) -> None:
    """Make one day a holiday, or with --working an adjusted working day."""

    async def work() -> Any:
        async with open_database(load_settings()) as sessions, sessions() as session:
            return await set_day(
                session, day=parse_date(day), working=working, name=name, now=utc_now()
            )

    change = execute(work)
    stdout().print(f"{change.day.isoformat()} {_day(change.day)}: {_change(change)}", markup=False)


def remove_command(
    day: Annotated[str, typer.Argument(metavar="DATE", help="The day, YYYY-MM-DD.")],
    working: Annotated[
        bool, typer.Option("--working", help="Only if it is an adjusted working day.")
    ] = False,
) -> None:
    """Make one day ordinary again: Monday to Friday working, weekends off."""

    async def work() -> Any:
        async with open_database(load_settings()) as sessions, sessions() as session:
            return await clear_day(
                session, day=parse_date(day), now=utc_now(), working=True if working else None
            )

    change = execute(work)
    stdout().print(f"{change.day.isoformat()} {_day(change.day)}: {_change(change)}", markup=False)
