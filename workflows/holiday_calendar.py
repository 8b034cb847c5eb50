"""The working-day calendar in the database: loading it, importing a notice, single changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CalendarDay, CalendarYear
from workflows.access import Actor, identify, require_coordinator
from workflows.audit import record
from workflows.errors import InvalidInputError, NotFoundError
from workflows.holiday_notice import Notice, parse_notice
from workflows.workdays import WorkingCalendar

SEEDED = "chinese-calendar"
NOTICE = "notice"


@dataclass(frozen=True)
class DayState:
    """A day as the calendar has it: working or off, and its holiday's name."""

    working: bool
    name: str


@dataclass(frozen=True)
class DayChange:
    """A day whose state a change sets, with what it was (None: an ordinary day)."""

    day: dt.date
    before: DayState | None
    after: DayState | None

    @property
    def was_working(self) -> bool:
        """Whether the day counted as a working day before the change."""
        return self.before.working if self.before else self.day.weekday() < 5

    @property
    def is_working(self) -> bool:
        """Whether the day counts as a working day after the change."""
        return self.after.working if self.after else self.day.weekday() < 5


@dataclass(frozen=True)
class NoticeImport:
    """A notice read for its year: what it says, what it changes, whether it was written."""

    notice: Notice
    previous_source: str | None
    changes: tuple[DayChange, ...]
    applied: bool

    @property
    def moved(self) -> tuple[DayChange, ...]:
        """The changes that turn a working day into a day off or back."""
        return tuple(c for c in self.changes if c.was_working != c.is_working)


@dataclass(frozen=True)
class HolidayPeriod:
    """Consecutive days off of one holiday."""

    name: str
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        """How many days the period lasts."""
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class YearView:
    """A year of the calendar as /holidays and the command line show it."""

    year: int
    covered: bool
    source: str | None
    note: str
    updated_at: dt.datetime | None
    periods: tuple[HolidayPeriod, ...]
    working: tuple[tuple[dt.date, str], ...]
    last_year: int | None


async def covered_years(session: AsyncSession) -> frozenset[int]:
    """The years whose holidays are known."""
    return frozenset(await session.scalars(select(CalendarYear.year)))


async def load_calendar(
    session: AsyncSession, *, between: tuple[dt.date, dt.date] | None = None
) -> WorkingCalendar:
    """The calendar as the database has it.

    `between` reads only the days in that window (for one message's dates); such a calendar
    answers for those days only.
    """
    query = select(CalendarDay.day, CalendarDay.working, CalendarDay.name)
    if between is not None:
        query = query.where(CalendarDay.day.between(*between))
    holidays: dict[dt.date, str] = {}
    workdays: dict[dt.date, str] = {}
    for day, working, name in await session.execute(query):
        (workdays if working else holidays)[day] = name
    return WorkingCalendar(holidays, workdays, await covered_years(session))


async def _states(session: AsyncSession, days: set[dt.date], year: int) -> dict[dt.date, DayState]:
    """The stored states of the given days and of every day a year's notice set."""
    rows = await session.scalars(
        select(CalendarDay).where(CalendarDay.day.in_(days) | (CalendarDay.year == year))
    )
    return {row.day: DayState(row.working, row.name) for row in rows}


async def import_notice(
    session: AsyncSession,
    *,
    text: str,
    now: dt.datetime,
    year: int | None = None,
    apply: bool = False,
    note: str = "",
    actor: Actor | None = None,
) -> NoticeImport:
    """Read a notice; with `apply`, make it its year's holidays and adjusted working days.

    What the year had before (seeded from chinese-calendar, an earlier notice, single changes)
    is replaced; a day of the notice that lies in the year before (元旦 from 31 December) is
    taken over by it.
    """
    notice = parse_notice(text, year=year)
    days = notice.days()
    before = await _states(session, set(days), notice.year)
    after = {day: DayState(working, name) for day, (working, name) in days.items()}
    changes = tuple(
        DayChange(day, before.get(day), after.get(day))
        for day in sorted(set(before) | set(after))
        if before.get(day) != after.get(day)
    )
    existing = await session.get(CalendarYear, notice.year)
    previous = existing.source if existing else None
    if not apply:
        return NoticeImport(notice, previous, changes, applied=False)
    await session.execute(delete(CalendarDay).where(CalendarDay.year == notice.year))
    await session.execute(delete(CalendarDay).where(CalendarDay.day.in_(set(days))))
    session.add_all(
        CalendarDay(
            day=day, working=state.working, name=state.name, year=notice.year, updated_at=now
        )
        for day, state in sorted(after.items())
    )
    if existing is None:
        existing = CalendarYear(year=notice.year)
        session.add(existing)
    existing.source, existing.note, existing.updated_at = NOTICE, note, now
    existing.updated_by_id = actor.member_id if actor else None
    record(
        session,
        at=now,
        actor=actor,
        action="calendar.import",
        entity="calendar_year",
        entity_id=notice.year,
        before={"source": previous},
        after={"source": NOTICE, "note": note, "days": len(after)},
    )
    await session.commit()
    return NoticeImport(notice, previous, changes, applied=True)


