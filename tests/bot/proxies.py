"""Real local proxies for tests: an HTTP proxy (CONNECT and absolute-form) and a SOCKS5 proxy.

Both are asyncio servers on 127.0.0.1 that the bot reaches over TCP like any proxy, with
optional credentials, and that note every HTTP request line they carry to the sandbox.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import re
import socket
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

REQUEST_LINE = re.compile(rb"(?:^|\r\n)(GET|POST|HEAD|PUT|DELETE) (\S+) HTTP/1\.[01]\r\n")


@dataclass
class ProxyLog:
    """What a proxy saw: the targets it connected to and the request paths it carried."""

    targets: list[tuple[str, int]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    refused: int = 0

    def methods(self) -> list[str]:
        """The Bot API methods of the requests carried (…/bot<token>/getUpdates → getUpdates)."""
        return [path.rsplit("/", 1)[-1] for path in self.paths]


async def _pipe(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, log: ProxyLog | None
) -> None:
    """Copy bytes one way until the reader ends, noting request lines when `log` is given."""
    try:
        while chunk := await reader.read(65536):
            if log is not None:
                log.paths += [m.group(2).decode() for m in REQUEST_LINE.finditer(chunk)]
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _tunnel(
    client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    log: ProxyLog,
) -> None:
    """Carry bytes both ways until either side closes."""
    await asyncio.gather(_pipe(client[0], upstream[1], log), _pipe(upstream[0], client[1], None))


class _Proxy:
    """A TCP server on 127.0.0.1 handling each connection with `handle`."""

    scheme = ""

    def __init__(self, *, username: str | None = None, password: str | None = None) -> None:
        self.username, self.password = username, password
        self.log = ProxyLog()
        self.port = 0
        self._server: asyncio.Server | None = None
        self._clients: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        """The proxy's URL, with its credentials when it has them."""
        credentials = ""
        if self.username is not None:
            credentials = f"{quote(self.username)}:{quote(self.password or '')}@"
        return f"{self.scheme}://{credentials}127.0.0.1:{self.port}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def _guarded(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._clients.add(writer)
        try:
            await self.handle(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._clients.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    async def __aenter__(self) -> _Proxy:
        self._server = await asyncio.start_server(self._guarded, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._clients):
            writer.close()
        await self._server.wait_closed()


class HttpProxy(_Proxy):
    """An HTTP proxy: CONNECT tunnels, and absolute-form requests (GET http://host/…) forwarded.

    httpx sends plain-http targets (the sandbox) as absolute-form requests, https ones through
    CONNECT; both are handled. Wrong or missing credentials get 407.
    """

    scheme = "http"

    def _authorised(self, head: bytes) -> bool:
        """Whether the request carries the proxy's credentials (or it has none)."""
        if self.username is None:
            return True
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        found = re.search(rb"(?im)^proxy-authorization:\s*basic\s+(\S+)\r$", head)
        return found is not None and found.group(1).decode() == expected

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        method, target, _version = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
        if not self._authorised(head):
            self.log.refused += 1
            writer.write(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n'
                b"Connection: close\r\n\r\n"
            )
            await writer.drain()
            return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            upstream = await self._open(host, int(port), writer)
            if upstream is None:
                return
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await _tunnel((reader, writer), upstream, self.log)
            return
        # Absolute form: one request per connection, sent on as origin form.
        parts = urlsplit(target)
        upstream = await self._open(parts.hostname or "", parts.port or 80, writer)
        if upstream is None:
            return
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.log.paths.append(path)
        headers = [
            line
            for line in head.split(b"\r\n")[1:]
            if line and not line.lower().startswith((b"proxy-", b"connection:", b"keep-alive:"))
        ]
        request = [f"{method} {path} HTTP/1.1".encode(), *headers, b"Connection: close"]
        upstream[1].write(b"\r\n".join(request) + b"\r\n\r\n")
        await upstream[1].drain()
        await asyncio.gather(_pipe(reader, upstream[1], None), _pipe(upstream[0], writer, None))

    async def _open(
        self, host: str, port: int, writer: asyncio.StreamWriter
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        """Connect to the target; answer 502 when that fails."""
        self.log.targets.append((host, port))
        try:
            return await asyncio.open_connection(host, port)
        except OSError:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            return None


class Socks5Proxy(_Proxy):
    """A SOCKS5 proxy (RFC 1928) with username/password authentication (RFC 1929) if set."""

    scheme = "socks5"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        wanted = 0x02 if self.username is not None else 0x00
        if version != 5 or wanted not in methods:
            self.log.refused += 1
            writer.write(b"\x05\xff")
            await writer.drain()
            return
        writer.write(bytes([5, wanted]))
        await writer.drain()
        if wanted == 0x02:
            _, length = await reader.readexactly(2)
            username = (await reader.readexactly(length)).decode()
            (length,) = await reader.readexactly(1)
            password = (await reader.readexactly(length)).decode()
            if (username, password) != (self.username, self.password):
                self.log.refused += 1
                writer.write(b"\x01\x01")
                await writer.drain()
                return
            writer.write(b"\x01\x00")
            await writer.drain()
        _, command, _, kind = await reader.readexactly(4)
        if kind == 1:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        elif kind == 4:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        else:
            (length,) = await reader.readexactly(1)
            host = (await reader.readexactly(length)).decode()
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        self.log.targets.append((host, port))
        if command != 1:
            writer.write(b"\x05\x07\x00\x01" + bytes(6))  # command not supported
            return
        try:
            upstream = await asyncio.open_connection(host, port)
        except OSError:
            writer.write(b"\x05\x05\x00\x01" + bytes(6))  # connection refused
            await writer.drain()
            return
        writer.write(b"\x05\x00\x00\x01" + bytes(4) + struct.pack("!H", 0))
        await writer.drain()
        await _tunnel((reader, writer), upstream, self.log)


@contextlib.asynccontextmanager
async def closed_port() -> AsyncIterator[int]:
    """A port on 127.0.0.1 that nothing listens on (bound, never listening, while in use)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])
