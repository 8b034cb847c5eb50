"""The table layout: an annex table printed as text, a header and one row per task."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import cast

from workflows.errors import AnnexFormatError
from workflows.importing.readers.cells import (
    continues_schedule,
    is_schedule_piece,
    is_unit_name,
    reads_as_units,
    short_phrase,
    starts_schedule,
    text_done,
)
from workflows.importing.readers.columns import Kind, header_line, header_lines
from workflows.importing.readers.common import UNIT_FIELDS, Draft, Field
from workflows.importing.readers.text import (
    SECTION_HEADING,
    is_end_marker,
    is_noise,
    parse_number,
    section_title,
)

_GAP = re.compile(r"[ \u00a0\u3000]{2,}")
_LEADING_NUMBER = re.compile(
    r"[ \u3000]{0,8}([0-9０-９]{1,3})(?:[.．、][ \u3000]*|[ \u3000]+|$)(?![年月日个项%])"
)
_FIELDS: tuple[Kind, ...] = ("text", "lead", "co", "guide", "units", "schedule")
_UNIT_OPEN = ("、", "，", ",")
_PIECES = re.compile(r"[、，,]")


@dataclass(frozen=True)
class TableRead:
    """The rows of a table and where it lies (0-based header index, index after the table)."""

    drafts: list[Draft]
    start: int
    end: int


def find_header(lines: Sequence[str]) -> int | None:
    """The index of the first table header line, if there is one."""
    return next((i for i in range(len(lines)) if _header(lines, i)), None)


def _header(lines: Sequence[str], index: int) -> tuple[list[Kind], int] | None:
    """The columns of a header starting at a line, and how many lines it takes (1 or 2)."""
    if kinds := header_line(lines[index]):
        return kinds, 1
    if index + 1 < len(lines) and (kinds := header_lines(lines[index], lines[index + 1])):
        return kinds, 2
    return None


def read_table(lines: Sequence[str]) -> TableRead:
    """Read the task rows of the first annex table in the lines."""
    start = find_header(lines)
    if start is None:
        raise AnnexFormatError(
            "no table header found (a line with 序号, a task column such as 工作任务 "
            "and a units column such as 负责单位)"
        )
    kinds, size = _header(lines, start) or ([], 1)
    reader = _Table(kinds)
    end = len(lines)
    for index in range(start + size, len(lines)):
        if not reader.feed(lines[index], index + 1):
            end = index
            break
    return TableRead(reader.drafts, start, end)


def cut_by_content(rest: str, fields: Sequence[Field]) -> dict[Field, str]:
    """Cut a row's text (after the number) into cells by what the words read as."""
    tokens = rest.split()
    cells: dict[Field, str] = {}
    end = len(tokens)
    at = _schedule_at(tokens) if "schedule" in fields else None
    if at is not None:
        cells["schedule"] = " ".join(tokens[at:])
        end = at
    units = [name for name in fields if name in (*UNIT_FIELDS, "guide")]
    found: list[str] = []
    while units and end > 1 and len(found) < len(units):
        if not reads_as_units(tokens[end - 1], text_done=True):
            break
        found.insert(0, tokens[end - 1])
        end -= 1
    if units and not found and at is not None and end > 1:
        # The cell just before the schedule is the units cell even when its names look unusual.
        found.append(tokens[end - 1])
        end -= 1
    cells.update(zip(units, found, strict=False))
    cells["text"] = " ".join(tokens[:end])
    return cells


def _completes_name(cell: str, fragment: str) -> bool:
    """Tell whether a fragment finishes a unit name broken across lines (工业和信息化 / 部)."""
    last, first = _PIECES.split(cell[-30:])[-1], _PIECES.split(fragment[:30])[0]
    return bool(last) and not is_unit_name(last) and is_unit_name(last + first)


def _schedule_at(tokens: list[str]) -> int | None:
    for at in range(len(tokens) - 1, 0, -1):
        if starts_schedule(tokens[at]) and short_phrase(tokens[at]):
            if any(reads_as_units(token, text_done=True) for token in tokens[at + 1 :]):
                return None
            while at > 1 and (starts_schedule(tokens[at - 1]) or is_schedule_piece(tokens[at - 1])):
                at -= 1
            return at
    return None


