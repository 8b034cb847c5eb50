"""Benchmark 7: one send budget for every process.

One, two and three real `annexbot run --webhook` processes on one database drain the same
outbox into one sandbox Bot API server that answers 429 past Telegram's limits. On PostgreSQL
they share the budget in the database; on SQLite one of them sends and the others say so.
The figure is the time from the first to the last message the sandbox accepted, against one
process's in the same run; every run must see no 429, and every message once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import math
import os
import re
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from sqlalchemy import delete, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from benchmarks.common import Backend, Figure, Report, median
from bot.sandbox import SandboxServer
from bot.sandbox.models import ApiCall
from db.engine import create_engine, create_session_factory
from db.enums import DeliveryState
from db.migrations import upgrade
from db.models import Delivery
from workflows.outbox.queue import enqueue_many

ROOT = Path(__file__).resolve().parent.parent
LIMIT_PER_SECOND = 30
GOAL_RATIO = 1.1
RUNNING = "is running"
SENDING = "this process sends the outbox"
NOT_SENDING = "sends the outbox of this SQLite database"
PROBE_SECONDS = 0.5
PROBE_HORIZON_SECONDS = 900.0
PROBE_CHAT = 9_000_000
PROBE_NUMBER = 900_000_000
FIRST_DRAIN_SECONDS = 1.5  # a process drains a second after it starts
# Two messages to each chat, half the outbox apart: several processes send to one chat at once.
MESSAGES_PER_CHAT = 2
FIRST_CHAT = 700_000
TAIL = re.compile(r"投递编号 (\d+)）")


@dataclass(frozen=True)
class Drained:
    """What the sandbox saw while `processes` processes drained `deliveries` deliveries."""

    processes: int
    deliveries: int
    seconds: float  # first to last message the sandbox accepted
    refused: int  # answers 429
    sent_by: tuple[int, ...]  # sent by each process meanwhile (its /metrics; probes too)
    duplicates: int
    missing: int
    busiest_second: int  # most messages accepted within any one second
    busiest_chat_second: int  # most messages to one chat within any one second

    @property
    def rate(self) -> float:
        """Messages per second between the first and the last."""
        return (self.deliveries - 1) / self.seconds if self.seconds > 0 else float("nan")

    def line(self) -> str:
        """One line for a log."""
        return (
            f"{self.processes} process(es): {self.deliveries} in {self.seconds:.2f} s"
            f" ({self.rate:.1f}/s), {self.refused} × 429, sent by {list(self.sent_by)},"
            f" busiest second {self.busiest_second}, busiest chat second"
            f" {self.busiest_chat_second}, {self.duplicates} twice, {self.missing} missing"
        )


def _free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """One `annexbot run --webhook` process on its own port, logging to a file."""

    def __init__(self, name: str, url: str, sandbox: SandboxServer, directory: Path) -> None:
        self.port = _free_port()
        self.log = directory / f"{name}.log"
        self.env = {
            **os.environ,
            "ANNEXBOT_DATABASE_URL": url,
            "ANNEXBOT_TELEGRAM_TOKEN": sandbox.token,
            "ANNEXBOT_TELEGRAM_API_URL": sandbox.url,
            "ANNEXBOT_DATA_DIR": str(directory),
        }
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start the process (not waiting for it to run)."""
        with self.log.open("ab") as output:
            self.process = await asyncio.create_subprocess_exec(
                str(Path(sys.executable).with_name("annexbot")),
                "run",
                "--webhook",
                f"http://127.0.0.1:{self.port}/telegram",
                "--port",
                str(self.port),
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=output,
            )

    def logged(self, phrase: str) -> bool:
        """Whether the process has logged a phrase."""
        return self.log.exists() and phrase in self.log.read_text(errors="replace")

    async def sent(self) -> int:
        """Deliveries this process recorded as sent, from its /metrics."""
        async with httpx.AsyncClient() as client:
            body = (await client.get(f"http://127.0.0.1:{self.port}/metrics")).text
        pattern = re.compile(r"^annexbot_deliveries_sent_total(?:{[^}]*})? (\S+)$", re.MULTILINE)
        return int(sum(float(value) for value in pattern.findall(body)))

    async def stop(self) -> None:
        """SIGTERM, and wait for it to end."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=20)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    def tail(self) -> str:
        """The end of its log, to show when something went wrong."""
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""


@contextlib.asynccontextmanager
async def shared_database(backend: Backend, postgres_url: str | None) -> AsyncIterator[str]:
    """A migrated database other processes open by URL: an SQLite file or a new PG database."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="annexbot-budget-") as directory:
            url = f"sqlite+aiosqlite:///{Path(directory) / 'budget.sqlite3'}"
            await _migrate(url)
            yield url
        return
    assert postgres_url is not None
    name = f"annexbot_budget_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(postgres_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
        try:
            await _migrate(url)
            yield url
        finally:
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def _alert(n: int, chat_id: int, due: dt.datetime, key: str) -> dict[str, Any]:
    """A delivery-failed alert as a delivery row (it renders without other rows)."""
    return {
        "idempotency_key": key,
        "kind": "delivery_failed",
        "chat_id": chat_id,
        "member_id": None,
        "payload": {"delivery_id": n, "kind": "budget", "chat_id": chat_id, "error": "x"},
        "state": DeliveryState.PENDING,
        "attempts": 0,
        "next_attempt_at": due,
        "late": False,
        "created_at": due,
    }


