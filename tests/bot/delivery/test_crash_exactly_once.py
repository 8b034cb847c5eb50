"""A sender process SIGKILLed 20 times while draining 1,500 deliveries, restarted each time.

Each chat has two alerts (a message each) and four deadline reminders, which go together as
one grouped message with a button per task. The sandbox (in this process) counts what arrives
per delivery. Nothing may be lost. Telegram has no idempotency key, so a kill after the server
took a message and before the sender committed that it did leaves its rows leased, and the
message goes again when the lease runs out: every duplicate must be such a message, sent by the
killed process moments before its kill.

The 20 processes that are killed are forked from a server that has already imported the
application (tests/kit/forked.py), so each starts in a fraction of a second instead of paying
for Python's start-up and imports; the last one, which must drain everything and exit 0 on
SIGTERM, is a plain `python -m bot.delivery.worker`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import os
import random
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.chat.application import HANDLER_MODULES
from bot.chat.callbacks import unpack
from bot.chat.handlers.delivery_alerts import render_delivery_failed
from bot.delivery.sender import CONCURRENCY
from bot.sandbox import SandboxServer
from bot.sandbox.models import ApiCall
from db.engine import create_engine, create_session_factory
from db.enums import DeliveryState
from db.migrations import upgrade
from db.models import Delivery, Milestone, Task
from tests.kit import forked
from tests.kit.cast import import_plan
from workflows.outbox.queue import enqueue
from workflows.outbox.sending import OutgoingMessage
from workflows.reminders import REMINDER_KIND, reminder_key

CHATS = 250
ALERTS = 2  # alerts per chat, a message each; several per chat: the 1/s limit is exercised
REMINDERS = 4  # reminders per chat, of four tasks, grouped as one message
PER_CHAT = ALERTS + REMINDERS  # 1,500 deliveries in 750 messages
KILLS = 20
LEASE_SECONDS = 1.0  # the worker's lease: a killed process's rows are re-sent a second later
# A kill can only duplicate a message that reached the server this shortly before it (the
# answer's way back plus the commit of the outcome), or after it (a request already written
# to the socket when its sender died).
IN_FLIGHT_BOUND_SECONDS = 1.0
ROOT = Path(__file__).resolve().parents[3]
WORKER = "bot.delivery.worker"
WORKER_ARGUMENTS = ("--lease", str(LEASE_SECONDS))
# What the fork server imports: the worker, and the handlers its application imports when built.
PRELOAD = (WORKER, *(f"bot.chat.handlers.{name}" for name in HANDLER_MODULES))


@dataclass
class Run:
    """One life of the worker process: when it started and when it was killed (monotonic)."""

    started: float
    killed: float | None = None
    sent_before_kill: int = 0


@dataclass
class Outcome:
    """What the sandbox received: per delivery, when each copy arrived (monotonic)."""

    arrivals: dict[int, list[float]] = field(default_factory=dict)

    def copies(self, n: int) -> int:
        """How many copies of delivery n arrived."""
        return len(self.arrivals.get(n, []))


@dataclass
class Expected:
    """How to tell which deliveries a message carries: an alert's text, a reminder's button."""

    alerts: dict[str, int] = field(default_factory=dict)
    reminders: dict[tuple[int, int], int] = field(default_factory=dict)  # (chat, task) -> n

    @property
    def numbers(self) -> list[int]:
        """Every delivery's number."""
        return [*self.alerts.values(), *self.reminders.values()]


