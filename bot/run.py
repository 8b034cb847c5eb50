"""Running the bot: long polling or a webhook, with the HTTP app on the same event loop."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import signal
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from telegram import Update
from telegram.ext import Application

from bot.chat.application import build_application
from bot.chat.menus import refresh_member_menus, set_default_menus
from bot.database import open_database
from bot.delivery.leader import LEADER_KEY, open_leader
from bot.runtime import Runtime
from bot.settings import Settings
from bot.web.app import Webhook, build_web_app, module_routes, serve

log = logging.getLogger(__name__)

DEFAULT_WEBHOOK_PATH = "/telegram"
POLL_TIMEOUT_SECONDS = 30


def webhook_secret(settings: Settings) -> str:
    """The secret Telegram must send with each webhook request: set, or derived from the token."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    if settings.telegram_token is None:
        raise ValueError("ANNEXBOT_TELEGRAM_TOKEN is not set")
    token = settings.telegram_token.get_secret_value().encode()
    return hmac.new(token, b"annexbot webhook secret", hashlib.sha256).hexdigest()


def webhook_target(url: str) -> tuple[str, str]:
    """The URL to register and the path to serve; a URL without a path gets /telegram."""
    parts = urlsplit(url)
    if parts.path in ("", "/"):
        parts = parts._replace(path=DEFAULT_WEBHOOK_PATH)
    return urlunsplit(parts), parts.path


@contextlib.contextmanager
def _stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """Set `stop` on SIGINT and SIGTERM while running (where the loop can take signals)."""
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # not the main thread, or a platform without signal handlers
        installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def _set_menus(
    application: Application[Any, Any, Any, Any, Any, Any], runtime: Runtime
) -> None:
    """The default menus now; every member's own menu in the background."""
    await set_default_menus(application.bot)
    application.create_task(
        refresh_member_menus(application.bot, runtime.sessions), name="member-menus"
    )


async def run_bot(
    settings: Settings,
    *,
    webhook_url: str | None,
    host: str,
    port: int,
    stop: asyncio.Event | None = None,
) -> None:
    """Run until SIGINT/SIGTERM or `stop`: polling by default, the webhook when a URL is given."""
    stop = stop or asyncio.Event()
    async with open_database(settings) as sessions, open_leader(settings) as leader:
        runtime = Runtime(settings=settings, sessions=sessions)
        application = build_application(runtime, polling=webhook_url is None)
        application.bot_data[LEADER_KEY] = leader
        with _stop_on_signals(stop):
            async with application:
                runtime.bot_username = application.bot.username
                await application.start()
                await _set_menus(application, runtime)
                try:
                    await _serve_until(application, runtime, webhook_url, host, port, stop)
                finally:
                    await application.stop()


async def _serve_until(
    application: Application[Any, Any, Any, Any, Any, Any],
    runtime: Runtime,
    webhook_url: str | None,
    host: str,
    port: int,
    stop: asyncio.Event,
) -> None:
    """Serve HTTP (and fetch or receive updates) until `stop` is set."""
    webhook = None
    if webhook_url is not None:
        url, path = webhook_target(webhook_url)
        webhook = Webhook(path, webhook_secret(runtime.settings), application)
    app = build_web_app(runtime, webhook=webhook, routes=module_routes(runtime))
    username = f"@{application.bot.username}"
    proxy, api = runtime.settings.proxy_label(), runtime.settings.telegram_api_url
    bot_api = f"Bot API {api} through proxy {proxy}" if proxy else f"Bot API {api}"
    async with contextlib.AsyncExitStack() as stack:
        try:
            bound = await stack.enter_async_context(serve(app, host=host, port=port))
            http = f"HTTP on {host}:{bound}"
        except OSError as error:
            if webhook is not None:
                raise
            # Polling works without it; only feeds and the health check are missing.
            log.warning("HTTP app not started on %s:%s: %s", host, port, error)
            http = "no HTTP"
        if webhook is None:
            assert application.updater is not None
            await application.updater.start_polling(
                timeout=POLL_TIMEOUT_SECONDS, allowed_updates=Update.ALL_TYPES
            )
            log.info("%s is running: long polling; %s; %s", username, bot_api, http)
            try:
                await stop.wait()
            finally:
                await application.updater.stop()
        else:
            await application.bot.set_webhook(
                url, secret_token=webhook.secret, allowed_updates=Update.ALL_TYPES
            )
            log.info("%s is running: webhook %s; %s; %s", username, url, bot_api, http)
            await stop.wait()
