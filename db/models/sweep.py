"""Where each scheduled sweep got to: the moment it planned through and the data it saw."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class SweepMark(Base):
    """A sweep's watermark: everything due up to `through` was decided on data `data_version`."""

    __tablename__ = "sweep_mark"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    through: Mapped[dt.datetime]
    # The feed data counter (migration 0008) when the sweep read its rows.
    data_version: Mapped[int] = mapped_column(BigInteger)