async def _queue(url: str) -> Expected:
    """Migrate, import the plan, queue the deliveries, and say how each one will be known."""
    engine = create_engine(url)
    await upgrade(engine)
    sessions = create_session_factory(engine)
    now = dt.datetime.now(dt.UTC)
    expected = Expected()
    try:
        async with sessions() as session:
            await import_plan(session, now=now)
            rows = await session.execute(
                select(Milestone.id, Milestone.task_id, Milestone.on_date)
                .join(Task, Task.id == Milestone.task_id)
                .order_by(Task.number, Milestone.on_date)
            )
            firsts: dict[int, tuple[int, dt.date]] = {}
            for milestone_id, task_id, on_date in rows:
                firsts.setdefault(task_id, (milestone_id, on_date))
            milestones = [(task, *first) for task, first in firsts.items()][:REMINDERS]
            for n in range(CHATS * ALERTS, CHATS * PER_CHAT):
                chat_id = 50_000 + n % CHATS
                task_id, milestone_id, on_date = milestones[n // CHATS - ALERTS]
                await enqueue(
                    session,
                    key=reminder_key(milestone_id, on_date, 1, n),
                    kind=REMINDER_KIND,
                    chat_id=chat_id,
                    payload={"milestone_id": milestone_id, "on_date": on_date.isoformat()},
                    now=now,
                )
                expected.reminders[chat_id, task_id] = n
            for n in range(CHATS * ALERTS):
                chat_id = 50_000 + n % CHATS
                payload = {"delivery_id": n, "kind": "crash", "chat_id": chat_id, "error": "x"}
                await enqueue(
                    session,
                    key=f"crash:{n}",
                    kind="delivery_failed",
                    chat_id=chat_id,
                    payload=payload,
                    now=now,
                )
                message = OutgoingMessage(
                    n, "delivery_failed", chat_id, None, "zh", payload, 0, False
                )
                expected.alerts[(await render_delivery_failed(message, session)).text] = n
            await session.commit()
    finally:
        await engine.dispose()
    return expected


async def _unsent(url: str) -> int:
    """Deliveries not yet recorded as sent."""
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            count = await session.scalar(
                select(func.count()).where(Delivery.state != DeliveryState.SENT)
            )
            return int(count or 0)
    finally:
        await engine.dispose()


def _worker_env(url: str, sandbox: SandboxServer, log: Path) -> dict[str, str]:
    """The sender-only process's environment: the database, the sandbox, a data directory."""
    return {
        **os.environ,
        "ANNEXBOT_DATABASE_URL": url,
        "ANNEXBOT_TELEGRAM_TOKEN": sandbox.token,
        "ANNEXBOT_TELEGRAM_API_URL": sandbox.url,
        "ANNEXBOT_DATA_DIR": str(log.parent),
    }


def _fork_worker(url: str, sandbox: SandboxServer, log: Path) -> forked.Forked:
    """The sender-only process with a short lease, forked with the application imported."""
    env = _worker_env(url, sandbox, log)
    return forked.start(WORKER, WORKER_ARGUMENTS, env=env, cwd=ROOT, log=log)


async def _start_worker(url: str, sandbox: SandboxServer, log: Path) -> asyncio.subprocess.Process:
    """The sender-only process with a short lease, started as `python -m bot.delivery.worker`."""
    with log.open("ab") as output:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            WORKER,
            *WORKER_ARGUMENTS,
            cwd=ROOT,
            env=_worker_env(url, sandbox, log),
            stdout=output,
            stderr=output,
        )


def _tail(log: Path) -> str:
    """The end of the worker's log, to show when the test fails."""
    return log.read_text(errors="replace")[-3000:]


def _carried(call: ApiCall, expected: Expected) -> list[int]:
    """The deliveries a message carried: an alert by its text, reminders by their buttons."""
    text = str(call.params["text"])
    if text in expected.alerts:
        return [expected.alerts[text]]
    markup = call.params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    chat_id = int(call.params["chat_id"])
    tasks = [
        int(unpack(b["callback_data"])[1][0]) for row in markup["inline_keyboard"] for b in row
    ]
    assert len(tasks) == REMINDERS, text
    return [expected.reminders[chat_id, task] for task in tasks]


def _received(sandbox: SandboxServer, expected: Expected) -> Outcome:
    """Count, per delivery, the messages that carried it, and when each arrived."""
    outcome = Outcome()
    for call in sandbox.calls("sendMessage"):
        if not call.ok:
            continue
        for n in _carried(call, expected):
            outcome.arrivals.setdefault(n, []).append(call.at)
    return outcome


@pytest.fixture
def started() -> Iterator[list[asyncio.subprocess.Process | forked.Forked]]:
    """The worker processes; one not yet waited for when the test ends (a timeout) is killed."""
    processes: list[asyncio.subprocess.Process | forked.Forked] = []
    yield processes
    for process in processes:
        if process.returncode is None:  # not reaped, so its pid is still its own
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)


