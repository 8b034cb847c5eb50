"""The inline layout: numbered paragraphs ending with who is responsible and by when.

7.建立共享目录。……。（甲部、乙局负责，2016年底前完成）
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from workflows.importing.readers.cells import reads_as_units, starts_schedule
from workflows.importing.readers.common import Draft, Field, task_span
from workflows.importing.readers.text import (
    SECTION_HEADING,
    is_end_marker,
    is_noise,
    join_text,
    match_task_number,
    section_title,
)

_ROLE = re.compile(r"负责|牵头|参与|配合")
_ROLE_END = re.compile(
    r"(?:按照?职责分工|分别|共同|具体)?(负责|牵头|参与|配合)(?:落实|实施|推进)?$"
)
_NOTE = re.compile(r"第一位|排.{0,2}第一|下同")
_ROLE_FIELD: dict[str, Field] = {"负责": "units", "牵头": "lead", "参与": "co", "配合": "co"}
_PARTS = re.compile(r"[，,；;]")
_TRAILING = "。；;.，, \u3000"
_LONGEST_PARENTHETICAL = 200


@dataclass
class _Paragraph:
    line: int
    number: int
    style: str
    section: str | None
    text: str
    last_line: int
    closed: bool = False  # its responsibility parenthetical has been read


def read_inline(lines: Sequence[str]) -> list[Draft]:
    """Read the numbered task paragraphs, from the first that names its units to the last."""
    return task_span([_draft(paragraph) for paragraph in _paragraphs(lines)])


def split_parenthetical(text: str) -> tuple[str, str] | None:
    """Split text ending with a responsibility parenthetical into (text before, its content)."""
    body = text.rstrip(_TRAILING)
    if not body.endswith(("）", ")")) or max(body.rfind("（"), body.rfind("(")) < 0:
        return None
    depth = 0
    for at in range(len(body) - 1, max(-1, len(body) - _LONGEST_PARENTHETICAL), -1):
        if body[at] in "）)":
            depth += 1
        elif body[at] in "（(":
            depth -= 1
            if depth == 0:
                inner = body[at + 1 : -1]
                return (body[:at].rstrip(), inner) if _ROLE.search(inner) else None
    return None


def _paragraphs(lines: Sequence[str]) -> list[_Paragraph]:
    paragraphs: list[_Paragraph] = []
    section: str | None = None
    current: _Paragraph | None = None
    for index, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or is_noise(line):
            continue
        if is_end_marker(line):
            break
        numbered = match_task_number(line, ("dot", "paren"))
        if numbered and current and not current.closed and numbered[1] != current.style:
            numbered = None  # a sub-item such as （1） inside a task numbered 1.
        if numbered:
            number, style, rest = numbered
            current = _Paragraph(index, number, style, section, rest.strip(), index)
            paragraphs.append(current)
        elif SECTION_HEADING.match(line):
            section, current = section_title(line), None
            continue
        elif current and not current.closed:
            current.text, current.last_line = join_text(current.text, line), index
        else:
            continue
        current.closed = split_parenthetical(current.text[-_LONGEST_PARENTHETICAL:]) is not None
    return paragraphs


def _draft(paragraph: _Paragraph) -> Draft:
    draft = Draft(
        paragraph.line, paragraph.number, paragraph.section, last_line=paragraph.last_line
    )
    split = split_parenthetical(paragraph.text)
    if split is None:
        draft.add("text", paragraph.text)
        return draft
    body, inner = split
    draft.add("text", body)
    draft.marked = True
    pending: list[str] = []
    for part in (part.strip() for part in _PARTS.split(inner)):
        if not part or _NOTE.search(part):
            continue
        role = _ROLE_END.search(part)
        if role:
            names = "，".join([*pending, part[: role.start()].strip()]).strip("，")
            pending = []
            _assign(draft, _ROLE_FIELD[role.group(1)], names)
        elif starts_schedule(part):
            draft.add("schedule", part, sep="，")
        else:
            pending.append(part)
    for part in pending:
        name: Field = "units" if reads_as_units(part, text_done=True) else "schedule"
        draft.add(name, part, sep="，")
    return draft


def _assign(draft: Draft, name: Field, names: str) -> None:
    if "会同" in names:
        # 甲部会同乙局负责: the first leads, the others work with it.
        lead, _, co = names.partition("会同")
        draft.add("lead", lead, sep="、")
        draft.add("co", co, sep="、")
    else:
        draft.add(name, names, sep="，")