def _busiest(times: list[float], seconds: float) -> int:
    """Most of the sorted times within any window of `seconds`."""
    most, start = 0, 0
    for end, at in enumerate(times):
        while times[start] <= at - seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


class Fleet:
    """Processes on one database and one sandbox, kept awake by probes to drain batches at will.

    A sender that has nothing due sleeps until the next delivery falls due; so a probe (an
    alert to a chat of its own) falls due every PROBE_SECONDS, and a batch is queued due at
    the next probe, with the probes it would overlap removed: every running process wakes
    for it at the same moment.
    """

    def __init__(
        self, url: str, sandbox: SandboxServer, directory: Path, *, processes: int
    ) -> None:
        self.url = url
        self.sandbox = sandbox
        self.engine = create_engine(url)
        self.sessions = create_session_factory(self.engine)
        self.bots = [BotProcess(f"bot{n}", url, sandbox, directory) for n in range(processes)]
        self.rate = sandbox.faults.enforce_rate_limits()
        self.batches = 0
        self.last_times: list[float] = []
        self.probes_from = dt.datetime.now(dt.UTC)

    async def start(self, *, within: float) -> None:
        """Queue probes, start every process and wait until each runs and drained once."""
        await self._probe(self.probes_from, PROBE_HORIZON_SECONDS)
        await asyncio.gather(*(bot.start() for bot in self.bots))
        deadline = time.monotonic() + within
        while not all(bot.logged(RUNNING) for bot in self.bots):
            if time.monotonic() > deadline:
                raise TimeoutError("\n".join(bot.tail() for bot in self.bots))
            await asyncio.sleep(0.1)
        await asyncio.sleep(FIRST_DRAIN_SECONDS)

    async def _probe(self, start: dt.datetime, seconds: float) -> None:
        """A probe due every PROBE_SECONDS from start for `seconds`."""
        count = int(seconds / PROBE_SECONDS)
        rows = []
        for n in range(count):
            chat_id = PROBE_CHAT + n
            self.sandbox.add_user(chat_id, f"p{n}")
            due = start + dt.timedelta(seconds=(n + 1) * PROBE_SECONDS)
            rows.append(_alert(PROBE_NUMBER + n, chat_id, due, f"probe:{n}"))
        async with self.sessions() as session:
            await enqueue_many(session, rows)
            await session.commit()

    async def stop_one(self) -> None:
        """Stop a process: one that does not send if there is one (SQLite), else the last."""
        idle = [bot for bot in self.bots if bot.logged(NOT_SENDING) and not bot.logged(SENDING)]
        bot = idle[-1] if idle else self.bots[-1]
        await bot.stop()
        self.bots.remove(bot)

    async def stop(self) -> None:
        """Stop every process, and close the fleet's engine."""
        await asyncio.gather(*(bot.stop() for bot in self.bots))
        await self.engine.dispose()

    async def drain(self, deliveries: int, *, within: float) -> Drained:
        """Queue `deliveries` at the next probe and wait until all arrived; what the sandbox saw."""
        refused_before = self.rate.rejected
        sent_before = [await bot.sent() for bot in self.bots]
        first = (self.batches + 1) * 1_000_000
        self.batches += 1
        chats = max(1, deliveries // MESSAGES_PER_CHAT)
        now = dt.datetime.now(dt.UTC)
        passed = (now - self.probes_from).total_seconds()
        due = self.probes_from + dt.timedelta(
            seconds=(math.floor(passed / PROBE_SECONDS) + 2) * PROBE_SECONDS
        )
        clear_until = due + dt.timedelta(seconds=deliveries / LIMIT_PER_SECOND * 2 + 5)
        rows = []
        for n in range(first, first + deliveries):
            chat_id = FIRST_CHAT + first + n % chats
            if n < first + chats:
                self.sandbox.add_user(chat_id, f"u{chat_id}")
            rows.append(_alert(n, chat_id, due, f"budget:{n}"))
        async with self.sessions() as session:
            await session.execute(
                delete(Delivery).where(
                    Delivery.idempotency_key.like("probe:%"),
                    Delivery.state == DeliveryState.PENDING,
                    Delivery.next_attempt_at > due - dt.timedelta(seconds=PROBE_SECONDS / 2),
                    Delivery.next_attempt_at < clear_until,
                )
            )
            await enqueue_many(session, rows)
            await session.commit()
        expected = set(range(first, first + deliveries))

        accepted: list[ApiCall] = []
        numbers: Counter[int] = Counter()
        seen = len(self.sandbox.state.calls)

        def arrived() -> int:
            """The batch's messages accepted so far (reading only the calls not yet read)."""
            nonlocal seen
            calls = self.sandbox.state.calls
            while seen < len(calls) and calls[seen].status is not None:  # answered calls only
                call = calls[seen]
                seen += 1
                if call.method.lower() != "sendmessage" or not call.ok:
                    continue
                found = TAIL.search(str(call.params.get("text", "")))
                if found and int(found.group(1)) in expected:
                    accepted.append(call)
                    numbers[int(found.group(1))] += 1
            return len(accepted)

        deadline = time.monotonic() + within
        while arrived() < deliveries:
            if time.monotonic() > deadline:
                tails = "\n".join(bot.tail() for bot in self.bots)
                raise TimeoutError(f"{arrived()} of {deliveries} arrived\n{tails}")
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)  # a duplicate would come now
        arrived()
        sent_by = tuple(
            [await bot.sent() - before for bot, before in zip(self.bots, sent_before, strict=True)]
        )
        # The windows count every message the sandbox accepted meanwhile (probes too).
        times = sorted(c.at for c in accepted)
        self.last_times = times
        window = [c for c in self.sandbox.calls("sendMessage") if c.ok and c.at >= times[0] - 1]
        by_chat: dict[int, list[float]] = {}
        for call in window:
            by_chat.setdefault(int(call.params["chat_id"]), []).append(call.at)
        return Drained(
            processes=len(self.bots),
            deliveries=deliveries,
            seconds=times[-1] - times[0],
            refused=self.rate.rejected - refused_before,
            sent_by=sent_by,
            duplicates=sum(count - 1 for count in numbers.values() if count > 1),
            missing=len(expected - set(numbers)),
            busiest_second=_busiest(sorted(c.at for c in window), 1.0),
            busiest_chat_second=max(_busiest(sorted(t), 1.0) for t in by_chat.values()),
        )


