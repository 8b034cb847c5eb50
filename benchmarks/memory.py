"""Benchmark 6: resident memory of `annexbot run` on a large plan, after its sweeps and digest.

`annexbot run` runs as a child process (long polling a sandbox Bot API server that runs as
another child) on an SQLite database holding the generated plan. Its scheduled jobs fire on
their own (reminders and escalations after 5 s, check-ins after 15 s, the digest after 20 s);
the parent samples the child's RSS with psutil until the digest is queued and the sweeps are
done, then a few seconds more while the sender works through the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil  # type: ignore[import-untyped]  # no stubs installed
from rich.console import Console
from sqlalchemy import func, select

from benchmarks.common import Database as BenchDatabase
from benchmarks.common import Figure, Report, sessions_on
from benchmarks.data import EPOCH, Shape, generate
from db.enums import MemberRole
from db.migrations import upgrade
from db.models import Delivery, Member

TOKEN = "123456:BENCH-TOKEN"
GOAL_MB = 150.0
MEMBERS_PER_AGENCY = 3
STARTUP_SECONDS = 3.0  # the first job fires after 5 s
RUNNING = " is running: "  # what `annexbot run` logs once it has started
DIGEST_JOB_SECONDS = 20.0
SETTLE_SECONDS = 5.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _annexbot() -> list[str]:
    """The command that runs `annexbot` from this Python environment."""
    script = Path(sys.executable).with_name("annexbot")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from bot.cli.main import main; main()"]


@contextlib.contextmanager
def _child(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A child process, ended with SIGTERM (then SIGKILL) on the way out."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _rss_mb(process: psutil.Process) -> float:
    return float(process.memory_info().rss) / 2**20


async def run(
    report: Report,
    *,
    tasks: int,
    members: int,
    observe_for: float,
    wait_for_digest: bool = True,
    console: Console,
) -> None:
    """Generate `tasks` tasks and `members` members, run `annexbot run`, sample its memory."""
    today = dt.datetime.now(dt.UTC).date()
    with tempfile.TemporaryDirectory(prefix="annexbot-bench-") as directory:
        folder = Path(directory)
        url = f"sqlite+aiosqlite:///{folder / 'annexbot.sqlite3'}"
        database = BenchDatabase("sqlite", url, {}, "SQLite")
        engine = database.engine()
        await upgrade(engine)
        await engine.dispose()
        async with sessions_on(database) as sessions, sessions() as session:
            await generate(
                session,
                Shape(
                    tasks=tasks,
                    agencies=max(1, members // MEMBERS_PER_AGENCY),
                    members_per_agency=MEMBERS_PER_AGENCY,
                    first_day=today - dt.timedelta(days=3 * 365),
                    span_days=6 * 365,
                ),
            )
            for index in (1, 2):
                session.add(
                    Member(
                        telegram_id=9_000_000 + index,
                        display_name=f"Coordinator {index}",
                        role=MemberRole.COORDINATOR,
                        language="zh",
                        created_at=EPOCH,
                    )
                )
            await session.commit()
            people = list(await session.scalars(select(Member.telegram_id)))

        sandbox_port, http_port = _free_port(), _free_port()
        env = {
            **os.environ,
            "ANNEXBOT_DATA_DIR": str(folder),
            "ANNEXBOT_DATABASE_URL": url,
            "ANNEXBOT_TELEGRAM_TOKEN": TOKEN,
            "ANNEXBOT_TELEGRAM_API_URL": f"http://127.0.0.1:{sandbox_port}",
            "ANNEXBOT_HTTP_PORT": str(http_port),
        }
        users = [f"--user={user}:User {user}" for user in people]
        sandbox_command = [sys.executable, "-m", "bot.sandbox", "--port", str(sandbox_port)]
        with _child(
            [*sandbox_command, "--token", TOKEN, *users], env, folder / "sandbox.log"
        ) as sandbox_process:
            await _wait_for_port(sandbox_port, sandbox_process)
            with _child([*_annexbot(), "run"], env, folder / "annexbot.log") as bot_process:
                figures = await _observe(
                    bot_process, url, observe_for, wait_for_digest, folder / "annexbot.log"
                )
        log = (folder / "annexbot.log").read_text(errors="replace").splitlines()
    problems = [line for line in log if " ERROR " in line or "Error:" in line]
    started_mb, peak_mb, final_mb, digests, queued, elapsed = figures
    if digests == 0 and wait_for_digest:
        report.notes.append(f"memory: no digest was queued within {observe_for:.0f} s")
    for line in dict.fromkeys(problems[:5]):
        report.notes.append(f"memory: annexbot run logged: {line[:300]}")
    console.log(f"memory: start {started_mb:.0f} MB, peak {peak_mb:.0f} MB, end {final_mb:.0f} MB")
    report.add(
        Figure(
            "6 memory",
            f"annexbot run, {tasks:,} tasks, {members:,} members: peak RSS",
            peak_mb,
            "MB",
            "SQLite",
            started_mb,
            "RSS once started (logged it runs), before the first sweep",
            f"< {GOAL_MB:g} MB",
            peak_mb < GOAL_MB,
            f"after {elapsed:.0f} s: {queued:,} deliveries queued by the sweeps, "
            f"{digests} digest parts; RSS then {final_mb:.0f} MB",
        )
    )


async def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the sandbox did not start")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise RuntimeError("the sandbox did not start within 30 s")


async def _observe(
    child: subprocess.Popen[bytes],
    url: str,
    observe_for: float,
    wait_for_digest: bool,
    log: Path,
) -> tuple[float, float, float, int, int, float]:
    """Sample RSS until the digest is queued and the queue stops growing; the figures."""
    process = psutil.Process(child.pid)
    started = time.monotonic()
    peak = 0.0
    at_start = 0.0
    database = BenchDatabase("sqlite", url, {}, "SQLite")
    last_count, stable_since = -1, time.monotonic()
    digests = queued = 0
    async with sessions_on(database) as sessions:
        while True:
            if child.poll() is not None:
                raise RuntimeError(f"annexbot run exited with {child.returncode}")
            rss = _rss_mb(process)
            peak = max(peak, rss)
            elapsed = time.monotonic() - started
            # Start-up ends when the bot says it runs (imports done), not at a fixed time.
            if not at_start and RUNNING in await asyncio.to_thread(log.read_text, errors="replace"):
                at_start = rss
            if elapsed > (DIGEST_JOB_SECONDS if wait_for_digest else STARTUP_SECONDS):
                async with sessions() as session:
                    queued = int(await session.scalar(select(func.count(Delivery.id))) or 0)
                    digests = int(
                        await session.scalar(
                            select(func.count(Delivery.id)).where(Delivery.kind.like("digest%"))
                        )
                        or 0
                    )
                if queued != last_count:
                    last_count, stable_since = queued, time.monotonic()
                settled = time.monotonic() - stable_since > SETTLE_SECONDS
                if (digests and settled) or elapsed > observe_for:
                    return at_start, peak, rss, digests, queued, elapsed
            await asyncio.sleep(0.25)