async def set_day(
    session: AsyncSession,
    *,
    day: dt.date,
    working: bool,
    now: dt.datetime,
    name: str = "",
    actor: Actor | None = None,
) -> DayChange:
    """Make one day a holiday (or, `working`, an adjusted working day)."""
    if len(name) > 64:
        raise InvalidInputError("a holiday name has at most 64 characters")
    row = await session.get(CalendarDay, day)
    before = DayState(row.working, row.name) if row else None
    if row is None:
        row = CalendarDay(day=day, year=day.year)
        session.add(row)
    row.working, row.name, row.updated_at = working, name or (before.name if before else ""), now
    after = DayState(row.working, row.name)
    _audit_day(session, day=day, before=before, after=after, now=now, actor=actor)
    await session.commit()
    return DayChange(day, before, after)


async def clear_day(
    session: AsyncSession,
    *,
    day: dt.date,
    now: dt.datetime,
    working: bool | None = None,
    actor: Actor | None = None,
) -> DayChange:
    """Make one day ordinary again (Monday to Friday working, weekends off).

    `working` True or False removes the day only if it is that kind of day.
    """
    row = await session.get(CalendarDay, day)
    if row is None:
        raise NotFoundError("{day} is neither a holiday nor an adjusted working day", day=day)
    if working is True and not row.working:
        raise InvalidInputError("{day} is not an adjusted working day", day=day)
    if working is False and row.working:
        raise InvalidInputError("{day} is not a holiday", day=day)
    before = DayState(row.working, row.name)
    await session.delete(row)
    _audit_day(session, day=day, before=before, after=None, now=now, actor=actor)
    await session.commit()
    return DayChange(day, before, None)


def _audit_day(
    session: AsyncSession,
    *,
    day: dt.date,
    before: DayState | None,
    after: DayState | None,
    now: dt.datetime,
    actor: Actor | None,
) -> None:
    """Record a single day's change in the audit log."""

    def state(value: DayState | None) -> dict[str, object] | None:
        return {"working": value.working, "name": value.name} if value else None

    record(
        session,
        at=now,
        actor=actor,
        action="calendar.day",
        entity="calendar_day",
        entity_id=day.year,
        before={"day": day.isoformat(), "state": state(before)},
        after={"day": day.isoformat(), "state": state(after)},
    )


def holiday_periods(days: list[tuple[dt.date, str]]) -> tuple[HolidayPeriod, ...]:
    """Days off (in date order) grouped into runs of consecutive days, named by their holidays.

    Adjacent holidays make one run (国庆节、中秋节), as the notices print them.
    """
    runs: list[list[tuple[dt.date, str]]] = []
    for day, name in days:
        if runs and (day - runs[-1][-1][0]).days == 1:
            runs[-1].append((day, name))
        else:
            runs.append([(day, name)])
    return tuple(
        HolidayPeriod("、".join(dict.fromkeys(n for _, n in run if n)), run[0][0], run[-1][0])
        for run in runs
    )


async def year_view(session: AsyncSession, *, year: int) -> YearView:
    """A year's holidays (in periods) and adjusted working days, and where they came from."""
    entry = await session.get(CalendarYear, year)
    rows = (
        await session.execute(
            select(CalendarDay.day, CalendarDay.working, CalendarDay.name)
            .where(CalendarDay.year == year)
            .order_by(CalendarDay.day)
        )
    ).all()
    years = await covered_years(session)
    return YearView(
        year=year,
        covered=entry is not None,
        source=entry.source if entry else None,
        note=entry.note if entry else "",
        updated_at=entry.updated_at if entry else None,
        periods=holiday_periods([(day, name) for day, working, name in rows if not working]),
        working=tuple((day, name) for day, working, name in rows if working),
        last_year=max(years, default=None),
    )


async def holidays_overview(session: AsyncSession, *, telegram_id: int, year: int) -> YearView:
    """A year of the calendar for a coordinator (/holidays)."""
    require_coordinator(await identify(session, telegram_id))
    if not 1900 <= year <= 2200:
        raise InvalidInputError("Give a year such as 2027.")
    return await year_view(session, year=year)
