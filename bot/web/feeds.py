"""GET/HEAD /feeds/{token}.ics: calendar feeds with ETag, Last-Modified, gzip and 304s.

An unknown or revoked token gets the same plain 404 as a feed whose subject is gone. An unchanged
feed is answered from memory: the ETag is looked up by the data's version, read with the token
in one statement on a plain connection, so a 304 or a repeated 200 loads nothing else. An
address that keeps sending bad tokens is slowed down (every request from it waits before the
lookup, so the delay also hides whether a token is valid) and may only have a few requests in
progress at once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.live_settings import settings_in
from bot.runtime import Runtime
from bot.web.feed_throttle import BadTokenThrottle
from workflows.errors import NotFoundError
from workflows.feeds.cache import CachedFeed, FeedCache
from workflows.feeds.calendar import current_feed, kept_feed
from workflows.feeds.installation import uid_domain
from workflows.feeds.model import FeedOptions
from workflows.feeds.tokens import TokenState, lookup

__all__ = ["BadTokenThrottle", "feed_route", "feed_urls", "routes"]

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/calendar; charset=utf-8"
CACHE_CONTROL = "private, max-age=900"
NOT_FOUND = "not found"
# A link revoked (or orphaned) this recently is still polled by the calendars that had it:
# those requests are not guesses and do not slow the address down.
DEAD_GRACE = dt.timedelta(days=90)


def bot_link(username: str) -> str:
    """The bot's t.me link, or '' when the bot is not known (annexbot serve)."""
    return f"https://t.me/{username}" if username else ""


def feed_urls(base_url: str, token: str) -> tuple[str, str]:
    """The https link of a feed and its webcal twin (which calendar apps open directly)."""
    https = f"{base_url.rstrip('/')}/feeds/{token}.ics"
    scheme, _, rest = https.partition("://")
    return https, f"webcal://{rest}" if scheme in ("http", "https") else https


def _not_found() -> Response:
    """The one answer for anything that is not a live feed."""
    return PlainTextResponse(NOT_FOUND, status_code=404)


def _accepts_gzip(request: Request) -> bool:
    """True when the client takes gzip (and has not refused it with q=0)."""
    for part in request.headers.get("accept-encoding", "").lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "x-gzip", "*"):
            q = params.strip().removeprefix("q=").strip()
            return not q or _quality(q) > 0
    return False


def _quality(value: str) -> float:
    """A q-value, 0 when unreadable."""
    try:
        return float(value)
    except ValueError:
        return 0.0


def _matches(request: Request, kept: CachedFeed) -> bool:
    """True when the client's copy is current (If-None-Match first, else If-Modified-Since)."""
    given = request.headers.get("if-none-match")
    if given is not None:
        tags = {tag.strip().removeprefix("W/") for tag in given.split(",")}
        return "*" in tags or kept.etag in tags or kept.gzip_etag in tags
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        parsed = email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if parsed.tzinfo is None:
        return False
    return parsed >= kept.feed.last_modified.replace(microsecond=0)


def _answer(request: Request, kept: CachedFeed) -> tuple[Response, bool]:
    """The 200 or 304 for a feed, gzip-compressed when the client takes it; True for a 304."""
    compressed = _accepts_gzip(request)
    headers = {
        "ETag": kept.gzip_etag if compressed else kept.etag,
        "Last-Modified": email.utils.format_datetime(kept.feed.last_modified, usegmt=True),
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept-Encoding",
        "X-Robots-Tag": "noindex",
        "Referrer-Policy": "no-referrer",
    }
    if _matches(request, kept):
        return Response(status_code=304, headers=headers), True
    headers["Content-Disposition"] = 'inline; filename="annexbot.ics"'
    if compressed:
        headers["Content-Encoding"] = "gzip"
        return Response(kept.gzipped(), media_type=CONTENT_TYPE, headers=headers), False
    return Response(kept.feed.body, media_type=CONTENT_TYPE, headers=headers), False


