"""The labelled layout: numbered task lines followed by 牵头单位：… 完成时限：… lines."""

from __future__ import annotations

import re
from collections.abc import Sequence

from workflows.importing.readers.common import Draft, Field, task_span
from workflows.importing.readers.text import (
    SECTION_HEADING,
    is_end_marker,
    is_noise,
    match_task_number,
    section_title,
)

_LABELS: dict[str, Field] = {
    "牵头单位": "lead",
    "牵头部门": "lead",
    "责任单位": "units",
    "负责单位": "units",
    "责任部门": "units",
    "负责部门": "units",
    "配合单位": "co",
    "参与单位": "co",
    "配合部门": "co",
    "参与部门": "co",
    "协办单位": "co",
    "完成时限": "schedule",
    "时间进度": "schedule",
    "完成时间": "schedule",
    "进度安排": "schedule",
    "时间安排": "schedule",
    "完成期限": "schedule",
    "工作任务": "text",
    "任务内容": "text",
}
_LABEL = re.compile(r"[【\[]?(" + "|".join(_LABELS) + r")[】\]]?\s*[:：]")


def read_labelled(lines: Sequence[str]) -> list[Draft]:
    """Read numbered tasks and their labelled lines, from the first labelled task to the last."""
    drafts: list[Draft] = []
    section: str | None = None
    current: Draft | None = None
    field: Field | None = None
    style = ""
    for index, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            # A blank line ends a labelled value; task text may run on across a page break.
            field = field if field == "text" else None
            continue
        if is_noise(line):
            continue
        if is_end_marker(line):
            break
        numbered = match_task_number(line, ("dot", "paren"))
        if numbered and current and not current.marked and numbered[1] != style:
            numbered = None  # a sub-item such as （1） in the text of a task numbered 1.
        if numbered:
            number, style, line = numbered
            current, field = Draft(index, number, section, last_line=index), "text"
            drafts.append(current)
        elif SECTION_HEADING.match(line) and not _LABEL.search(line):
            section, current, field = section_title(line), None, None
            continue
        if current is not None:
            field = _take(current, line, field, index)
    return task_span(drafts)


def _take(draft: Draft, line: str, field: Field | None, index: int) -> Field | None:
    """Put a line's text into the current field and the fields its labels open."""
    at = 0
    for found in _LABEL.finditer(line):
        if field is not None:
            draft.add(field, line[at : found.start()], line=index)
        field = _LABELS[found.group(1)]
        draft.marked = draft.marked or field != "text"
        at = found.end()
    if field is not None:
        draft.add(field, line[at:], line=index)
    return field
