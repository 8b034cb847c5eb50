"""One calendar component per milestone: title, description, status, alarm, times."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from icalendar import Alarm, Component, Event, Todo
from icalendar.enums import STATUS, TRANSP

from db.enums import MilestoneKind, ReportStatus, Role, TaskState
from db.models import Milestone, Task
from workflows.feeds.model import UID_DOMAIN
from workflows.feeds.words import LABELS, LIGHT_MARKS
from workflows.status import TaskStatus

SUMMARY_TEXT_LIMIT = 24


ALARM_HOUR = 9


def _trim(text: str, limit: int) -> str:
    """Text cut to a limit, with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lead(task: Task) -> str | None:
    """The name of a task's (first) lead unit."""
    return next((a.agency.name for a in task.assignments if a.role is Role.LEAD), None)


def _kind_word(milestone: Milestone, words: dict[str, str]) -> str:
    """What a milestone marks, as a word; a custom milestone's own label wins."""
    if milestone.label and milestone.kind is MilestoneKind.CUSTOM:
        return milestone.label
    word = words[str(milestone.kind)]
    if milestone.kind is MilestoneKind.CHECKPOINT:
        return (
            f"{milestone.on_date.year}{word}"
            if words is LABELS["zh"]
            else f"{word} {milestone.on_date.year}"
        )
    return word


def _summary(task: Task, milestone: Milestone, words: dict[str, str]) -> str:
    """Task number, lead unit, trimmed text and kind, to scan at a glance."""
    lead = _lead(task)
    parts = [f"{task.number}.", *([lead] if lead else []), _trim(task.text, SUMMARY_TEXT_LIMIT)]
    return f"{' '.join(parts)} · {_kind_word(milestone, words)}"


def _state_word(task: Task, words: dict[str, str]) -> str:
    """A task's state as a word; removed tasks are cancelled."""
    return words["removed"] if task.removed_at is not None else words[str(task.state)]


def _units_line(task: Task, role: Role, words: dict[str, str]) -> str | None:
    """The units of one role with full names, or None when there are none."""
    names = [
        a.agency.name
        + (
            f"（{a.agency.full_name}）"
            if a.agency.full_name and a.agency.full_name != a.agency.name
            else ""
        )
        for a in task.assignments
        if a.role is role
    ]
    if not names:
        return None
    more = words["and_others"] if role is Role.CO and task.units_open else ""
    return f"{words[str(role)]}{words['sep']}{words['list_sep'].join(names)}{more}"


def _description(
    task: Task, milestone: Milestone, status: TaskStatus, words: dict[str, str], bot_url: str
) -> str:
    """The full task, its units with roles, the light and each agency's latest report."""
    lines = [f"{words['task']} {task.number}（{task.plan.code}）{words['sep']}{task.text}"]
    if milestone.label and milestone.kind is not MilestoneKind.CUSTOM:
        lines.append(milestone.label)
    if task.schedule_text:
        lines.append(f"{words['schedule']}{words['sep']}{task.schedule_text}")
    lines.extend(line for role in (Role.LEAD, Role.CO) if (line := _units_line(task, role, words)))
    lines.append(
        f"{words['light']}{words['sep']}{LIGHT_MARKS[status.light]} {words[str(status.light)]}"
        f" · {_state_word(task, words)}"
    )
    lines.append(
        f"{words['reports']}{words['sep']}" + ("" if status.reports else words["no_reports"])
    )
    zone = zoneinfo.ZoneInfo(task.plan.timezone)
    for report in status.reports:
        percent = f" {report.percent}%" if report.percent is not None else ""
        note = f" — {_trim(report.note, 200)}" if report.note else ""
        status_word = words.get(str(report.status), str(report.status))
        if report.status is ReportStatus.DONE:
            status_word = words["done"]
        lines.append(
            f"· {report.agency} {report.reported_at.astimezone(zone).date().isoformat()}"
            f" {status_word}{percent}{note}"
        )
    if bot_url:
        lines.append(f"{words['bot']}{words['sep']}{bot_url}")
    return "\n".join(lines)


def _changed(task: Task, milestone: Milestone, status: TaskStatus) -> dt.datetime:
    """When anything an event shows last changed, from the database."""
    times = [milestone.updated_at, task.updated_at]
    times.extend(r.reported_at for r in status.reports)
    times.extend(a.created_at for a in task.assignments)
    if task.removed_at is not None:
        times.append(task.removed_at)
    return max(times).astimezone(dt.UTC).replace(microsecond=0)


def _alarm(days: int, words: dict[str, str], summary: str) -> Alarm:
    """A display alarm at 09:00 local, `days` days before the all-day milestone."""
    alarm = Alarm.new(description=f"{words['alarm']}{words['sep']}{summary}")
    alarm.add("ACTION", "DISPLAY")
    alarm.add("TRIGGER", dt.timedelta(days=-days, hours=ALARM_HOUR))
    return alarm


def milestone_component(
    task: Task,
    milestone: Milestone,
    status: TaskStatus,
    *,
    words: dict[str, str],
    bot_url: str,
    todo: bool,
    alarm_days: int | None,
) -> tuple[Component, dt.datetime]:
    """The VEVENT (or VTODO) of one milestone, and when it last changed."""
    cancelled = milestone.cancelled_at is not None or task.removed_at is not None
    changed = _changed(task, milestone, status)
    summary = _summary(task, milestone, words)
    uid = f"milestone-{milestone.id}@{UID_DOMAIN}"
    component: Component
    if todo:
        finished = task.state is not TaskState.OPEN
        component = Todo.new(
            uid=uid,
            stamp=changed,
            status=STATUS.CANCELLED
            if cancelled
            else STATUS.COMPLETED
            if finished
            else STATUS.NEEDS_ACTION,
        )
        component.add("DUE", milestone.on_date)
    else:
        component = Event.new(
            uid=uid,
            stamp=changed,
            start=milestone.on_date,
            end=milestone.on_date + dt.timedelta(days=1),
            status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
            transparency=TRANSP.TRANSPARENT,
        )
    component.add("SUMMARY", summary)
    component.add("DESCRIPTION", _description(task, milestone, status, words, bot_url))
    component.add("CATEGORIES", [words[str(status.light)], _state_word(task, words)])
    component.add("LAST-MODIFIED", changed)
    component.add("CREATED", milestone.created_at.astimezone(dt.UTC).replace(microsecond=0))
    component.add("SEQUENCE", milestone.sequence)
    if bot_url:
        component.add("URL", bot_url)
    if alarm_days is not None and not cancelled:
        component.add_component(_alarm(alarm_days, words, summary))
    return component, changed
