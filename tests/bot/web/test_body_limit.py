"""Request bodies over the limit are refused unread, through the real HTTP server."""

from __future__ import annotations

import asyncio
import json
import time
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.chat.application import build_application
from bot.runtime import Runtime
from bot.sandbox import DEFAULT_TOKEN
from bot.settings import Settings
from bot.web.app import SECRET_HEADER, Webhook, build_web_app, serve
from bot.web.body_limit import MAX_BODY_BYTES

SECRET = "s3cret-token_1"
HUNDRED_MB = 100 << 20
CHUNK = b"{" * (1 << 16)


@pytest.fixture
async def port(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> AsyncIterator[tuple[int, Webhook]]:
    """The web app with its webhook, served by uvicorn on a loopback port."""
    settings = Settings(data_dir=tmp_path, telegram_token=SecretStr(DEFAULT_TOKEN))
    runtime = Runtime(settings=settings, sessions=session_factory)
    webhook = Webhook("/telegram", SECRET, build_application(runtime, polling=False))
    async with serve(build_web_app(runtime, webhook=webhook), host="127.0.0.1", port=0) as bound:
        yield bound, webhook


def _head(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: annexbot", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _status(reader: asyncio.StreamReader) -> int:
    """The status code of the response."""
    line = await asyncio.wait_for(reader.readline(), timeout=10)
    return int(line.split()[1])


async def _chunked_flood(port: int, path: str) -> tuple[int, int]:
    """Stream up to 100 MB chunked until the server answers; its status and the bytes sent."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    headers = {SECRET_HEADER: SECRET, "Transfer-Encoding": "chunked"}
    writer.write(_head(path, headers))
    answer = asyncio.ensure_future(_status(reader))
    sent = 0
    try:
        while sent < HUNDRED_MB and not answer.done():
            writer.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
            await writer.drain()
            sent += len(CHUNK)
    except ConnectionError:
        pass  # the server closed the connection: the 413 is waiting to be read
    status = await answer
    writer.close()
    return status, sent


async def test_a_declared_100_mb_webhook_body_is_refused_before_it_is_sent(
    port: tuple[int, Webhook],
) -> None:
    """Content-Length over the limit: 413 at once, with none of the body sent."""
    bound, webhook = port
    reader, writer = await asyncio.open_connection("127.0.0.1", bound)
    headers = {SECRET_HEADER: SECRET, "Content-Length": str(HUNDRED_MB)}
    writer.write(_head("/telegram", headers))
    assert await _status(reader) == 413
    writer.close()
    assert webhook.application.update_queue.empty()


async def test_a_streamed_100_mb_webhook_body_is_refused_quickly_in_little_memory(
    port: tuple[int, Webhook],
) -> None:
    """No length declared: counted while read, refused past 1 MB; the rest is never sent."""
    bound, webhook = port
    tracemalloc.start()
    started = time.perf_counter()
    try:
        status, sent = await _chunked_flood(bound, "/telegram")
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 413
    assert sent < 32 << 20  # the limit plus what socket buffers took in before the close
    assert seconds < 10
    assert peak < 16 << 20
    assert webhook.application.update_queue.empty()


async def test_every_route_is_limited(port: tuple[int, Webhook]) -> None:
    """The feeds, health and unknown routes refuse a large declared body the same way."""
    bound, _ = port
    for path in ("/feeds/abc.ics", "/healthz", "/nowhere"):
        reader, writer = await asyncio.open_connection("127.0.0.1", bound)
        writer.write(_head(path, {"Content-Length": str(MAX_BODY_BYTES + 1)}))
        assert await _status(reader) == 413
        writer.close()


async def test_an_update_under_the_limit_still_arrives(port: tuple[int, Webhook]) -> None:
    """A real update (a few hundred bytes) is queued as before."""
    bound, webhook = port
    body = json.dumps(
        {
            "update_id": 7,
            "message": {
                "message_id": 1,
                "date": 0,
                "text": "hi",
                "chat": {"id": 5, "type": "private"},
                "from": {"id": 5, "is_bot": False, "first_name": "A"},
            },
        }
    ).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", bound)
    headers = {SECRET_HEADER: SECRET, "Content-Length": str(len(body)), "Connection": "close"}
    writer.write(_head("/telegram", headers) + body)
    assert await _status(reader) == 200
    writer.close()
    assert webhook.application.update_queue.get_nowait().update_id == 7
