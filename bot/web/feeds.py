"""GET/HEAD /feeds/{token}.ics: calendar feeds with ETag, Last-Modified and 304s.

An unknown or revoked token gets the same plain 404 as a feed whose subject is gone. An address
that keeps sending bad tokens is slowed down: every request from it waits before the lookup, so
the delay also hides whether a token is valid.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.live_settings import settings_in
from bot.runtime import Runtime
from workflows.errors import NotFoundError
from workflows.feeds.cache import FeedCache
from workflows.feeds.calendar import build_feed
from workflows.feeds.tokens import resolve

CONTENT_TYPE = "text/calendar; charset=utf-8"
CACHE_CONTROL = "private, max-age=900"
NOT_FOUND = "not found"


def bot_link(username: str) -> str:
    """The bot's t.me link, or '' when the bot is not known (annexbot serve)."""
    return f"https://t.me/{username}" if username else ""


def feed_urls(base_url: str, token: str) -> tuple[str, str]:
    """The https link of a feed and its webcal twin (which calendar apps open directly)."""
    https = f"{base_url.rstrip('/')}/feeds/{token}.ics"
    scheme, _, rest = https.partition("://")
    return https, f"webcal://{rest}" if scheme in ("http", "https") else https


@dataclass
class BadTokenThrottle:
    """Counts bad tokens per client address and says how long its next request must wait."""

    free: int = 5
    window: float = 300.0
    base_delay: float = 0.5
    max_delay: float = 10.0
    max_addresses: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, address: str) -> deque[float]:
        """The address's failures within the window (older ones dropped)."""
        failures = self._failures.get(address, deque())
        cutoff = self.clock() - self.window
        while failures and failures[0] < cutoff:
            failures.popleft()
        return failures

    def delay(self, address: str) -> float:
        """Seconds to wait before answering this address: 0 until it has `free` failures."""
        excess = len(self._recent(address)) - self.free
        if excess < 0:
            return 0.0
        return float(min(self.max_delay, self.base_delay * 2**excess))

    def failed(self, address: str) -> None:
        """Note a bad token from an address."""
        if address not in self._failures and len(self._failures) >= self.max_addresses:
            self._prune()
        failures = self._recent(address)
        failures.append(self.clock())
        self._failures[address] = failures

    def _prune(self) -> None:
        """Forget addresses with no recent failure; when all are recent, the oldest ones."""
        for address in list(self._failures):
            if not self._recent(address):
                del self._failures[address]
        while len(self._failures) >= self.max_addresses:
            del self._failures[next(iter(self._failures))]


def _not_found() -> Response:
    """The one answer for anything that is not a live feed."""
    return PlainTextResponse(NOT_FOUND, status_code=404)


def _matches(request: Request, etag: str, last_modified: str, changed: float) -> bool:
    """True when the client's copy is current (If-None-Match first, else If-Modified-Since)."""
    given = request.headers.get("if-none-match")
    if given is not None:
        tags = [tag.strip().removeprefix("W/") for tag in given.split(",")]
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        parsed = email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    return parsed.timestamp() >= changed


def feed_route(
    runtime: Runtime,
    *,
    throttle: BadTokenThrottle | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Route:
    """The feed endpoint, with its own bad-token throttle."""
    guard = throttle or BadTokenThrottle()
    cache = FeedCache()

    async def feed(request: Request) -> Response:
        runtime.metrics.feed_requests.inc()
        address = request.client.host if request.client else ""
        wait = guard.delay(address)
        if wait:
            await sleep(wait)
        token = str(request.path_params["token"])
        async with runtime.session() as session:
            source = await resolve(session, token)
            if source is None:
                guard.failed(address)
                return _not_found()
            try:
                built = await build_feed(
                    session,
                    source,
                    bot_url=bot_link(runtime.bot_username),
                    now=runtime.now(),
                    todo=request.query_params.get("todo") == "1",
                    alarm_days=(await settings_in(session, runtime.settings)).feed_alarm_days,
                    language=request.query_params.get("lang", "zh"),
                    cache=cache,
                )
            except NotFoundError:
                return _not_found()
        etag = '"' + hashlib.sha256(built.body).hexdigest()[:32] + '"'
        last_modified = email.utils.format_datetime(built.last_modified, usegmt=True)
        headers = {
            "ETag": etag,
            "Last-Modified": last_modified,
            "Cache-Control": CACHE_CONTROL,
            "X-Robots-Tag": "noindex",
            "Referrer-Policy": "no-referrer",
        }
        if _matches(request, etag, last_modified, built.last_modified.timestamp()):
            runtime.metrics.feed_not_modified.inc()
            return Response(status_code=304, headers=headers)
        headers["Content-Disposition"] = 'inline; filename="annexbot.ics"'
        return Response(built.body, media_type=CONTENT_TYPE, headers=headers)

    return Route("/feeds/{token}.ics", feed, methods=["GET", "HEAD"])


def routes(runtime: Runtime) -> list[BaseRoute]:
    """The routes this module adds to the HTTP app."""
    return [feed_route(runtime)]
