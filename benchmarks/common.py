"""What every benchmark shares: results, timing, the machine, and throwaway databases."""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import psutil  # type: ignore[import-untyped]  # no stubs installed
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.engine import create_engine, create_session_factory
from db.migrations import upgrade

Backend = Literal["sqlite", "postgresql"]


@dataclass(frozen=True)
class Figure:
    """One measured figure: its median, its baseline (same run) and the goal it is held to."""

    benchmark: str
    name: str
    value: float
    unit: str
    database: str
    baseline: float | None = None
    baseline_name: str = ""
    goal: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """value / baseline, when there is a baseline."""
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline


@dataclass
class Report:
    """Everything one `python -m benchmarks` run measured, and what it left out and why."""

    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, figure: Figure) -> None:
        """Keep a figure."""
        self.figures.append(figure)


def median(values: list[float]) -> float:
    """The median (of several runs)."""
    return float(statistics.median(values))


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the values fall (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


async def timed(action: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    """Seconds an awaited action took, and what it returned."""
    started = time.perf_counter()
    result = await action()
    return time.perf_counter() - started, result


@dataclass(frozen=True)
class Machine:
    """Where the figures were measured."""

    cores: int
    memory_gb: float
    python: str
    system: str
    cpu: str


def machine() -> Machine:
    """This machine's cores, memory, Python and OS."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return Machine(
        cores=os.cpu_count() or 1,
        memory_gb=psutil.virtual_memory().total / 2**30,
        python=platform.python_version(),
        system=f"{platform.system()} {platform.release()}",
        cpu=cpu,
    )


@dataclass(frozen=True)
class Database:
    """A throwaway, migrated database: its backend, URL and connection arguments."""

    backend: Backend
    url: str
    connect_args: dict[str, Any]
    label: str

    def engine(self) -> AsyncEngine:
        """A new engine on it."""
        return create_engine(self.url, connect_args=self.connect_args)


@asynccontextmanager
async def throwaway_database(backend: Backend, postgres_url: str | None) -> AsyncIterator[Database]:
    """An empty migrated database: an SQLite file in a temporary directory, or a PG schema."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="annexbot-bench-") as directory:
            url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}"
            database = Database("sqlite", url, {}, "SQLite")
            await _migrate(database)
            yield database
        return
    assert postgres_url is not None
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url)
    try:
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            version = await connection.scalar(text("SHOW server_version"))
        database = Database(
            "postgresql",
            postgres_url,
            {"server_settings": {"search_path": schema}},
            f"PostgreSQL {str(version).split()[0]}",
        )
        try:
            await _migrate(database)
            yield database
        finally:
            async with admin.begin() as connection:
                await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        await admin.dispose()


async def _migrate(database: Database) -> None:
    engine = database.engine()
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


@asynccontextmanager
async def sessions_on(database: Database) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A session factory on the database, its engine disposed afterwards."""
    engine = database.engine()
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


async def postgres_reachable(url: str) -> str | None:
    """None when PostgreSQL at url answers, else why not."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure to connect means "not reachable", whatever its kind
        return f"{type(error).__name__}: {error}"
    finally:
        await engine.dispose()
    return None


class QueryCounter:
    """Counts the statements an engine sends (SQLAlchemy's before_cursor_execute event)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.count = 0

    def _seen(self, *_args: Any) -> None:
        self.count += 1

    @contextmanager
    def counting(self) -> Iterator[QueryCounter]:
        """Count statements while inside; `count` holds the total afterwards."""
        self.count = 0
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._seen)
        try:
            yield self
        finally:
            event.remove(self.engine.sync_engine, "before_cursor_execute", self._seen)
