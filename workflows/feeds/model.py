"""What a feed is made of: its source and reader, the rows it shows, and the built calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from db.enums import FeedScope, MilestoneKind, Role, TaskState
from workflows.status import ReportView

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
    """What a feed covers (a scope and the ids that pin it down) and whom it is written for."""

    scope: FeedScope
    plan_id: int | None = None
    agency_id: int | None = None
    task_id: int | None = None
    member_id: int | None = None
    reader: Reader | None = None


@dataclass(frozen=True)
class FeedOptions:
    """How a feed is written: events or to-dos, alarms, language, the bot's link, the UID domain."""

    uid_domain: str
    bot_url: str = ""
    todo: bool = False
    alarm_days: int | None = None
    language: str = "zh"


@dataclass(frozen=True)
class Feed:
    """A built calendar: its bytes, when what it shows last changed, until when it holds."""

    body: bytes
    last_modified: dt.datetime
    name: str
    events: int
    valid_until: dt.datetime | None = None


class FeedUnit(NamedTuple):
    """An agency on a task, as a feed names it."""

    agency_id: int
    name: str
    full_name: str | None
    name_en: str | None
    role: Role
    position: int
    created_at: dt.datetime


class FeedMilestone(NamedTuple):
    """A dated point of a task, as a feed shows it."""

    id: int
    kind: MilestoneKind
    on_date: dt.date
    label: str
    sequence: int
    cancelled_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class FeedTask:
    """A task with what its events show: units, milestones, and when it was finished."""

    id: int
    plan_code: str
    timezone: str
    number: int
    text: str
    schedule_text: str
    state: TaskState
    due_on: dt.date | None
    units_open: bool
    removed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    units: tuple[FeedUnit, ...]
    milestones: tuple[FeedMilestone, ...]
    finished_at: dt.datetime | None
    reports: tuple[ReportView, ...]
    plan_label: str = ""  # its plan's document number (else code) when a feed spans plans


@dataclass(frozen=True)
class Selection:
    """The tasks of a feed, what the calendar is called, and the version they were read at."""

    tasks: Sequence[FeedTask]
    name: str
    timezone: str
    changed: dt.datetime
    version: Hashable
