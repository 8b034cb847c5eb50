"""One Bot API call end to end: record it, apply injected faults and limits, run the method."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from bot.sandbox.errors import ApiError
from bot.sandbox.faults import MESSAGE_METHODS, Faults
from bot.sandbox.methods import METHODS
from bot.sandbox.models import ApiCall
from bot.sandbox.params import Params
from bot.sandbox.state import SandboxState


async def dispatch(
    state: SandboxState, faults: Faults, method: str, params: Params
) -> tuple[int, dict[str, Any]]:
    """Answers a call of a known method (canonical name) with (HTTP status, JSON envelope)."""
    call = ApiCall(method, params.recorded(), state.clock())
    state.calls.append(call)
    await state.notify()  # waiters may watch for a call starting (a new long poll, say)
    try:
        body: dict[str, Any] = {"ok": True, "result": await _perform(state, faults, method, params)}
        status = 200
    except ApiError as error:
        body, status = error.envelope(), error.status
        call.description = error.description
    call.status = status
    await state.notify()
    return status, body


async def _perform(state: SandboxState, faults: Faults, method: str, params: Params) -> Any:
    chat_id = _chat_id(params)
    fault = faults.take(method, chat_id)
    if fault is not None and fault.kind == "timeout":
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(fault.seconds):
                await state.closing.wait()
        if not fault.deliver:
            raise ApiError(504, "Gateway Timeout")
    elif fault is not None:
        raise ApiError(fault.status, fault.description, retry_after=fault.retry_after)
    if chat_id is not None and chat_id in faults.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    if chat_id is not None and method.lower() in MESSAGE_METHODS:
        retry_after = faults.rate.admit(chat_id)
        if retry_after is not None:
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
            )
    return await METHODS[method](state, params)


def _chat_id(params: Params) -> int | None:
    value = params.values.get("chat_id")
    try:
        return int(value) if isinstance(value, int | str) and value != "" else None
    except ValueError:
        return None
