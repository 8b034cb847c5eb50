"""The annex corpus: real documents under tests/fixtures/annexes with hand-checked answers."""

from __future__ import annotations

import datetime as dt
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from workflows.importing.interpret import AnnexTask

ANNEXES = Path(__file__).parents[2] / "fixtures" / "annexes"


@dataclass
class Tally:
    """Tasks read exactly as expected, per document, for the run's summary."""

    exact: dict[str, tuple[int, int, str]] = field(default_factory=dict)


TALLY = pytest.StashKey[Tally]()


@dataclass(frozen=True)
class Document:
    """One corpus document: its text file and its expected answer."""

    name: str
    path: Path
    expected: dict[str, Any]

    @property
    def layout(self) -> str:
        """The layout the expected answer names."""
        return str(self.expected["layout"])


def documents() -> list[Document]:
    """Every corpus document that has an expected answer."""
    found = []
    for answer in sorted(ANNEXES.glob("*.toml")):
        texts = [p for p in ANNEXES.glob(f"{answer.stem}.*") if p.suffix != ".toml"]
        (path,) = texts
        found.append(Document(answer.stem, path, tomllib.loads(answer.read_text("utf-8"))))
    return found


def _names(names: list[str] | tuple[str, ...]) -> list[str]:
    return [unicodedata.normalize("NFKC", name) for name in names]


def differences(task: AnnexTask | None, want: dict[str, Any]) -> list[str]:
    """What differs between a read task and its expected answer (empty when exact)."""
    if task is None:
        return ["task missing"]
    units = task.units.units
    got: dict[str, Any] = {
        "section": task.section,
        "lead": _names([u.name for u in units if u.role == "lead"]),
        "co": _names([u.name for u in units if u.role == "co"]),
        "groups": _names([u.name for u in units if u.is_group]),
        "open": task.units.open_list,
        "due": task.schedule.due_on,
        "start": task.schedule.start_on,
        "ongoing": task.schedule.ongoing,
        "flagged": task.schedule.flagged,
    }
    expected: dict[str, Any] = {
        "lead": _names(want.get("lead", [])),
        "co": _names(want.get("co", [])),
        "open": want.get("open", False),
        "due": want.get("due"),
        "start": want.get("start"),
        "ongoing": want.get("ongoing", False),
        "flagged": want.get("flagged", False),
    }
    if "section" in want:
        expected["section"] = unicodedata.normalize("NFKC", want["section"])
        got["section"] = unicodedata.normalize("NFKC", got["section"] or "")
    if "groups" in want:
        expected["groups"] = _names(want["groups"])
    # What units and schedules mean beyond roles and dates, where an answer says it.
    optional: dict[str, Any] = {
        "co_leads": _names([u.name for u in units if u.marker == "co_lead"]),
        "guides": _names([u.name for u in units if u.marker == "guide"]),
        "note": task.units.note,
        "recurrence": task.schedule.recurrence,
        "reason": task.schedule.reason,
        "event": task.schedule.event,
    }
    for key, value in optional.items():
        if key in want:
            got[key] = value
            expected[key] = _names(want[key]) if isinstance(want[key], list) else want[key]
    return [
        f"{key}: read {got[key]!r}, expected {value!r}"
        for key, value in expected.items()
        if got[key] != value and not (isinstance(value, dt.date) and got[key] == value)
    ]
