"""The sandbox as a real HTTP server: the Starlette app, a uvicorn runner and SandboxServer."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from types import TracebackType
from typing import Any, Self

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from bot.sandbox.control import DEFAULT_TOKEN, SandboxControl
from bot.sandbox.dispatch import dispatch
from bot.sandbox.errors import ApiError, SandboxError
from bot.sandbox.http_control import control_routes
from bot.sandbox.methods import canonical
from bot.sandbox.params import decode_body
from bot.sandbox.webhook import deliver_forever
from bot.tls import tls_context


def _error(error: ApiError) -> JSONResponse:
    return JSONResponse(error.envelope(), status_code=error.status)


def build_app(control: SandboxControl) -> Starlette:
    """The Starlette app answering /bot<token>/<method> and /file/bot<token>/<path>."""
    state, faults = control.state, control.faults

    async def api(request: Request) -> Response:
        if request.path_params["token"] != state.token:
            return _error(ApiError(401, "Unauthorized"))
        method = canonical(request.path_params["method"])
        if method is None:
            return _error(ApiError(404, "Not Found"))
        try:
            content_type = request.headers.get("content-type", "")
            params = decode_body(content_type, await request.body(), request.query_params)
        except ApiError as error:
            return _error(error)
        status, body = await dispatch(state, faults, method, params)
        return JSONResponse(body, status_code=status)

    async def download(request: Request) -> Response:
        if request.path_params["token"] != state.token:
            return _error(ApiError(401, "Unauthorized"))
        path = request.path_params["path"]
        found = [a for a in state.files.values() if a.file_path == path and a.data is not None]
        if not found or found[0].data is None:
            return _error(ApiError(404, "Not Found"))
        return Response(found[0].data, media_type=found[0].mime_type)

    async def not_found(request: Request, exc: Exception) -> Response:
        return _error(ApiError(404, "Not Found"))

    routes = [
        Route("/bot{token}/{method}", api, methods=["GET", "POST"]),
        Route("/file/bot{token}/{path:path}", download, methods=["GET"]),
        *control_routes(control),
    ]
    return Starlette(routes=routes, exception_handlers={404: not_found})


class _Server(uvicorn.Server):
    """uvicorn that leaves the process's signal handlers alone (it runs inside tests and apps)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serve_app(app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serves an ASGI app with uvicorn on host:port (0 = a free port); yields its base URL."""
    # Binding and listening here, before uvicorn starts, lets clients connect at once. The
    # explicit IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    # says TCP, and without it every response waits ~40 ms for a delayed ACK.
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
        app,
        lifespan="off",
        log_config=None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        shown = f"[{host}]" if family == socket.AF_INET6 else host
        yield f"http://{shown}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def _cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


class SandboxServer(SandboxControl):
    """A fake Telegram Bot API on a loopback port plus its control API; use `async with`."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "annex_sandbox_bot",
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(token, bot_username=bot_username, clock=clock, wall_clock=wall_clock)
        self.host = host
        self.port = port
        self._url: str | None = None
        self._stack: contextlib.AsyncExitStack | None = None

    @property
    def url(self) -> str:
        """Base URL of the running server, e.g. http://127.0.0.1:40123."""
        if self._url is None:
            raise SandboxError("the sandbox is not running")
        return self._url

    @property
    def base_url(self) -> str:
        """What to give PTB as base_url (it appends the token)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What to give PTB as base_file_url (it appends the token)."""
        return f"{self.url}/file/bot"

    async def start(self) -> None:
        """Starts serving; the URL is known once this returns."""
        if self._stack is not None:
            return
        self.state.closing.clear()
        stack = contextlib.AsyncExitStack()
        try:
            self._url = await stack.enter_async_context(
                serve_app(build_app(self), host=self.host, port=self.port)
            )
            client = await stack.enter_async_context(httpx.AsyncClient(verify=tls_context()))
            stack.push_async_callback(
                _cancel, asyncio.create_task(deliver_forever(self.state, client))
            )
            stack.push_async_callback(self._wake_everyone)
        except BaseException:
            await stack.aclose()
            self._url = None
            raise
        self._stack = stack

    async def _wake_everyone(self) -> None:
        # Long polls and held (timeout-fault) requests end now, so shutdown never waits on them.
        self.state.closing.set()
        await self.state.notify()

    async def stop(self) -> None:
        """Ends pending requests and stops the server."""
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()
        self._url = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
