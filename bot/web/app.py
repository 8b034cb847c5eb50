"""The HTTP app beside the bot: the Telegram webhook, health, metrics, other features' routes."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import math
import socket
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Update
from telegram.ext import Application

from bot.runtime import Runtime
from bot.web.body_limit import MAX_BODY_BYTES, BodyLimit
from db.leader import LOCK_KEY
from workflows.health import (
    OUTBOX_LAG_LIMIT,
    OutboxLag,
    database_answers,
    leader_known,
    outbox_lag,
)

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_TIMEOUT_SECONDS = 5.0

# Each module of bot/web/ listed here exposes routes(runtime) -> list[BaseRoute] (the feeds).
WEB_MODULES: tuple[str, ...] = ("feeds", "board", "miniapp", "board_exports", "timeline")


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


async def health_checks(runtime: Runtime, *, leader_key: int = LOCK_KEY) -> dict[str, Any]:
    """Each check's outcome: database reachable, scheduler leader known, outbox lag in bounds."""
    checks: dict[str, Any] = {name: {"ok": False} for name in ("database", "leader", "outbox")}
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS), runtime.session() as session:
            await database_answers(session=session)
            checks["database"] = {"ok": True}
            checks["leader"] = {"ok": await leader_known(session=session, key=leader_key)}
            lag = await outbox_lag(session=session, now=runtime.now())
            checks["outbox"] = {
                "ok": lag.ok,
                "due": lag.due,
                "lag_seconds": round(lag.lag.total_seconds()),
                "limit_seconds": round(OUTBOX_LAG_LIMIT.total_seconds()),
            }
    except Exception as error:  # any failure to answer means unhealthy, whatever its kind
        log.warning("health check failed: %s", error)
    return checks


def _health_route(runtime: Runtime, leader_key: int) -> Route:
    """GET /healthz: the checks as JSON; 200 when all pass, 503 otherwise."""

    async def health(_request: Request) -> Response:
        checks = await health_checks(runtime, leader_key=leader_key)
        ok = all(check["ok"] for check in checks.values())
        return JSONResponse({"ok": ok, **checks}, status_code=200 if ok else 503)

    return Route("/healthz", health, methods=["GET"])


async def _measured_lag(runtime: Runtime) -> OutboxLag | None:
    """The outbox lag now, or None when the database does not answer."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS), runtime.session() as session:
            return await outbox_lag(session=session, now=runtime.now())
    except Exception as error:  # a scrape still returns the counters
        log.warning("metrics: outbox lag unavailable: %s", error)
        return None


def _metrics_route(runtime: Runtime) -> Route:
    """GET /metrics: the Prometheus text format, the outbox gauges measured at each scrape."""

    async def metrics(_request: Request) -> Response:
        lag = await _measured_lag(runtime)
        runtime.metrics.outbox_lag.set(math.nan if lag is None else lag.lag.total_seconds())
        runtime.metrics.outbox_due.set(math.nan if lag is None else lag.due)
        body, content_type = runtime.metrics.exposition()
        return Response(body, headers={"Content-Type": content_type})

    return Route("/metrics", metrics, methods=["GET"])


def module_routes(runtime: Runtime) -> list[BaseRoute]:
    """The routes contributed by the modules in WEB_MODULES."""
    routes: list[BaseRoute] = []
    for name in WEB_MODULES:
        routes.extend(import_module(f"bot.web.{name}").routes(runtime))
    return routes


def build_web_app(
    runtime: Runtime,
    *,
    webhook: Webhook | None = None,
    routes: Sequence[BaseRoute] = (),
    leader_key: int = LOCK_KEY,
    max_body: int = MAX_BODY_BYTES,
) -> Starlette:
    """The Starlette app: health, metrics, the webhook (in webhook mode) and any extra routes.

    Every route refuses a request body over `max_body` bytes without reading it.
    """
    all_routes: list[BaseRoute] = [
        _health_route(runtime, leader_key),
        _metrics_route(runtime),
        *routes,
    ]
    if webhook is not None:
        all_routes.append(_telegram_route(webhook))
    return Starlette(routes=all_routes, middleware=[Middleware(BodyLimit, max_bytes=max_body)])


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
