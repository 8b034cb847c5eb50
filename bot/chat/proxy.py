"""Reaching the Bot API through ANNEXBOT_TELEGRAM_PROXY, and saying plainly when that fails."""

from __future__ import annotations

import re
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

from bot.settings import Settings
from bot.tls import tls_context

# What PTB's own builder uses: many parallel sends, one long poll at a time.
SEND_POOL, POLL_POOL = 256, 1
SETTING = "ANNEXBOT_TELEGRAM_PROXY"


async def _refused(response: httpx.Response) -> None:
    """A 407 can only come from the proxy: make it an error, not a Bot API answer to parse."""
    if response.status_code == 407:
        raise httpx.ProxyError(f"{response.status_code} {response.reason_phrase}")


def proxied_requests(proxy: str | None) -> tuple[HTTPXRequest, HTTPXRequest]:
    """The bot's requests (sends, files, webhook set-up) and its polling, through `proxy` if set.

    Both use the process's one TLS context (bot/tls.py) instead of loading the CA bundle again.
    """
    options: dict[str, Any] = {"verify": tls_context()}
    if proxy is not None:
        options["event_hooks"] = {"response": [_refused]}
    return (
        HTTPXRequest(connection_pool_size=SEND_POOL, proxy=proxy, httpx_kwargs=options),
        HTTPXRequest(connection_pool_size=POLL_POOL, proxy=proxy, httpx_kwargs=options),
    )


def _detail(error: NetworkError) -> str:
    """The cause in a few words: httpx's class name and PTB's parsing notes dropped."""
    text = re.sub(r"^httpx\.\w+: ", "", str(error.message)).strip()
    return text.split(". Parsing the server response", 1)[0].rstrip(".") or type(error).__name__


def proxy_failure(error: NetworkError, settings: Settings) -> str | None:
    """One line naming the proxy when a network error happened on the way through it."""
    label = settings.proxy_label()
    if label is None:
        return None
    where = f"the proxy {label} ({SETTING})"
    detail = _detail(error)
    if isinstance(error, TimedOut):
        return f"no answer from the Bot API through {where}: timed out"
    if "httpx.ConnectError" in error.message or "httpx.ConnectTimeout" in error.message:
        return f"cannot reach {where}: {detail}"
    if "could not connect" in detail or re.search(r"\((502|503|504)\)$", detail):
        return f"{where} cannot reach {settings.telegram_api_url}: {detail}"
    if "httpx.ProxyError" in error.message:
        return f"{where} refused: {detail}"
    return f"no answer from the Bot API through {where}: {detail}"
