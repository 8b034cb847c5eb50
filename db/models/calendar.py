"""The working-day calendar: which years it covers, and each holiday and adjusted working day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class CalendarYear(Base):
    """A year whose holidays and adjusted working days are known, and where they came from."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # "chinese-calendar" (seeded from the package) or "notice" (a State Council notice read in).
    source: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))


class CalendarDay(Base):
    """A day that differs from Monday-to-Friday: a holiday, or an adjusted working day."""

    __tablename__ = "calendar_day"
    __table_args__ = (Index(None, "year"),)

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool]
    name: Mapped[str] = mapped_column(String(64), default="")
    # The year whose notice (or seed) set the day; 元旦 may reach back into December.
    year: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime]
