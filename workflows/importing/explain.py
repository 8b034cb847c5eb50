"""How each task of an annex file was read: the rule that found it, its units and its dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from workflows.importing.interpret import interpret_annex
from workflows.importing.model import Layout
from workflows.importing.readers import Format, read_annex


@dataclass(frozen=True)
class TaskReading:
    """One task as read: the rule, what was printed for units and schedule, what it became."""

    number: int
    section: str | None
    rule: str
    units_printed: str
    leads: tuple[str, ...]
    co: tuple[str, ...]
    open_list: bool
    schedule_printed: str
    start_on: dt.date | None
    due_on: dt.date | None
    ongoing: bool
    checkpoints: tuple[dt.date, ...]
    flagged: bool
    co_leads: tuple[str, ...] = ()
    guides: tuple[str, ...] = ()
    note: str = ""  # leaders' posts printed beside the units
    recurrence: str | None = None
    reason: str | None = None  # why a flagged schedule waits for a coordinator
    event: str | None = None


@dataclass(frozen=True)
class AnnexReading:
    """A whole file as read, before anything is written: its layout and each task."""

    layout: Layout
    document_number: str | None
    tasks: tuple[TaskReading, ...]


def explain_annex(
    data: bytes,
    *,
    format: Format = "auto",
    filename: str | None = None,
    issued_on: dt.date | None = None,
) -> AnnexReading:
    """Read a file as an import would and say, per task, which rule read it into what."""
    raw = read_annex(data, format=format, filename=filename)
    tasks = interpret_annex(raw, issued_on=issued_on or raw.document.issued_on)
    printed = {task.number: task for task in raw.tasks}
    readings = []
    for task in tasks:
        row = printed[task.number]
        parts = [
            ("lead", row.lead_text),
            ("units", row.units_text),
            ("co", row.co_text),
            ("guide", row.guide_text),
        ]
        readings.append(
            TaskReading(
                number=task.number,
                section=task.section,
                rule=task.rule,
                units_printed="; ".join(f"{name}: {text}" for name, text in parts if text),
                leads=tuple(u.name for u in task.units.units if u.role == "lead"),
                co=tuple(u.name for u in task.units.units if u.role != "lead"),
                open_list=task.units.open_list,
                schedule_printed=task.schedule.text,
                start_on=task.schedule.start_on,
                due_on=task.schedule.due_on,
                ongoing=task.schedule.ongoing,
                checkpoints=task.schedule.checkpoints,
                flagged=task.schedule.flagged,
                co_leads=tuple(u.name for u in task.units.units if u.marker == "co_lead"),
                guides=tuple(u.name for u in task.units.units if u.marker == "guide"),
                note=task.units.note,
                recurrence=task.schedule.recurrence,
                reason=task.schedule.reason,
                event=task.schedule.event,
            )
        )
    return AnnexReading(raw.layout, raw.document.number, tuple(readings))