class _Options:
    """What every feed of this process shares: the UID domain and the alarm days in force.

    The UID domain never changes once chosen; the alarm days are read again only when the
    feed data's version (which settings changes raise too) moves, as reading them costs
    milliseconds.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.domain: str | None = None
        self.alarm_days: int | None = None
        self.version: object = object()

    def known(self, version: int | None, request: Request) -> FeedOptions | None:
        """The options of a request's feed when nothing needs reading for them, else None."""
        if self.domain is None or version is None or version != self.version:
            return None
        return self._options(request)

    async def get(
        self, session: AsyncSession, version: int | None, request: Request
    ) -> FeedOptions:
        """The options of a request's feed."""
        if self.domain is None:
            self.domain = await uid_domain(
                session,
                public_base_url=self.runtime.settings.public_base_url,
                now=self.runtime.now(),
            )
        if version is None or version != self.version:
            settings = await settings_in(session, self.runtime.settings)
            self.alarm_days, self.version = settings.feed_alarm_days, version
        return self._options(request)

    def _options(self, request: Request) -> FeedOptions:
        """The options with the request's own (to-dos, language)."""
        assert self.domain is not None
        return FeedOptions(
            uid_domain=self.domain,
            bot_url=bot_link(self.runtime.bot_username),
            todo=request.query_params.get("todo") == "1",
            alarm_days=self.alarm_days,
            language="en" if request.query_params.get("lang") == "en" else "zh",
        )


def _validator_connections(
    runtime: Runtime,
) -> Callable[[], AbstractAsyncContextManager[AsyncConnection | AsyncSession]]:
    """Where a request reads its token and the data version: a plain connection, no session.

    An unchanged feed needs that one row, so its 304 should cost no more than reading it. On
    PostgreSQL the connection is in autocommit: one read needs no BEGIN and ROLLBACK round trips.
    """
    engine = runtime.sessions.kw.get("bind")
    if not isinstance(engine, AsyncEngine):
        return runtime.session
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine.connect


def feed_route(
    runtime: Runtime,
    *,
    throttle: BadTokenThrottle | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    cache: FeedCache | None = None,
) -> Route:
    """The feed endpoint, with its own bad-token throttle and cache of built feeds."""
    guard = throttle or BadTokenThrottle()
    kept_feeds = cache or FeedCache()
    shared = _Options(runtime)
    validating = _validator_connections(runtime)

    async def feed(request: Request) -> Response:
        runtime.metrics.feed_requests.inc()
        address = request.client.host if request.client else ""
        async with guard.admit(address) as admitted:
            if not admitted:
                return _not_found()
            wait = guard.delay(address)
            if wait:
                await sleep(wait)
            kept = await _serve(request, address)
        if kept is None:
            return _not_found()
        response, not_modified = _answer(request, kept)
        if not_modified:
            runtime.metrics.feed_not_modified.inc()
        return response

    async def _serve(request: Request, address: str) -> CachedFeed | None:
        """The feed behind a request's token, or None (a bad token is noted)."""
        token = str(request.path_params["token"])
        now = runtime.now()
        async with validating() as connection:
            found = await lookup(connection, token)
        if found.state is not TokenState.LIVE or found.source is None:
            stale = found.dead_since is not None and now - found.dead_since > DEAD_GRACE
            if found.state is TokenState.UNKNOWN or stale:
                guard.failed(address)
            return None
        known = shared.known(found.version, request)
        if known is not None:
            kept = kept_feed(
                found.source, version=found.version, options=known, now=now, cache=kept_feeds
            )
            if kept is not None:
                return kept
        async with runtime.session() as session:
            try:
                options = await shared.get(session, found.version, request)
                return await current_feed(
                    session,
                    found.source,
                    version=found.version,
                    options=options,
                    now=now,
                    cache=kept_feeds,
                )
            except NotFoundError:
                return None

    return Route("/feeds/{token}.ics", feed, methods=["GET", "HEAD"])


def routes(runtime: Runtime) -> list[BaseRoute]:
    """The routes this module adds to the HTTP app."""
    return [feed_route(runtime)]
