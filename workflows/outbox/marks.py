"""Sweep watermarks: how far a sweep planned, and whether the data changed since."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import FeedDataVersion, Plan, SweepMark


@dataclass(frozen=True)
class Mark:
    """Where a sweep got to: it decided everything due through `through`, on `data_version`."""

    through: dt.datetime
    data_version: int


@dataclass(frozen=True)
class Bearings:
    """What a sweep needs before deciding anything, read in one round trip.

    mark: its watermark (None before its first run); version: the counter the database raises
    on every write to plans, tasks, members and the rest (None when it keeps none); timezones:
    the plans' timezones.
    """

    mark: Mark | None
    version: int | None
    timezones: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """Whether the data may have changed since the watermark."""
        return self.mark is None or self.version is None or self.version != self.mark.data_version


async def bearings(session: AsyncSession, name: str) -> Bearings:
    """A sweep's watermark, the data version and the plans' timezones (one statement)."""
    mark = select(SweepMark).where(SweepMark.name == name)
    zones = select(Plan.timezone).distinct().subquery()
    through, seen, version, timezones = (
        await session.execute(
            select(
                mark.with_only_columns(SweepMark.through).scalar_subquery(),
                mark.with_only_columns(SweepMark.data_version).scalar_subquery(),
                select(FeedDataVersion.counter).scalar_subquery(),
                select(func.aggregate_strings(zones.c.timezone, "\n")).scalar_subquery(),
            )
        )
    ).one()
    return Bearings(
        None if through is None else Mark(through, int(seen)),
        None if version is None else int(version),
        tuple(sorted(timezones.split("\n"))) if timezones else (),
    )


def still_quiet(found: Bearings, *, now: dt.datetime, quiet_end: dt.time) -> bool:
    """Whether, since the watermark (today), no data changed and no working morning came."""
    since = found.mark.through if found.mark is not None else None
    return (
        since is not None
        and since <= now
        and not found.changed
        and since.astimezone(dt.UTC).date() == now.astimezone(dt.UTC).date()
        and not mornings_came(found.timezones, since=since, now=now, quiet_end=quiet_end)
    )


def mornings_came(
    timezones: Sequence[str], *, since: dt.datetime, now: dt.datetime, quiet_end: dt.time
) -> bool:
    """Whether a working-morning hour came after `since`, up to now, in any of the timezones."""
    for timezone in timezones:
        zone = zoneinfo.ZoneInfo(timezone)
        day = since.astimezone(zone).date()
        while day <= now.astimezone(zone).date():
            if since < dt.datetime.combine(day, quiet_end, tzinfo=zone) <= now:
                return True
            day += dt.timedelta(days=1)
    return False


async def data_version(session: AsyncSession) -> int | None:
    """The counter the database raises on every write to plans, tasks, members and the rest."""
    counter = await session.scalar(select(FeedDataVersion.counter))
    return None if counter is None else int(counter)


async def save_mark(session: AsyncSession, name: str, mark: Mark) -> None:
    """Record a sweep's watermark (the caller commits, with what the sweep decided)."""
    values = {"through": mark.through, "data_version": mark.data_version}
    result = await session.execute(
        update(SweepMark)
        .where(SweepMark.name == name)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        await session.execute(insert(SweepMark).values(name=name, **values))
