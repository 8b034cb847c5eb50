"""Built feeds kept by everything they show, so an unchanged feed skips icalendar."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from workflows.feeds.model import Feed, Selection
from workflows.status import TaskStatus


class FeedCache:
    """Built feeds by everything they show, so an unchanged feed (a 304 too) skips icalendar.

    Building is mostly icalendar's work (seconds for 10,000 events); reading the data is not.
    """

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._feeds: OrderedDict[Hashable, Feed] = OrderedDict()

    def __len__(self) -> int:
        return len(self._feeds)

    def get(self, key: Hashable) -> Feed | None:
        """A feed built from the same data and options, if one is kept."""
        feed = self._feeds.get(key)
        if feed is not None:
            self._feeds.move_to_end(key)
        return feed

    def put(self, key: Hashable, feed: Feed) -> None:
        """Keep a feed, forgetting the least recently used beyond the size."""
        self._feeds[key] = feed
        self._feeds.move_to_end(key)
        while len(self._feeds) > self.size:
            self._feeds.popitem(last=False)


def fingerprint(selection: Selection, statuses: dict[int, TaskStatus]) -> Hashable:
    """Everything of the selected data an event shows (lights and reports included)."""
    return (
        selection.name,
        selection.uid,
        selection.timezone,
        selection.changed,
        tuple(
            (
                task.id,
                task.plan.code,
                task.number,
                task.text,
                task.state,
                task.updated_at,
                task.removed_at,
                tuple((a.id, a.agency.name, a.role, a.position) for a in task.assignments),
                tuple(
                    (m.id, m.kind, m.on_date, m.label, m.sequence, m.cancelled_at, m.updated_at)
                    for m in task.milestones
                ),
                statuses[task.id],
            )
            for task in selection.tasks
        ),
    )
