"""Task rows while a reader fills them in, and the checks every layout shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from workflows.errors import AnnexFormatError
from workflows.importing.model import RawTask
from workflows.importing.readers.text import join_text

Field = Literal["text", "units", "lead", "co", "guide", "schedule"]
# Fields that name units who answer for a task; a guide (指导) alone answers for none.
UNIT_FIELDS: tuple[Field, ...] = ("lead", "units", "co")
_UNIT_TRIM = " 　；;，,。、"


@dataclass
class Draft:
    """A task row being assembled from one or more lines."""

    line: int
    number: int
    section: str | None = None
    cells: dict[Field, str] = field(default_factory=dict)
    last_line: int = 0
    marked: bool = False  # the row carries a responsibility marker (a parenthetical or a label)
    rule: str = ""  # how the row was read, for --explain: layout, numbering, note

    def get(self, name: Field) -> str:
        """The text gathered so far for one cell."""
        return self.cells.get(name, "")

    def add(self, name: Field, fragment: str, *, line: int | None = None, sep: str = "") -> None:
        """Append a wrapped fragment to a cell (with `sep` between separate phrases)."""
        fragment = fragment.strip()
        if fragment:
            old = self.get(name)
            self.cells[name] = old + sep + fragment if old and sep else join_text(old, fragment)
        self.last_line = max(self.last_line, line or self.line)

    def has_units(self) -> bool:
        """Tell whether any units cell has text."""
        return any(self.get(name).strip(_UNIT_TRIM) for name in UNIT_FIELDS)

    def only_number(self) -> bool:
        """Tell whether nothing but the number has been read yet."""
        return not any(self.cells.values())


def finish(drafts: list[Draft], layout: str) -> tuple[RawTask, ...]:
    """Check the drafts (numbers unique, text and units present) and freeze them as tasks."""
    if not drafts:
        raise AnnexFormatError(f"no numbered task found in the {layout} layout")
    seen: dict[int, int] = {}
    tasks: list[RawTask] = []
    for draft in drafts:
        number = draft.number
        if number in seen:
            raise AnnexFormatError(
                f"task {number} appears twice (lines {seen[number]} and {draft.line})",
                line=draft.line,
            )
        seen[number] = draft.line
        if not draft.get("text").strip():
            raise AnnexFormatError(f"task {number} has no task text", line=draft.line)
        if not draft.has_units():
            raise AnnexFormatError(f"task {number} names no responsible unit", line=draft.line)
        tasks.append(
            RawTask(
                line=draft.line,
                number=number,
                text=draft.get("text").strip(),
                units_text=draft.get("units").strip(_UNIT_TRIM),
                lead_text=draft.get("lead").strip(_UNIT_TRIM),
                co_text=draft.get("co").strip(_UNIT_TRIM),
                guide_text=draft.get("guide").strip(_UNIT_TRIM),
                schedule_text=draft.get("schedule").strip(_UNIT_TRIM),
                section=draft.section,
                rule=draft.rule,
            )
        )
    return tuple(tasks)


def task_span(drafts: list[Draft]) -> list[Draft]:
    """The drafts from the first marked one to the last; numbered paragraphs around are preamble."""
    marked = [i for i, draft in enumerate(drafts) if draft.marked]
    return drafts[marked[0] : marked[-1] + 1] if marked else []
