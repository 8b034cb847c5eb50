"""Kept feeds: bounded in number and bytes, built once for a crowd."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import FeedScope
from tests.kit.reports import NOW, Sessions, setup
from workflows.feeds.cache import FeedCache
from workflows.feeds.calendar import current_feed, feed_version
from workflows.feeds.model import Feed, FeedOptions, FeedSource, Reader


def _feed(size: int) -> Feed:
    """A feed of some bytes."""
    return Feed(b"x" * size, NOW, "name", 0)


def test_the_cache_forgets_the_least_recently_used_within_its_bounds() -> None:
    """At most `size` feeds and about `max_bytes`; a read keeps a feed fresh."""
    cache = FeedCache(size=3, max_bytes=10_000)
    for key in "abc":
        cache.put(key, _feed(100))
    assert cache.get("a", NOW) is not None
    cache.put("d", _feed(100))
    assert cache.get("b", NOW) is None
    assert {k for k in "acd" if cache.get(k, NOW)} == set("acd")
    cache.put("e", _feed(7_850))
    assert len(cache) == 2  # 7,850 and its gzip allowance leave room for one small feed
    cache.put("f", _feed(20_000))
    assert len(cache) == 1  # a single feed over the budget is still kept


def test_a_kept_feed_expires_when_the_clock_may_turn_a_light() -> None:
    """valid_until bounds how long a kept feed is served."""
    cache = FeedCache()
    turn = NOW + dt.timedelta(days=1)
    cache.put("a", Feed(b"x", NOW, "name", 0, valid_until=turn))
    assert cache.get("a", turn - dt.timedelta(seconds=1)) is not None
    assert cache.get("a", turn) is None


async def test_a_crowd_builds_a_changed_feed_once(
    session_factory: Sessions, engine: AsyncEngine
) -> None:
    """Twenty requests for the same new feed: one build, twenty answers with the same bytes."""
    await setup(session_factory)
    cache = FeedCache()
    source = FeedSource(FeedScope.PLAN, plan_id=1, reader=Reader(coordinator=True))
    options = FeedOptions(uid_domain="test.example.org")
    builds: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "FROM milestone" in statement:
            builds.append(statement)

    async def ask() -> bytes:
        async with session_factory() as session:
            version = await feed_version(session)
            kept = await current_feed(
                session, source, version=version, options=options, now=NOW, cache=cache
            )
        return kept.feed.body

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        bodies = await asyncio.gather(*(ask() for _ in range(20)))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert len(set(bodies)) == 1
    assert len(builds) == 1
