"""Reads raw task rows into units with roles and schedules with dates, checking each row."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace

from workflows.errors import AnnexFormatError
from workflows.importing.model import ParsedUnits, RawAnnex, RawTask, Schedule
from workflows.importing.schedule import document_year, parse_schedule
from workflows.importing.units import parse_units


@dataclass(frozen=True)
class AnnexTask:
    """One task read completely: its text, its units and its schedule."""

    line: int
    number: int
    section: str | None
    text: str
    units: ParsedUnits
    schedule: Schedule
    rule: str = ""  # how the reader found the row, for --explain


def interpret_task(
    raw: RawTask,
    *,
    issued_on: dt.date | None,
    units_of: Callable[..., ParsedUnits] = parse_units,
    schedule_of: Callable[..., Schedule] = parse_schedule,
) -> AnnexTask:
    """Read one row's units and schedule; a row without any unit is an error at its line."""
    units = units_of(
        units_text=raw.units_text,
        lead_text=raw.lead_text,
        co_text=raw.co_text,
        guide_text=raw.guide_text,
    )
    if not units.units:
        raise AnnexFormatError(f"task {raw.number} names no responsible unit", line=raw.line)
    if not raw.text.strip():
        raise AnnexFormatError(f"task {raw.number} has no text", line=raw.line)
    return AnnexTask(
        line=raw.line,
        number=raw.number,
        section=raw.section,
        text=raw.text.strip(),
        units=units,
        schedule=schedule_of(raw.schedule_text, issued_on=issued_on),
        rule=raw.rule,
    )


def interpret_annex(annex: RawAnnex, *, issued_on: dt.date | None) -> tuple[AnnexTask, ...]:
    """Read every row of an annex, in order; stops at the first bad row."""
    if not annex.tasks:
        raise AnnexFormatError("no numbered task was found")
    # Annexes repeat unit cells and schedule phrases row after row, and both readings are pure
    # functions of their texts into frozen records: each distinct text is read once.
    units_of = functools.cache(parse_units)
    schedule_of = functools.cache(parse_schedule)
    tasks = tuple(
        interpret_task(raw, issued_on=issued_on, units_of=units_of, schedule_of=schedule_of)
        for raw in annex.tasks
    )
    if not any(raw.schedule_text.strip() for raw in annex.tasks):
        # An annex with no schedule at all: the import says so once, no task is flagged.
        return tuple(replace(task, schedule=Schedule(text="")) for task in tasks)
    year = document_year(number=annex.document.number, title=annex.document.title)
    if issued_on is not None or year is None:
        return tasks
    # Without a signing date, 年内 and 6月底前 are read in the document number's year.
    return tuple(
        replace(task, schedule=schedule_of(raw.schedule_text, issued_on=None, year=year))
        if task.schedule.reason == "no_year"
        else task
        for task, raw in zip(tasks, annex.tasks, strict=True)
    )