@contextlib.asynccontextmanager
async def fleet(
    url: str, directory: Path, *, processes: int, start_timeout: float = 180.0
) -> AsyncIterator[Fleet]:
    """`processes` running `annexbot run --webhook` processes on url and a fresh sandbox."""
    async with SandboxServer() as sandbox:
        running = Fleet(url, sandbox, directory, processes=processes)
        try:
            await running.start(within=start_timeout)
            yield running
        finally:
            await running.stop()


async def run(
    report: Report,
    backend: Backend,
    postgres_url: str | None,
    *,
    deliveries: int,
    console: Console,
    counts: tuple[int, ...] = (1, 2, 3),
    runs: int = 1,
    within: float = 300.0,
) -> dict[int, list[Drained]]:
    """Drain `deliveries` `runs` times with three, two and one process; a figure for each."""
    results: dict[int, list[Drained]] = {}
    label = "SQLite" if backend == "sqlite" else "PostgreSQL"
    async with shared_database(backend, postgres_url) as url:
        with tempfile.TemporaryDirectory(prefix="annexbot-budget-logs-") as directory:
            async with fleet(url, Path(directory), processes=max(counts)) as running:
                for processes in sorted(counts, reverse=True):
                    while len(running.bots) > processes:
                        await running.stop_one()
                    for _ in range(runs):
                        drained = await running.drain(deliveries, within=within)
                        console.log(f"budget · {label}: {drained.line()}")
                        results.setdefault(processes, []).append(drained)
    one = median([d.seconds for d in results[min(counts)]])
    for processes in sorted(results):
        drained_runs = results[processes]
        seconds = median([d.seconds for d in drained_runs])
        refused = sum(d.refused for d in drained_runs)
        missing = sum(d.missing + d.duplicates for d in drained_runs)
        senders = min(sum(1 for n in d.sent_by if n > 0) for d in drained_runs)
        busiest = max(d.busiest_second for d in drained_runs)
        ratio = seconds / one if one > 0 else float("nan")
        report.add(
            Figure(
                "7 send budget",
                f"{processes} process(es) drain {deliveries:,} deliveries",
                seconds,
                "s",
                label,
                one,
                f"{min(counts)} process",
                f"<= {GOAL_RATIO}× one process, no 429",
                refused == 0 and missing == 0 and seconds <= GOAL_RATIO * one,
                f"{ratio:.2f}× one; {(deliveries - 1) / seconds:.1f} msg/s; {refused} × 429,"
                f" {missing} lost or twice in {len(drained_runs)} run(s); at least {senders} of"
                f" {processes} sent; busiest second {busiest}",
            )
        )
    return results
