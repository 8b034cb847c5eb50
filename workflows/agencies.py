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
    DirectoryEntry,
    load_directory,
    looks_like_group,
    normalise_unit_name,
)
from workflows.jurisdiction import local_unit
from workflows.live import live_task


@dataclass(frozen=True)
class AgencyView:
    """An agency as shown to people: its names and how many live tasks it has."""

    name: str
    full_name: str | None
    name_en: str | None
    is_group: bool
    in_directory: bool
    jurisdiction: str | None
    aliases: tuple[str, ...]
    lead_tasks: int
    co_tasks: int


class AgencyResolver:
    """Maps printed unit names to agencies: the directory's, local units of the plan's
    jurisdiction (省发展改革委 → 浙江省发展改革委), or new ones marked unknown."""

    def __init__(
        self, session: AsyncSession, *, now: dt.datetime, jurisdiction: str | None = None
    ) -> None:
        self._session = session
        self._now = now
        self._jurisdiction = jurisdiction
        self._directory: AgencyDirectory = load_directory()
        self._by_name: dict[str, Agency] = {}
        self.created_unknown: list[Agency] = []
        self.local_unplaced: set[str] = set()  # local units the jurisdiction does not place

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
        if known is not None and known.in_directory:
            return known
        entry = self._directory.lookup(key)
        if entry is not None:
            return self._directory_agency(key, entry)
        local = local_unit(key, jurisdiction=self._jurisdiction, directory=self._directory)
        if local is not None and local.jurisdiction is not None:
            agency = self._by_name.get(normalise_unit_name(local.name))
            if agency is None:
                agency = self._add(
                    Agency(
                        name=local.name,
                        name_en=local.name_en,
                        is_group=local.is_group,
                        in_directory=False,
                        jurisdiction=local.jurisdiction,
                        created_at=self._now,
                        aliases=[],
                    )
                )
            self._by_name[key] = agency
            return agency
        if local is not None:
            self.local_unplaced.add(key)
        if known is not None:
            return known
        agency = self._add(
            Agency(
                name=key,
                is_group=is_group or looks_like_group(key),
                in_directory=False,
                created_at=self._now,
                aliases=[],
            )
        )
        self.created_unknown.append(agency)
        self._by_name[key] = agency
        return agency

    def _directory_agency(self, key: str, entry: DirectoryEntry) -> Agency:
        """The agency of a directory entry, created on first use."""
        known = self._by_name.get(normalise_unit_name(entry.name))
        if known is None:
            aliases = {entry.full_name, *entry.aliases} - {entry.name, ""}
            known = self._add(
                Agency(
                    name=entry.name,
                    full_name=entry.full_name,
                    name_en=entry.name_en,
                    is_group=entry.is_group,
                    in_directory=True,
                    created_at=self._now,
                    aliases=[AgencyAlias(alias=alias) for alias in sorted(aliases)],
                )
            )
        self._by_name[key] = known
        return known

    def _add(self, agency: Agency) -> Agency:
        self._session.add(agency)
        self._remember(agency)
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
        .where(live_task())
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
            jurisdiction=agency.jurisdiction,
            aliases=tuple(a.alias for a in agency.aliases),
            lead_tasks=tally.get((agency.id, "lead"), 0),
            co_tasks=tally.get((agency.id, "co"), 0),
        )
        for agency in agencies
    ]
