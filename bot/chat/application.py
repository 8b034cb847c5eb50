"""Building the Telegram application: handlers, error handler, sender and runtime."""

from __future__ import annotations

import os
from importlib import import_module
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot.chat import rate_limit
from bot.chat.errors import on_error
from bot.chat.proxy import proxied_requests
from bot.chat.rate_limit import ChatOrderedProcessor
from bot.delivery.budget import shared_pacer
from bot.delivery.pacing import Pacer, PacingRateLimiter
from bot.delivery.sender import Sender
from bot.metrics import observe
from bot.runtime import RUNTIME_KEY, Runtime

# Each module exposes register(application); order matters only where patterns overlap,
# so the catch-all module comes last.
HANDLER_MODULES: tuple[str, ...] = (
    "registration",
    "members",
    "removal",
    "invites",
    "notices",
    "coordinator",
    "mytasks",
    "extend",
    "review",
    "extension_decisions",
    "notes",
    "reminders",
    "escalations",
    "delivery_alerts",
    "checkins",
    "settings",
    "export",
    "digest",
    "chart",
    "calendar",
    "import_file",
    "holidays",
    "plans",
    "web",
    "fallback",
)

SENDER_KEY = "sender"
SENDER_INTERVAL_SECONDS = 30


def build_application(
    runtime: Runtime, *, polling: bool = True, pacer: Pacer | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The bot, wired to the runtime; `polling=False` builds it for a webhook (no updater).

    `pacer` replaces the real-time pacer (the demo plays weeks in seconds).
    """
    # Opt in to PTB's coming timedelta durations (RetryAfter.retry_after); the sender reads both.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    settings = runtime.settings
    if settings.telegram_token is None:
        raise ValueError("ANNEXBOT_TELEGRAM_TOKEN is not set")
    api = settings.telegram_api_url.rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        # On PostgreSQL every process draws from one budget; else this process paces alone.
        .rate_limiter(PacingRateLimiter(pacer or shared_pacer(runtime.sessions)))
        # Chats are served side by side, each chat's updates in the order they came.
        .concurrent_updates(ChatOrderedProcessor())
    )
    proxy = settings.telegram_proxy
    request, polling_request = proxied_requests(None if proxy is None else proxy.get_secret_value())
    builder = builder.request(request).get_updates_request(polling_request)
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data[RUNTIME_KEY] = runtime
    observe(application, runtime.metrics)
    sender = Sender(application, runtime)
    application.bot_data[SENDER_KEY] = sender
    runtime.wake_sender = sender.wake
    rate_limit.register(application)
    for name in HANDLER_MODULES:
        import_module(f"bot.chat.handlers.{name}").register(application)
    application.add_error_handler(on_error)
    if application.job_queue is not None:
        # First a second after start: what waited during downtime goes at once; between
        # drains the sender wakes itself when a retry or a held message falls due.
        application.job_queue.run_repeating(
            lambda _context: sender.drain(),
            interval=SENDER_INTERVAL_SECONDS,
            first=1,
            name="outbox-sender",
        )
    return application
