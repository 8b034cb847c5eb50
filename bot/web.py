"""The HTTP app beside the bot: the Telegram webhook, a health check, other features' routes."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import socket
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Update
from telegram.ext import Application

from bot.runtime import Runtime
from workflows.health import database_answers

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_TIMEOUT_SECONDS = 5.0

# Each module in bot/ listed here exposes routes(runtime) -> list[BaseRoute] (e.g. calendar feeds).
WEB_MODULES: tuple[str, ...] = ()


@dataclass(frozen=True)
class Webhook:
    """Where Telegram POSTs updates, the secret it must send, and the bot that takes them."""

    path: str
    secret: str
    application: Application[Any, Any, Any, Any, Any, Any]


def _telegram_route(webhook: Webhook) -> Route:
    """POST <path>: check the secret header, then hand the update to the application's queue."""

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), webhook.secret.encode()):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data = await request.json()
            if not isinstance(data, dict):
                raise TypeError("an update is a JSON object")
            update = Update.de_json(data, webhook.application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return PlainTextResponse("not an update", status_code=400)
        await webhook.application.update_queue.put(update)
        return Response()

    return Route(webhook.path, receive, methods=["POST"])


def _health_route(runtime: Runtime) -> Route:
    """GET /healthz: 200 "ok" when the database answers, 503 otherwise."""

    async def health(_request: Request) -> Response:
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS), runtime.session() as session:
                await database_answers(session=session)
        except Exception as error:  # any failure to answer means unhealthy, whatever its kind
            log.warning("health check: database unavailable: %s", error)
            return PlainTextResponse("database unavailable", status_code=503)
        return PlainTextResponse("ok")

    return Route("/healthz", health, methods=["GET"])


def module_routes(runtime: Runtime) -> list[BaseRoute]:
    """The routes contributed by the modules in WEB_MODULES."""
    routes: list[BaseRoute] = []
    for name in WEB_MODULES:
        routes.extend(import_module(f"bot.{name}").routes(runtime))
    return routes


def build_web_app(
    runtime: Runtime, *, webhook: Webhook | None = None, routes: Sequence[BaseRoute] = ()
) -> Starlette:
    """The Starlette app: health check, the webhook (in webhook mode) and any extra routes."""
    all_routes: list[BaseRoute] = [_health_route(runtime), *routes]
    if webhook is not None:
        all_routes.append(_telegram_route(webhook))
    return Starlette(routes=all_routes)


class _Server(uvicorn.Server):
    """uvicorn that leaves signals to the bot's own handlers (it shares their event loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serve(app: Starlette, *, host: str, port: int) -> AsyncIterator[int]:
    """Serve the app with uvicorn on this event loop; yields the bound port (port 0 = any)."""
    # Binding before uvicorn starts means requests are accepted as soon as this yields.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    config = uvicorn.Config(
        app, lifespan="off", log_config=None, access_log=False, timeout_graceful_shutdown=5
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield int(sock.getsockname()[1])
    finally:
        server.should_exit = True
        await task
        sock.close()
