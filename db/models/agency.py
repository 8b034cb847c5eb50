"""Agencies (ministries, commissions, unit groups) and the other names they go by."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base


class Agency(Base):
    """A responsible unit, under the short name annexes print (发展改革委)."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    full_name: Mapped[str | None] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    is_group: Mapped[bool] = mapped_column(default=False)
    in_directory: Mapped[bool] = mapped_column(default=True)
    # A local unit's place (浙江省 for 浙江省发展改革委); None for central bodies and unknowns.
    jurisdiction: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]

    aliases: Mapped[list[AgencyAlias]] = relationship(
        back_populates="agency", cascade="all, delete-orphan", order_by="AgencyAlias.alias"
    )


class AgencyAlias(Base):
    """Another name of an agency (工信部 for 工业和信息化部)."""

    __tablename__ = "agency_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(128), unique=True)

    agency: Mapped[Agency] = relationship(back_populates="aliases")
