"""Refusing request bodies over a size limit without reading them: ASGI middleware.

A declared Content-Length over the limit is answered 413 before the body is read; a body sent
without one (chunked) is counted as the route reads it, and refused at the first byte over.
The 413 closes the connection, so the client stops sending.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Telegram's updates are a few KB; no route of annexbot takes more than this.
MAX_BODY_BYTES = 1 << 20
_TOO_LARGE = b"request body too large"


class _BodyTooLarge(Exception):
    """The body grew past the limit while a route was reading it."""


class BodyLimit:
    """Answer 413 to any HTTP request whose body is over `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _refuse(send)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except _BodyTooLarge:
            if started:
                raise
            await _refuse(send)


def _content_length(scope: Scope) -> int | None:
    """The declared Content-Length (a malformed one counts as too large)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 1 << 62
    return None


async def _refuse(send: Send) -> None:
    """413, and close the connection rather than read the rest."""
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(_TOO_LARGE)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _TOO_LARGE})
