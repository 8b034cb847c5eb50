"""Built feeds kept by their source, options and data version, with validator and gzip body."""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import hashlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager

from workflows.feeds.model import Feed

GZIP_LEVEL = 6


class CachedFeed:
    """A built feed with its ETag and, once asked for, its gzip-compressed body."""

    def __init__(self, feed: Feed) -> None:
        self.feed = feed
        self.etag = '"' + hashlib.sha256(feed.body).hexdigest()[:32] + '"'
        self._gzipped: bytes | None = None

    @property
    def gzip_etag(self) -> str:
        """The ETag of the gzip-compressed body (another representation, another tag)."""
        return self.etag[:-1] + '-gz"'

    def gzipped(self) -> bytes:
        """The body gzip-compressed, compressed once (mtime 0: the same bytes every time)."""
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.feed.body, compresslevel=GZIP_LEVEL, mtime=0)
        return self._gzipped

    def fresh(self, now: dt.datetime) -> bool:
        """True until the clock alone may change a light in it."""
        return self.feed.valid_until is None or now < self.feed.valid_until


class FeedCache:
    """Built feeds by source, options and version, so an unchanged feed is never rebuilt.

    Memory is bounded by `size` feeds and about `max_bytes` of bodies (a gzip copy is a
    fraction of its body); the least recently used go first.
    """

    def __init__(self, size: int = 32, max_bytes: int = 64 * 2**20, builders: int = 2) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self._feeds: OrderedDict[Hashable, CachedFeed] = OrderedDict()
        self._bytes = 0
        self._builders = asyncio.Semaphore(builders)
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def building(self, key: Hashable) -> AsyncIterator[None]:
        """One build per key at a time (the others then find it kept), a few builds at once."""
        # A crowd asking for one changed feed builds it once; many changed feeds at once build
        # a few at a time, so memory holds a few bodies being built, not one per request.
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock, self._builders:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._feeds)

    def get(self, key: Hashable, now: dt.datetime) -> CachedFeed | None:
        """The feed kept for this key, unless the clock has moved past what it shows."""
        kept = self._feeds.get(key)
        if kept is None or not kept.fresh(now):
            return None
        self._feeds.move_to_end(key)
        return kept

    def put(self, key: Hashable, feed: Feed) -> CachedFeed:
        """Keep a feed, forgetting the least recently used beyond the size."""
        kept = CachedFeed(feed)
        if (old := self._feeds.pop(key, None)) is not None:
            self._bytes -= _weight(old)
        self._feeds[key] = kept
        self._bytes += _weight(kept)
        while len(self._feeds) > 1 and (
            len(self._feeds) > self.size or self._bytes > self.max_bytes
        ):
            _, dropped = self._feeds.popitem(last=False)
            self._bytes -= _weight(dropped)
        return kept


def _weight(kept: CachedFeed) -> int:
    """What a kept feed costs in memory, its gzip copy counted at a quarter of its body."""
    return len(kept.feed.body) * 5 // 4
