"""Agencies: resolving printed unit names to agencies, and listing them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.models import Agency, AgencyAlias, Assignment, Task
from workflows.directory import (
    AgencyDirectory,
    load_directory,
    looks_like_group,
    normalise_unit_name,
)


@dataclass(frozen=True)
class AgencyView:
    """An agency as shown to people: its names and how many live tasks it has."""

    name: str
    full_name: str | None
    name_en: str | None
    is_group: bool
    in_directory: bool
    aliases: tuple[str, ...]
    lead_tasks: int
    co_tasks: int


class AgencyResolver:
    """Maps printed unit names to agencies, creating them from the directory or as unknown."""

    def __init__(self, session: AsyncSession, *, now: dt.datetime) -> None:
        self._session = session
        self._now = now
        self._directory: AgencyDirectory = load_directory()
        self._by_name: dict[str, Agency] = {}
        self.created_unknown: list[Agency] = []

    async def load(self) -> None:
        """Read every agency and alias once, so resolving needs no further queries."""
        agencies = await self._session.scalars(select(Agency).options(selectinload(Agency.aliases)))
        for agency in agencies:
            self._remember(agency)

    def _remember(self, agency: Agency) -> None:
        """Index an agency under its name, full name and aliases."""
        names = [agency.name, agency.full_name or "", *(a.alias for a in agency.aliases)]
        for name in names:
            if name:
                self._by_name.setdefault(normalise_unit_name(name), agency)

    def resolve(self, printed_name: str, *, is_group: bool = False) -> Agency:
        """The agency a printed name stands for; new ones are added to the session."""
        key = normalise_unit_name(printed_name)
        known = self._by_name.get(key)
        if known is not None:
            return known
        entry = self._directory.lookup(key)
        if entry is not None:
            known = self._by_name.get(normalise_unit_name(entry.name))
            if known is not None:
                self._by_name[key] = known
                return known
            aliases = {entry.full_name, *entry.aliases} - {entry.name, ""}
            agency = Agency(
                name=entry.name,
                full_name=entry.full_name,
                name_en=entry.name_en,
                is_group=entry.is_group,
                in_directory=True,
                created_at=self._now,
                aliases=[AgencyAlias(alias=alias) for alias in sorted(aliases)],
            )
        else:
            agency = Agency(
                name=key,
                is_group=is_group or looks_like_group(key),
                in_directory=False,
                created_at=self._now,
                aliases=[],
            )
            self.created_unknown.append(agency)
        self._session.add(agency)
        self._remember(agency)
        self._by_name[key] = agency
        return agency


async def find_agency(session: AsyncSession, name: str) -> Agency | None:
    """The agency known by this name, full name or alias, without creating one."""
    key = normalise_unit_name(name)
    entry = load_directory().lookup(key)
    candidates = {key} | ({normalise_unit_name(entry.name)} if entry else set())
    agency = await session.scalar(select(Agency).where(Agency.name.in_(candidates)))
    if agency is not None:
        return agency
    return await session.scalar(
        select(Agency).join(AgencyAlias).where(AgencyAlias.alias.in_(candidates))
    )


async def list_agencies(session: AsyncSession) -> list[AgencyView]:
    """Every agency with its live lead and co-responsible task counts, by name."""
    counts = (
        select(
            Assignment.agency_id,
            Assignment.role,
            func.count().label("tasks"),
        )
        .join(Task, Task.id == Assignment.task_id)
        .where(Task.removed_at.is_(None))
        .group_by(Assignment.agency_id, Assignment.role)
    )
    tally: dict[tuple[int, str], int] = {
        (row.agency_id, str(row.role)): row.tasks for row in await session.execute(counts)
    }
    agencies = await session.scalars(
        select(Agency).options(selectinload(Agency.aliases)).order_by(Agency.name)
    )
    return [
        AgencyView(
            name=agency.name,
            full_name=agency.full_name,
            name_en=agency.name_en,
            is_group=agency.is_group,
            in_directory=agency.in_directory,
            aliases=tuple(a.alias for a in agency.aliases),
            lead_tasks=tally.get((agency.id, "lead"), 0),
            co_tasks=tally.get((agency.id, "co"), 0),
        )
        for agency in agencies
    ]
