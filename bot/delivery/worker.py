"""`python -m bot.delivery.worker`: a process that only sends the outbox (no updates, no sweeps).

It is the sending half of `annexbot run` on its own: the same application, Sender and pacer,
draining at start, whenever a delivery falls due, and every poll interval. The crash test
kills it with SIGKILL; SIGTERM or Ctrl-C stop it when the current drain is done.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import signal
from collections.abc import Sequence

from bot.chat.application import SENDER_INTERVAL_SECONDS, SENDER_KEY, build_application
from bot.database import open_database
from bot.delivery.sender import LEASE, Sender
from bot.runtime import Runtime
from bot.settings import Settings

log = logging.getLogger(__name__)


async def run_sender(
    settings: Settings,
    *,
    stop: asyncio.Event,
    lease: dt.timedelta = LEASE,
    poll_seconds: float = SENDER_INTERVAL_SECONDS,
) -> None:
    """Drain the outbox until `stop` is set: now, when the sender wakes itself, every poll."""
    async with open_database(settings) as sessions:
        runtime = Runtime(settings=settings, sessions=sessions)
        application = build_application(runtime, polling=False)
        sender = application.bot_data[SENDER_KEY]
        assert isinstance(sender, Sender)
        sender.lease = lease
        woken = asyncio.Event()
        runtime.wake_sender = woken.set
        async with application:
            log.info("sending the outbox (lease %ss)", lease.total_seconds())
            while not stop.is_set():
                woken.clear()
                try:
                    await sender.drain()
                except Exception:  # a database hiccup must not end the process
                    log.exception("draining the outbox failed")
                await _first(woken, stop, seconds=poll_seconds)


async def _first(*events: asyncio.Event, seconds: float) -> None:
    """Wait until one of the events is set, or the seconds pass."""
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def _main(lease: dt.timedelta) -> None:
    """Run the sender with SIGINT and SIGTERM stopping it."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run_sender(Settings(), stop=stop, lease=lease)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and send until stopped."""
    parser = argparse.ArgumentParser(prog="python -m bot.delivery.worker", description=__doc__)
    parser.add_argument(
        "--lease",
        type=float,
        default=LEASE.total_seconds(),
        metavar="SECONDS",
        help="how long a claimed delivery is this process's before another may send it",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(dt.timedelta(seconds=args.lease)))


if __name__ == "__main__":
    main()
