"""One calendar component per milestone: title, description, status, alarm, times."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from db.enums import MilestoneKind, ReportStatus, Role, TaskState
from workflows.feeds import ical
from workflows.feeds.model import FeedMilestone, FeedOptions, FeedTask, FeedUnit
from workflows.feeds.timing import LightSpan
from workflows.feeds.words import LIGHT_MARKS, english
from workflows.status import ReportView

SUMMARY_TEXT_LIMIT = 24
NOTE_LIMIT = 200
ALARM_HOUR = 9


@dataclass(frozen=True)
class Writer:
    """What every event of one feed shares: words, options, and the alarm's trigger."""

    words: dict[str, str]
    options: FeedOptions
    trigger: tuple[str, str] | None


def writer_for(words: dict[str, str], options: FeedOptions) -> Writer:
    """The shared parts of a feed's events; alarms ring at 09:00, `alarm_days` days before."""
    days = options.alarm_days
    if days is None:
        return Writer(words, options, None)
    # A to-do has no start: its alarm is relative to its due date (RFC 5545 §3.8.6.3).
    name = "TRIGGER;RELATED=END" if options.todo else "TRIGGER"
    value = ical.duration(dt.timedelta(days=-days, hours=ALARM_HOUR))
    return Writer(words, options, (name, value))


def _trim(text: str, limit: int) -> str:
    """Text cut to a limit, with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unit_name(unit: FeedUnit, words: dict[str, str], *, full: bool = False) -> str:
    """A unit as a feed names it: its English name in English, else its short name."""
    if english(words) and unit.name_en:
        return unit.name_en
    if full and unit.full_name and unit.full_name != unit.name:
        return unit.name + words["aside"].format(unit.full_name)
    return unit.name


def _kind_word(milestone: FeedMilestone, words: dict[str, str]) -> str:
    """What a milestone marks, as a word; a custom milestone's own label wins."""
    if milestone.label and milestone.kind is MilestoneKind.CUSTOM:
        return milestone.label
    word = words[str(milestone.kind)]
    if milestone.kind is MilestoneKind.CHECKPOINT:
        year = milestone.on_date.year
        return f"{word} {year}" if english(words) else f"{year}{word}"
    return word


def _state_word(task: FeedTask, words: dict[str, str]) -> str:
    """A task's state as a word; removed tasks are cancelled."""
    return words["removed"] if task.removed_at is not None else words[str(task.state)]


def _units_line(task: FeedTask, role: Role, words: dict[str, str]) -> str | None:
    """The units of one role with full names, or None when there are none."""
    names = [unit_name(u, words, full=True) for u in task.units if u.role is role]
    if not names:
        return None
    more = words["and_others"] if role is Role.CO and task.units_open else ""
    return f"{words[str(role)]}{words['sep']}{words['list_sep'].join(names)}{more}"


def _report_line(
    report: ReportView, names: dict[str, str], zone: zoneinfo.ZoneInfo, words: dict[str, str]
) -> str:
    """One agency's latest report: who, when, status, percent and note."""
    percent = f" {report.percent}%" if report.percent is not None else ""
    note = f" — {_trim(report.note, NOTE_LIMIT)}" if report.note else ""
    status = words["done"] if report.status is ReportStatus.DONE else words[str(report.status)]
    day = report.reported_at.astimezone(zone).date().isoformat()
    return f"· {names.get(report.agency, report.agency)} {day} {status}{percent}{note}"


@dataclass(frozen=True)
class TaskPart:
    """What every event of one task shares, written once per task."""

    task: FeedTask
    summary: str
    head: str  # escaped, as are tail and categories
    tail: str
    categories: str
    changed: dt.datetime
    closed_on: dt.date | None
    finished_at: dt.datetime | None