@pytest.mark.timeout(600)  # 80 s alone at load 7 on 2 cores; more beside another xdist worker
async def test_a_sender_killed_20_times_loses_nothing_and_resends_only_what_was_in_flight(
    database_url: str, tmp_path: Path, started: list[asyncio.subprocess.Process | forked.Forked]
) -> None:
    """Kill -9 at random moments while sending; restart; every delivery arrives, none lost."""
    seed = random.randrange(2**32)
    began = time.monotonic()
    rng = random.Random(seed)
    expected = await _queue(database_url)
    await forked.ready(*PRELOAD)
    assert len(set(expected.numbers)) == CHATS * PER_CHAT
    messages = CHATS * (ALERTS + 1)
    log = tmp_path / "worker.log"
    async with SandboxServer() as sandbox:
        for chat in range(50_000, 50_000 + CHATS):
            sandbox.add_user(chat, f"u{chat}")
        rate = sandbox.faults.enforce_rate_limits()

        def sends() -> int:
            return sum(1 for c in sandbox.calls("sendMessage") if c.ok)

        runs: list[Run] = []
        for _ in range(KILLS):
            before = sends()
            process = _fork_worker(database_url, sandbox, log)
            started.append(process)
            run = Run(time.monotonic())
            runs.append(run)
            await sandbox.wait_until(lambda before=before: sends() > before, timeout=30)
            await asyncio.sleep(rng.uniform(0.0, 1.2))  # a random moment while it sends
            process.send_signal(signal.SIGKILL)
            run.killed = time.monotonic()
            await asyncio.wait_for(process.wait(), timeout=10)
            run.sent_before_kill = sends() - before
            # A pause now and then lets leases run out before the next process starts.
            await asyncio.sleep(rng.choice([0.0, 0.0, 0.0, LEASE_SECONDS * 2]))
        assert sends() < messages, "the kills came after everything was sent"
        last = await _start_worker(database_url, sandbox, log)
        started.append(last)
        runs.append(Run(time.monotonic()))
        deadline = time.monotonic() + 120
        while await _unsent(database_url):
            assert time.monotonic() < deadline, _tail(log)
            await asyncio.sleep(0.25)
        last.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(last.wait(), timeout=30) == 0, _tail(log)
        outcome = _received(sandbox, expected)
        arrived = sends()
        rejected = rate.rejected

    lost = [n for n in expected.numbers if outcome.copies(n) == 0]
    duplicated = [n for n in outcome.arrivals if outcome.copies(n) > 1]
    kills = [run.killed for run in runs if run.killed is not None]
    # Every extra copy must have a kill of its own next to the copy before it: the process
    # that sent that copy died before recording it (a request already written to the socket
    # can reach the server just after its sender died). `blamed` are those kills, once per
    # message (a grouped message carries several deliveries).
    blamed: dict[float, float] = {}  # the earlier copy's arrival -> its kill
    lead_times: list[float] = []
    for n in duplicated:
        times = outcome.arrivals[n]
        for earlier, later in itertools.pairwise(times):
            near = [k for k in kills if earlier - IN_FLIGHT_BOUND_SECONDS <= k <= later]
            assert near, f"delivery {n} went again at {later} with no kill near {earlier}"
            kill = min(near, key=lambda k, earlier=earlier: abs(k - earlier))
            blamed[earlier] = kill
            lead_times.append(kill - earlier)
    worst = max(Counter(blamed.values()).values(), default=0)
    report = (
        f"seed {seed}: {CHATS * PER_CHAT} deliveries in {messages} messages, {len(kills)} kills, "
        f"{arrived} messages arrived, "
        f"{len(duplicated)} deliveries more than once, by {len(set(blamed.values()))} kills "
        f"(at most {worst} by one), first copies from {min(lead_times, default=0):.3f} s to "
        f"{max(lead_times, default=0):.3f} s before their kill; {rejected} sends refused "
        f"by the rate limits; sent per run {[r.sent_before_kill for r in runs]}; "
        f"{time.monotonic() - began:.0f} s"
    )
    print(report)
    assert lost == [], report
    assert all(abs(t) <= IN_FLIGHT_BOUND_SECONDS for t in lead_times), report
    assert worst <= CONCURRENCY, report
