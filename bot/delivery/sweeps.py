"""What every scheduled sweep shares: the leader guard, its run count, settings and errors."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import CallbackContext

from bot.delivery.leader import leads
from bot.live_settings import effective_settings
from bot.runtime import Runtime, runtime_of
from bot.settings import Settings

log = logging.getLogger(__name__)

Sweep = Callable[[Runtime], Awaitable[int]]
Planner = Callable[[AsyncSession, Settings, dt.datetime], Awaitable[int]]
Job = Callable[[CallbackContext[Any, Any, Any, Any]], Coroutine[Any, Any, None]]


RUNNING_KEY = "sweeps_running"
LOCK_KEY = "sweeps_lock"
# The sweeps that send to members run on one cadence, so that each time they run together.
SWEEP_INTERVAL_SECONDS = 300
FIRST_SWEEP_SECONDS = 5


def leader_job(name: str, sweep: Sweep) -> Job:
    """A periodic job running `sweep` only in the process that leads the scheduler.

    The sender is woken once the last of the sweeps running together is done, not by each:
    what they decided for one member at that moment then goes as one grouped message.
    Sweeps due together run one after another: on SQLite their write transactions would wait
    on each other past the busy timeout ("database is locked"), and what each loads is
    released before the next loads its own.
    """

    async def job(context: CallbackContext[Any, Any, Any, Any]) -> None:
        data = context.application.bot_data
        data[RUNNING_KEY] = data.get(RUNNING_KEY, 0) + 1  # before any await: jobs start together
        lock = data.setdefault(LOCK_KEY, asyncio.Lock())
        runtime = runtime_of(context)
        try:
            async with lock:
                if await leads(context):
                    runtime.metrics.scheduler_runs.labels(name).inc()
                    await sweep(dataclasses.replace(runtime, wake_sender=_later))
        finally:
            data[RUNNING_KEY] -= 1
            if data[RUNNING_KEY] == 0:
                runtime.wake_sender()

    return job


def _later() -> None:
    """A sweep's own wake-up call, left to its job (which wakes the sender after the rest)."""


async def run_sweep(runtime: Runtime, what: str, plan: Planner) -> int:
    """Plan with the settings in force and wake the sender; a failure is logged, not raised."""
    try:
        settings = await effective_settings(runtime)
        async with runtime.session() as session:
            queued = await plan(session, settings, runtime.now())
    except Exception:
        log.exception("%s sweep failed", what)
        return 0
    runtime.wake_sender()
    return queued
