"""Delivery of updates to the bot's webhook, in order, the way Telegram POSTs them."""

from __future__ import annotations

from http import HTTPStatus

import httpx

from bot.sandbox.models import WebhookDelivery
from bot.sandbox.state import SandboxState

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def deliver_forever(state: SandboxState, client: httpx.AsyncClient) -> None:
    """POSTs each queued update to the current webhook and records the answer; never retries."""
    while True:
        update = await state.outbox.get()
        hook = state.webhook
        if hook is None:
            # The webhook went away before delivery: getUpdates will hand the update out instead.
            state.pending.append(update)
            await state.notify()
            continue
        headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
        status: int | None = None
        error: str | None = None
        try:
            response = await client.post(hook.url, json=update, headers=headers, timeout=10.0)
            status = response.status_code
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        if status is None or not 200 <= status <= 299:
            hook.last_error_date = state.now()
            hook.last_error_message = error or f"Wrong response from the webhook: {_phrase(status)}"
        state.deliveries.append(WebhookDelivery(update["update_id"], hook.url, status, error))
        await state.notify()


def _phrase(status: int | None) -> str:
    try:
        return f"{status} {HTTPStatus(status or 0).phrase}"
    except ValueError:
        return str(status)
