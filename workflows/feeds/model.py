"""What a feed is made of: its source, its selected tasks, the built calendar, the UID domain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from db.enums import FeedScope
from db.models import Task

UID_DOMAIN = "annexbot"
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Reader:
    """Whose eyes a feed is written for: a coordinator's (every report) or one agency's.

    An agency reads what its liaisons read on the task card: every agency's reports on the
    tasks it leads, only its own on the tasks it co-handles. No reader: public facts only.
    """

    coordinator: bool = False
    agency_id: int | None = None


@dataclass(frozen=True)
class FeedSource:
    """What a feed covers: a scope and the ids that pin it down."""

    scope: FeedScope
    plan_id: int | None = None
    agency_id: int | None = None
    task_id: int | None = None
    member_id: int | None = None
    reader: Reader | None = None


@dataclass(frozen=True)
class Feed:
    """A built calendar: its bytes, when its data last changed, and its name."""

    body: bytes
    last_modified: dt.datetime
    name: str
    events: int


@dataclass(frozen=True)
class Selection:
    """The tasks of a feed, and what the calendar is called."""

    tasks: Sequence[Task]
    name: str
    uid: str
    timezone: str
    changed: dt.datetime
