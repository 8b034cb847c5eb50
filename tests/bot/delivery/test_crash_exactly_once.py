"""A sender process SIGKILLed 20 times while draining 1,000 deliveries, restarted each time.

The sandbox (in this process) counts what arrives per delivery. Nothing may be lost. Telegram
has no idempotency key, so a kill after the server took a message and before the sender
committed that it did leaves the row leased, and it goes again when the lease runs out: every
duplicate must be such a message, sent by the killed process moments before its kill.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
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

from bot.chat.handlers.delivery_alerts import render_delivery_failed
from bot.delivery.sender import CONCURRENCY
from bot.sandbox import SandboxServer
from db.engine import create_engine, create_session_factory
from db.enums import DeliveryState
from db.migrations import upgrade
from db.models import Delivery
from workflows.outbox.queue import enqueue
from workflows.outbox.sending import OutgoingMessage

CHATS = 250
PER_CHAT = 4  # 1,000 deliveries; several per chat, so the 1/s per-chat limit is exercised
KILLS = 20
LEASE_SECONDS = 1.0  # the worker's lease: a killed process's rows are re-sent a second later
# A kill can only duplicate a message that reached the server this shortly before it (the
# answer's way back plus the commit of the outcome), or after it (a request already written
# to the socket when its sender died).
IN_FLIGHT_BOUND_SECONDS = 1.0
ROOT = Path(__file__).resolve().parents[3]


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


async def _queue(url: str) -> dict[str, int]:
    """Migrate, queue the deliveries, and return each one's expected text -> its number."""
    engine = create_engine(url)
    await upgrade(engine)
    sessions = create_session_factory(engine)
    now = dt.datetime.now(dt.UTC)
    expected: dict[str, int] = {}
    try:
        async with sessions() as session:
            for n in range(CHATS * PER_CHAT):
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
                expected[(await render_delivery_failed(message, session)).text] = n
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


async def _start_worker(url: str, sandbox: SandboxServer, log: Path) -> asyncio.subprocess.Process:
    """The sender-only process, on the database and the sandbox, with a short lease."""
    env = {
        **os.environ,
        "ANNEXBOT_DATABASE_URL": url,
        "ANNEXBOT_TELEGRAM_TOKEN": sandbox.token,
        "ANNEXBOT_TELEGRAM_API_URL": sandbox.url,
        "ANNEXBOT_DATA_DIR": str(log.parent),
    }
    with log.open("ab") as output:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.delivery.worker",
            "--lease",
            str(LEASE_SECONDS),
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=output,
        )


def _tail(log: Path) -> str:
    """The end of the worker's log, to show when the test fails."""
    return log.read_text(errors="replace")[-3000:]


def _received(sandbox: SandboxServer, expected: dict[str, int]) -> Outcome:
    """Count, per delivery, the messages that arrived, and when the first one did."""
    outcome = Outcome()
    for call in sandbox.calls("sendMessage"):
        if not call.ok:
            continue
        outcome.arrivals.setdefault(expected[str(call.params["text"])], []).append(call.at)
    return outcome


@pytest.fixture
def started() -> Iterator[list[asyncio.subprocess.Process]]:
    """The worker processes; one not yet waited for when the test ends (a timeout) is killed."""
    processes: list[asyncio.subprocess.Process] = []
    yield processes
    for process in processes:
        if process.returncode is None:  # not reaped, so its pid is still its own
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)


@pytest.mark.timeout(600)  # about 70 s alone; more beside another xdist worker or when busy
async def test_a_sender_killed_20_times_loses_nothing_and_resends_only_what_was_in_flight(
    database_url: str, tmp_path: Path, started: list[asyncio.subprocess.Process]
) -> None:
    """Kill -9 at random moments while sending; restart; every delivery arrives, none lost."""
    seed = random.randrange(2**32)
    began = time.monotonic()
    rng = random.Random(seed)
    expected = await _queue(database_url)
    assert len(expected) == CHATS * PER_CHAT
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
            process = await _start_worker(database_url, sandbox, log)
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
        assert sends() < len(expected), "the kills came after everything was sent"
        process = await _start_worker(database_url, sandbox, log)
        started.append(process)
        runs.append(Run(time.monotonic()))
        deadline = time.monotonic() + 120
        while await _unsent(database_url):
            assert time.monotonic() < deadline, _tail(log)
            await asyncio.sleep(0.25)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0, _tail(log)
        outcome = _received(sandbox, expected)
        rejected = rate.rejected

    lost = [n for n in expected.values() if outcome.copies(n) == 0]
    duplicated = [n for n in outcome.arrivals if outcome.copies(n) > 1]
    kills = [run.killed for run in runs if run.killed is not None]
    # Every extra copy must have a kill of its own next to the copy before it: the process
    # that sent that copy died before recording it (a request already written to the socket
    # can reach the server just after its sender died). `blamed` are those kills.
    blamed: list[float] = []
    lead_times: list[float] = []
    for n in duplicated:
        times = outcome.arrivals[n]
        for earlier, later in itertools.pairwise(times):
            near = [k for k in kills if earlier - IN_FLIGHT_BOUND_SECONDS <= k <= later]
            assert near, f"delivery {n} went again at {later} with no kill near {earlier}"
            kill = min(near, key=lambda k, earlier=earlier: abs(k - earlier))
            blamed.append(kill)
            lead_times.append(kill - earlier)
    worst = max(Counter(blamed).values(), default=0)
    report = (
        f"seed {seed}: {len(expected)} deliveries, {len(kills)} kills, "
        f"{sum(map(len, outcome.arrivals.values()))} messages arrived, "
        f"{len(duplicated)} deliveries more than once, by {len(set(blamed))} kills "
        f"(at most {worst} by one), first copies from {min(lead_times, default=0):.3f} s to "
        f"{max(lead_times, default=0):.3f} s before their kill; {rejected} sends refused "
        f"by the rate limits; sent per run {[r.sent_before_kill for r in runs]}; "
        f"{time.monotonic() - began:.0f} s"
    )
    print(report)
    assert lost == [], report
    assert all(abs(t) <= IN_FLIGHT_BOUND_SECONDS for t in lead_times), report
    assert worst <= CONCURRENCY, report