class _Table:
    def __init__(self, kinds: list[Kind]) -> None:
        self.kinds = kinds
        self.fields = [cast(Field, kind) for kind in kinds if kind in _FIELDS]
        self.units = [name for name in self.fields if name in (*UNIT_FIELDS, "guide")]
        self.drafts: list[Draft] = []
        self.section: str | None = None

    def feed(self, raw: str, line: int) -> bool:
        """Take one line; False when the table has ended."""
        text = raw.strip()
        if not text or header_line(text):
            return True
        if self.drafts and is_end_marker(text):
            return False
        if self._start_row(raw, line) or is_noise(text):
            return True
        if SECTION_HEADING.match(text) and len(text) <= 40 and "\t" not in text:
            self.section = section_title(text)
        elif self.drafts:
            self._continue(self.drafts[-1], raw, line)
        return True

    def _start_row(self, raw: str, line: int) -> bool:
        if "\t" in raw:
            cells = raw.rstrip().split("\t")
            at = self.kinds.index("number")
            number = parse_number(cells[at]) if at < len(cells) else None
            if number is None:
                return False
            self._put(self._new(number, line), cells, line)
            return True
        found = _LEADING_NUMBER.match(raw)
        number = parse_number(found.group(1)) if found and self.kinds[0] == "number" else None
        if found is None or number is None:
            return False
        rest = raw[found.end() :].strip()
        expected = self.drafts[-1].number + 1 if self.drafts else 1
        if not rest and number != expected:
            return False  # a lone number that does not follow on is a page or stamp number
        draft = self._new(number, line)
        if rest:
            self._cut(draft, rest, line)
        return True

    def _new(self, number: int, line: int) -> Draft:
        draft = Draft(line=line, number=number, section=self.section, last_line=line)
        draft.rule = "text table, columns " + " | ".join(self.kinds)
        self.drafts.append(draft)
        return draft

    def _put(self, draft: Draft, cells: Sequence[str], line: int) -> None:
        for index, cell in enumerate(cells):
            kind = self.kinds[min(index, len(self.kinds) - 1)]
            if kind in _FIELDS:
                draft.add(cast(Field, kind), cell, line=line)
            elif kind == "section" and cell.strip():
                draft.section = cell.strip()

    def _cut(self, draft: Draft, rest: str, line: int) -> None:
        fragments = _GAP.split(rest.strip())
        if len(fragments) == len(self.kinds) - 1:
            self._put(draft, ["", *fragments], line)
            return
        for name, value in cut_by_content(rest, self.fields).items():
            draft.add(name, value, line=line)

    def _continue(self, draft: Draft, raw: str, line: int) -> None:
        if "\t" in raw:
            self._put(draft, raw.rstrip().split("\t"), line)
        elif draft.only_number():
            self._cut(draft, raw, line)
        else:
            fragments = _GAP.split(raw.strip())
            if 1 < len(fragments) <= len(self.fields):
                for name, fragment in zip(self._spread(draft, fragments), fragments, strict=True):
                    draft.add(name, fragment, line=line)
            else:
                for fragment in fragments:
                    draft.add(self._target(draft, fragment), fragment, line=line)

    def _spread(self, draft: Draft, fragments: list[str]) -> list[Field]:
        """The cells, left to right, that fit the fragments of one wrapped line best."""
        best = max(
            combinations(range(len(self.fields)), len(fragments)),
            key=lambda picked: sum(
                self._fit(draft, self.fields[at], fragment)
                for at, fragment in zip(picked, fragments, strict=True)
            ),
        )
        return [self.fields[at] for at in best]

    def _fit(self, draft: Draft, name: Field, fragment: str) -> int:
        schedule = continues_schedule(draft.get("schedule"), fragment) or (
            starts_schedule(fragment) and short_phrase(fragment)
        )
        if name == "schedule":
            return 2 if schedule else 0
        units = reads_as_units(fragment, text_done=True)
        if name == "text":
            return 0 if units or schedule else 1
        cell = draft.get(name)
        if units or _completes_name(cell, fragment):
            return 2
        return 1 if cell.endswith(_UNIT_OPEN) else 0

    def _target(self, draft: Draft, fragment: str) -> Field:
        """The cell a wrapped fragment without tabs belongs to."""
        filled = [name for name in reversed(self.units) if draft.get(name)]
        for name in filled:
            cell = draft.get(name)
            if cell.endswith(_UNIT_OPEN):
                return name
            if _completes_name(cell, fragment):
                return name
        if "schedule" in self.fields:
            schedule = draft.get("schedule")
            if continues_schedule(schedule, fragment):
                return "schedule"
            if not schedule and filled and starts_schedule(fragment) and short_phrase(fragment):
                return "schedule"
        if self.units and reads_as_units(fragment, text_done=text_done(draft.get("text"))):
            return filled[0] if filled else self.units[0]
        return "text"
