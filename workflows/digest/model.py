"""What a digest holds: its items, the coordinators' and an agency's digest, a rendered part."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db.enums import MemberRole, MilestoneKind
from workflows.lights import Light

WEEK = dt.timedelta(days=7)


HORIZON_DAYS = 14


AGENCY_ROLES = (MemberRole.LIAISON, MemberRole.DEPUTY)


DATED_KINDS = (MilestoneKind.DUE, MilestoneKind.CHECKPOINT, MilestoneKind.CUSTOM)


@dataclass(frozen=True)
class DigestTask:
    """A task as a digest line shows it."""

    task_id: int
    number: int
    text: str
    lead: str | None
    light: Light
    next_date: dt.date | None
    state: str


@dataclass(frozen=True)
class DatedItem:
    """A milestone overdue or coming up: its task, kind, label, date and units."""

    task_id: int
    number: int
    text: str
    kind: str
    label: str
    on_date: dt.date
    days: int  # days overdue (> 0) or days left (>= 0), as the list says
    units: tuple[str, ...]
    more: int = 0  # other overdue milestones of the task (an overdue line shows the oldest)
    units_en: tuple[str | None, ...] = ()  # the units' English names, where known


@dataclass(frozen=True)
class FinishedItem:
    """A task reported done or closed since the last digest."""

    task_id: int
    number: int
    text: str
    state: str
    lead: str | None
    lead_en: str | None = None


@dataclass(frozen=True)
class SilentUnit:
    """An agency silent in the last check-in cycle, on which tasks, for how long at most."""

    agency: str
    numbers: tuple[int, ...]
    days_silent: int
    agency_en: str | None = None


@dataclass(frozen=True)
class ExtensionItem:
    """A pending extension request."""

    task_id: int
    number: int
    agency: str
    current_due_on: dt.date | None
    requested_due_on: dt.date
    agency_en: str | None = None


@dataclass(frozen=True)
class ChangeItem:
    """One change since the last digest: a date moved, a unit added, a task returned."""

    task_id: int
    number: int
    kind: str  # "date_moved", "milestone_added", "unit_added", "returned"
    before: str | None
    after: str | None
    at: dt.datetime


@dataclass(frozen=True)
class Totals:
    """Live tasks by light (open ones), and those awaiting review or closed."""

    red: int
    yellow: int
    green: int
    done: int
    closed: int


@dataclass(frozen=True)
class CoordinatorDigest:
    """The coordinators' digest of one plan."""

    plan_id: int
    plan_code: str
    period: dt.date
    totals: Totals
    finished: tuple[FinishedItem, ...]
    overdue: tuple[DatedItem, ...]
    upcoming: tuple[DatedItem, ...]
    silent: tuple[SilentUnit, ...]
    extensions: tuple[ExtensionItem, ...]
    reviews: tuple[FinishedItem, ...]
    changes: tuple[ChangeItem, ...]
    plan_label: str = ""  # the document number (else the code), where several plans are shown


@dataclass(frozen=True)
class WaitingItem:
    """Something others wait for from an agency: a signature (签收) or rework after 退办."""

    task_id: int
    number: int
    text: str
    kind: str  # "unsigned" or "returned"
    reason: str | None


@dataclass(frozen=True)
class AgencyDigest:
    """One agency's digest of one plan."""

    plan_id: int
    plan_code: str
    period: dt.date
    agency_id: int
    agency: str
    lead: tuple[DigestTask, ...]
    co: tuple[DigestTask, ...]
    overdue: tuple[DatedItem, ...]
    upcoming: tuple[DatedItem, ...]
    unreported: tuple[SilentUnit, ...]
    waiting: tuple[WaitingItem, ...]
    plan_label: str = ""  # the document number (else the code), where several plans are shown
    agency_en: str | None = None


Digest = CoordinatorDigest | AgencyDigest


@dataclass(frozen=True)
class DigestPart:
    """One rendered message of a digest: its text and the (task id, number) buttons it offers.

    `plans` names each button's plan (its code) when the message spans several plans.
    """

    text: str
    tasks: tuple[tuple[int, int], ...]
    plans: tuple[str, ...] = ()