def task_part(
    task: FeedTask, span: LightSpan, reports: Sequence[ReportView], writer: Writer
) -> TaskPart:
    """A task's shared lines: title, description around the label, categories, change time."""
    words = writer.words
    sep = words["sep"]
    zone = zoneinfo.ZoneInfo(task.timezone)
    plan = words["aside"].format(task.plan_code)
    tail: list[str] = []
    if task.schedule_text:
        tail.append(f"{words['schedule']}{sep}{task.schedule_text}")
    tail.extend(line for role in (Role.LEAD, Role.CO) if (line := _units_line(task, role, words)))
    tail.append(
        f"{words['light']}{sep}{LIGHT_MARKS[span.light]} {words[str(span.light)]}"
        f" · {_state_word(task, words)}"
    )
    tail.append(f"{words['reports']}{sep}" + ("" if reports else words["no_reports"]))
    names = {u.name: unit_name(u, words) for u in task.units}
    tail.extend(_report_line(report, names, zone, words) for report in reports)
    if writer.options.bot_url:
        tail.append(f"{words['bot']}{sep}{writer.options.bot_url}")
    lead = next((unit_name(u, words) for u in task.units if u.role is Role.LEAD), None)
    summary = [f"{task.number}.", *([lead] if lead else []), _trim(task.text, SUMMARY_TEXT_LIMIT)]
    if task.plan_label:  # a feed of several plans: which one the task is of
        summary.insert(0, f"{task.plan_label} ·")
    finished = task.finished_at or task.updated_at
    return TaskPart(
        task=task,
        summary=" ".join(summary),
        head=ical.text(f"{words['task']} {task.number}{plan}{sep}{task.text}"),
        tail=ical.text("\n".join(tail)),
        categories=ical.texts([words[str(span.light)], _state_word(task, words)]),
        changed=_task_changed(task, span),
        closed_on=finished.astimezone(zone).date() if task.state is TaskState.CLOSED else None,
        finished_at=None if task.state is TaskState.OPEN else finished,
    )


def _task_changed(task: FeedTask, span: LightSpan) -> dt.datetime:
    """When anything of a task its events show last changed: its rows, or the clock (a light)."""
    # Reports count by their time (the light reads every agency's), not by what they say.
    times = [task.updated_at]
    times.extend(r.reported_at for r in task.reports)
    times.extend(u.created_at for u in task.units)
    if task.removed_at is not None:
        times.append(task.removed_at)
    if span.since is not None:
        times.append(span.since)
    return max(times)


def milestone_component(
    part: TaskPart, milestone: FeedMilestone, writer: Writer
) -> tuple[bytes, dt.datetime]:
    """The VEVENT (or VTODO) of one milestone as content lines, and when it last changed."""
    # Timestamps are written to the second; `changed` keeps its microseconds for the caller.
    words, options, task = writer.words, writer.options, part.task
    removed = milestone.cancelled_at is not None or task.removed_at is not None
    overtaken = not removed and part.closed_on is not None and milestone.on_date > part.closed_on
    changed = max(part.changed, milestone.updated_at)
    summary = f"{part.summary} · {_kind_word(milestone, words)}"
    stamp = ical.utc(changed)
    kind = "VTODO" if options.todo else "VEVENT"
    properties: list[tuple[str, str]] = [
        ("BEGIN", kind),
        ("UID", ical.text(f"milestone-{milestone.id}@{options.uid_domain}")),
        ("DTSTAMP", stamp),
    ]
    if options.todo:
        properties.append(("DUE;VALUE=DATE", ical.date(milestone.on_date)))
        if removed:
            properties.append(("STATUS", "CANCELLED"))
        elif part.finished_at is not None:
            properties += [
                ("STATUS", "COMPLETED"),
                ("COMPLETED", ical.utc(part.finished_at)),
                ("PERCENT-COMPLETE", "100"),
            ]
        else:
            properties.append(("STATUS", "NEEDS-ACTION"))
    else:
        properties += [
            ("DTSTART;VALUE=DATE", ical.date(milestone.on_date)),
            ("DTEND;VALUE=DATE", ical.date(milestone.on_date + dt.timedelta(days=1))),
            ("STATUS", "CANCELLED" if removed or overtaken else "CONFIRMED"),
            ("TRANSP", "TRANSPARENT"),
        ]
    # Clients that ignore STATUS still show the word.
    mark = (
        words["cancelled_mark"]
        if removed
        else words["closed_mark"]
        if overtaken and not options.todo
        else ""
    )
    label = (
        milestone.label if milestone.label and milestone.kind is not MilestoneKind.CUSTOM else ""
    )
    description = (
        f"{part.head}\\n{ical.text(label)}\\n{part.tail}" if label else f"{part.head}\\n{part.tail}"
    )
    properties += [
        ("SUMMARY", ical.text(mark + summary)),
        ("DESCRIPTION", description),
        ("CATEGORIES", part.categories),
        ("LAST-MODIFIED", stamp),
        ("CREATED", ical.utc(milestone.created_at)),
        ("SEQUENCE", str(milestone.sequence)),
    ]
    if options.bot_url:
        properties.append(("URL", options.bot_url))
    if writer.trigger is not None and not (removed or overtaken or part.finished_at):
        properties += [
            ("BEGIN", "VALARM"),
            ("ACTION", "DISPLAY"),
            ("DESCRIPTION", ical.text(f"{words['alarm']}{words['sep']}{summary}")),
            writer.trigger,
            ("END", "VALARM"),
        ]
    properties.append(("END", kind))
    return ical.lines(properties), changed
