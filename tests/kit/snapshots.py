"""Replaying a setup step's rows instead of redoing it: importing the bundled plan for every test.

Importing the 国发〔2015〕5号 annex took a third of the CPU time of the tests that start with it.
The first time a process imports a plan at a moment into an empty database, the rows the import
wrote are kept; later imports of the same plan at the same moment into an empty database insert
those rows. The tests of importing itself call import_annex, not this.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from sqlalchemy import Integer, exists, insert, literal, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import Base

Rows = dict[str, list[dict[str, Any]]]  # table name -> its rows
_KEPT: dict[Hashable, Rows] = {}


async def _is_empty(session: AsyncSession) -> bool:
    """Whether no table holds a row (only a freshly migrated database is replayed into)."""
    found = union_all(
        *(
            select(literal(1)).where(exists(select(literal(1)).select_from(table)))
            for table in Base.metadata.sorted_tables
        )
    )
    return (await session.execute(select(literal(1)).where(exists(found)))).first() is None


async def _rows(session: AsyncSession) -> Rows:
    """Every row of every table that has any."""
    kept: Rows = {}
    for table in Base.metadata.sorted_tables:
        rows = [dict(row._mapping) for row in await session.execute(select(table))]
        if rows:
            kept[table.name] = rows
    return kept


async def _insert(session: AsyncSession, kept: Rows) -> None:
    """Insert kept rows, parents first; PostgreSQL's id sequences then continue after them."""
    for table in Base.metadata.sorted_tables:
        if table.name in kept:
            await session.execute(insert(table), kept[table.name])
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        for table in Base.metadata.sorted_tables:
            [key] = table.primary_key.columns
            if table.name in kept and isinstance(key.type, Integer):
                await session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{key.name}'),"
                        f" (SELECT max({key.name}) FROM {table.name}))"
                    )
                )


async def replayed(
    session: AsyncSession, key: Hashable, step: Callable[[], Awaitable[None]]
) -> None:
    """Run a step that commits; on an empty database, commit the rows it wrote on one before."""
    empty = await _is_empty(session)
    if empty and key in _KEPT:
        await _insert(session, _KEPT[key])
        await session.commit()
        return
    await step()
    if empty:
        _KEPT[key] = await _rows(session)
