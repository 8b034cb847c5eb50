"""Sweep watermarks: how far a sweep planned, and whether the data changed since."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import FeedDataVersion, SweepMark


@dataclass(frozen=True)
class Mark:
    """Where a sweep got to: it decided everything due through `through`, on `data_version`."""

    through: dt.datetime
    data_version: int


async def read_mark(session: AsyncSession, name: str) -> Mark | None:
    """A sweep's watermark, None before its first run."""
    row = (
        await session.execute(
            select(SweepMark.through, SweepMark.data_version).where(SweepMark.name == name)
        )
    ).first()
    return None if row is None else Mark(row[0], row[1])


async def data_version(session: AsyncSession) -> int | None:
    """The counter the database raises on every write to plans, tasks, members and the rest.

    None when the database keeps none: then every sweep must take the data as changed.
    """
    counter = await session.scalar(select(FeedDataVersion.counter))
    return None if counter is None else int(counter)


def changed_since(mark: Mark | None, version: int | None) -> bool:
    """Whether the data may have changed since a sweep's watermark."""
    return mark is None or version is None or version != mark.data_version


async def save_mark(session: AsyncSession, name: str, mark: Mark) -> None:
    """Record a sweep's watermark (the caller commits, with what the sweep decided)."""
    row = await session.get(SweepMark, name)
    if row is None:
        session.add(SweepMark(name=name, through=mark.through, data_version=mark.data_version))
    else:
        row.through = mark.through
        row.data_version = mark.data_version
    await session.flush()
