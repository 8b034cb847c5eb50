"""Two real `annexbot run` processes on one PostgreSQL database and one sandbox server.

One leads the scheduler (its sweeps run, the other's do not); both send, sharing the outbox
through FOR UPDATE SKIP LOCKED; every message arrives once; SIGKILL the leader and the other
takes the scheduler over and sends what falls due afterwards.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text

from bot.sandbox import SandboxServer
from db.engine import create_engine, create_session_factory
from db.enums import DeliveryState
from db.leader import LOCK_KEY
from db.migrations import upgrade
from db.models import Delivery
from tests.kit.databases import POSTGRES_URL, fresh_postgres_database
from tests.kit.serving import free_port
from workflows.outbox.queue import enqueue

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="ANNEXBOT_TEST_POSTGRES_URL is not set")

FIRST = 600  # due at once: both processes send them
LATER = 100  # due after the leader was killed: the survivor sends them
LATER_SECONDS = 60
LEADS = "this process now leads the scheduler"
ROOT = Path(__file__).resolve().parents[3]


class Bot:
    """One `annexbot run` process in webhook mode (two pollers would evict each other)."""

    def __init__(self, name: str, url: str, sandbox: SandboxServer, tmp_path: Path) -> None:
        self.name = name
        self.port = free_port()
        self.log = tmp_path / f"{name}.log"
        self.env = {
            **os.environ,
            "ANNEXBOT_DATABASE_URL": url,
            "ANNEXBOT_TELEGRAM_TOKEN": sandbox.token,
            "ANNEXBOT_TELEGRAM_API_URL": sandbox.url,
            "ANNEXBOT_DATA_DIR": str(tmp_path),
        }
        self.process: asyncio.subprocess.Process | None = None
        self.started = 0.0

    async def start(self) -> None:
        """Start `annexbot run --webhook` on its own port."""
        webhook = f"http://127.0.0.1:{self.port}/telegram"
        with self.log.open("ab") as output:
            self.process = await asyncio.create_subprocess_exec(
                str(Path(sys.executable).with_name("annexbot")),
                "run",
                "--webhook",
                webhook,
                "--port",
                str(self.port),
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=output,
            )
        self.started = time.monotonic()
        await self.wait_for_log("is running")

    def logged(self, phrase: str) -> bool:
        """Whether the process has logged a phrase."""
        return phrase in self.log.read_text(errors="replace")

    async def wait_for_log(self, phrase: str, seconds: float = 40) -> None:
        """Wait until the process logs a phrase."""
        await _eventually(lambda: self.logged(phrase), seconds, self.log)

    async def metric(self, name: str) -> float:
        """A counter's total over its labels, scraped from the process's /metrics."""
        async with httpx.AsyncClient() as client:
            body = (await client.get(f"http://127.0.0.1:{self.port}/metrics")).text
        pattern = re.compile(rf"^{name}(?:{{[^}}]*}})? (\S+)$", re.MULTILINE)
        return sum(float(value) for value in pattern.findall(body))


def _tail(log: Path) -> str:
    """The end of a process's log, to show when a test fails."""
    return log.read_text(errors="replace")[-3000:]


async def _eventually(condition: Callable[[], bool], seconds: float, log: Path) -> None:
    """Check every tenth of a second until a condition holds (these are real processes)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, _tail(log)
        await asyncio.sleep(0.1)


async def _queue(url: str) -> tuple[dict[str, int], dt.datetime]:
    """FIRST deliveries due now, LATER due in LATER_SECONDS: text -> number, and that time."""
    engine = create_engine(url)
    await upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    texts: dict[str, int] = {}
    try:
        async with create_session_factory(engine)() as session:
            for n in range(FIRST + LATER):
                chat_id = 60_000 + n % 300
                await enqueue(
                    session,
                    key=f"two:{n}",
                    kind="delivery_failed",
                    chat_id=chat_id,
                    payload={"delivery_id": n, "kind": "two", "chat_id": chat_id, "error": "x"},
                    now=now,
                    not_before=now + dt.timedelta(seconds=LATER_SECONDS if n >= FIRST else 0),
                )
                texts[f"投递编号 {n}）"] = n
            await session.commit()
    finally:
        await engine.dispose()
    return texts, now + dt.timedelta(seconds=LATER_SECONDS)


async def _lock_holders(url: str) -> int:
    """How many backends hold the scheduler's advisory lock on this database."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            count = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                    " AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = :key"
                ),
                {"key": LOCK_KEY},
            )
            return int(count or 0)
    finally:
        await engine.dispose()


@pytest.mark.timeout(240)  # about 70 s: the survivor's messages are due 60 s in
async def test_two_processes_send_each_message_once_and_hand_over_the_scheduler(
    tmp_path: Path,
) -> None:
    """One leads, both send; the leader killed, the other leads and sends what comes due."""
    async with fresh_postgres_database() as url, SandboxServer() as sandbox:
        texts, later_due = await _queue(url)
        for chat in range(60_000, 60_300):
            sandbox.add_user(chat, f"u{chat}")
        rate = sandbox.faults.enforce_rate_limits()

        def sent() -> Counter[int]:
            counts: Counter[int] = Counter()
            for call in sandbox.calls("sendMessage"):
                if call.ok:
                    tail = str(call.params["text"]).split("投递编号 ")[1].split("）")[0]
                    counts[int(tail)] += 1
            return counts

        first, second = (Bot(name, url, sandbox, tmp_path) for name in ("first", "second"))
        await first.start()
        await first.wait_for_log(LEADS)
        await second.start()
        try:
            await _eventually(lambda: sum(sent().values()) >= FIRST, 90, second.log)
            # Only the leader runs the sweeps (each process's first ones go 5 s after its start).
            await _eventually(lambda: time.monotonic() - second.started > 6, 10, second.log)
            sweeps = [await bot.metric("annexbot_scheduler_runs_total") for bot in (first, second)]
            assert not second.logged(LEADS)
            assert await _lock_holders(url) == 1
            first_share = await first.metric("annexbot_deliveries_sent_total")

            assert first.process is not None
            first.process.send_signal(signal.SIGKILL)
            killed = time.monotonic()
            await first.process.wait()
            assert dt.datetime.now(dt.UTC) < later_due, "too slow: the later ones fell due first"
            await second.wait_for_log(LEADS, seconds=40)
            assert await _lock_holders(url) == 1
            await _eventually(lambda: sum(sent().values()) >= FIRST + LATER, 90, second.log)
            second_share = await second.metric("annexbot_deliveries_sent_total")
        finally:
            for bot in (first, second):
                if bot.process is not None and bot.process.returncode is None:
                    bot.process.send_signal(signal.SIGTERM)
                    await bot.process.wait()
        counts = sent()
        after_kill = sum(1 for c in sandbox.calls("sendMessage") if c.ok and c.at > killed)
        refused = rate.rejected
        engine = create_engine(url)
        try:
            async with create_session_factory(engine)() as session:
                states = Counter(d.state for d in await session.scalars(select(Delivery)))
        finally:
            await engine.dispose()
    print(
        f"sent by the first {first_share}, by the second {second_share} ({after_kill} after the"
        f" kill); sweeps {sweeps}; {refused} sends refused by the rate limits"
    )
    assert sorted(counts) == sorted(texts.values())
    assert set(counts.values()) == {1}
    assert states == {DeliveryState.SENT: FIRST + LATER}
    # Both sent part of the first lot; the later lot went after the kill, all from the second.
    assert first_share + second_share == FIRST + LATER
    assert first_share > 0
    assert second_share > LATER
    assert after_kill == LATER
    assert sweeps[0] > 0
    assert sweeps[1] == 0
