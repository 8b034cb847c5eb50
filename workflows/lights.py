"""Traffic lights (红黄绿灯), computed in one place and used everywhere."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

from db.enums import ReportStatus, TaskState

DUE_SOON_DAYS = 7
DEFAULT_CHECKIN_DAYS = 14


class Light(enum.StrEnum):
    """A task's light: red needs action now, yellow needs watching, green is fine."""

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


def compute_light(
    *,
    state: TaskState,
    due_on: dt.date | None,
    latest_statuses: Iterable[ReportStatus],
    last_report_at: dt.datetime | None,
    assigned_at: dt.datetime,
    now: dt.datetime,
    today: dt.date,
    checkin_days: int = DEFAULT_CHECKIN_DAYS,
) -> Light:
    """Red = overdue or blocked; yellow = at risk, due within 7 days, or silent two cycles."""
    if state is not TaskState.OPEN:
        return Light.GREEN
    statuses = set(latest_statuses)
    if (due_on is not None and due_on < today) or ReportStatus.BLOCKED in statuses:
        return Light.RED
    if ReportStatus.AT_RISK in statuses:
        return Light.YELLOW
    if due_on is not None and (due_on - today).days <= DUE_SOON_DAYS:
        return Light.YELLOW
    heard_from = max(last_report_at or assigned_at, assigned_at)
    if now - heard_from > dt.timedelta(days=2 * checkin_days):
        return Light.YELLOW
    return Light.GREEN
