"""What every scheduled sweep shares: the leader guard, its run count, settings and errors."""

from __future__ import annotations

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


def leader_job(name: str, sweep: Sweep) -> Job:
    """A periodic job running `sweep` only in the process that leads the scheduler."""

    async def job(context: CallbackContext[Any, Any, Any, Any]) -> None:
        if await leads(context):
            runtime = runtime_of(context)
            runtime.metrics.scheduler_runs.labels(name).inc()
            await sweep(runtime)

    return job


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
