"""Tables saved from web pages as text: one cell a line, a header of one column name a line.

序号 / 主 要 工 作 任 务 / 责任单位 / 1 / 地区生产总值增长6%左右。 / 市发展改革委 / 2 / ……
Pipe tables (| 序号 | 任务 |) come here too once their pipes are taken off.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from workflows.importing.readers.columns import Kind, kind_of, usable
from workflows.importing.readers.common import Draft, Field
from workflows.importing.readers.text import SECTION_HEADING, is_end_marker, parse_number

_FIELDS: tuple[Kind, ...] = ("text", "lead", "co", "guide", "units", "schedule")
_PIPE_EDGE = re.compile(r"^\s*\|\s*|\s*\|\s*$")
_PIPE_RULE = re.compile(r"[\s|:\-—]+")
_MAX_COLUMNS = 10


@dataclass(frozen=True)
class StackedRead:
    """The rows of a stacked table, its 0-based header start and the index after the table."""

    drafts: list[Draft]
    start: int
    end: int
    columns: list[Kind]


def unpipe(lines: Sequence[str]) -> list[str]:
    """Lines of a pipe or Markdown table with the pipes taken off (cells joined by tabs)."""
    piped = sum(1 for line in lines if line.strip().endswith("|") or line.strip().startswith("|"))
    if piped < 3:
        return list(lines)
    out = []
    for line in lines:
        if "|" not in line:
            out.append(line)
        elif _PIPE_RULE.fullmatch(line):
            out.append("")  # the |---|---| rule under a Markdown header
        else:
            cells = [cell.strip() for cell in _PIPE_EDGE.sub("", line).split("|")]
            out.append("\t".join(cells))
    return out


def find_stacked_header(lines: Sequence[str]) -> tuple[int, list[Kind]] | None:
    """The start and columns of a header printed one column name a line, if there is one."""
    filled = [(i, line.strip()) for i, line in enumerate(lines) if line.strip()]
    for at, (start, first) in enumerate(filled):
        if kind_of(first) != "number":
            continue
        kinds: list[Kind] = ["number"]
        for _, cell in filled[at + 1 : at + _MAX_COLUMNS]:
            kind = kind_of(cell)
            if kind is None:
                break
            kinds.append(kind)
        named = [kind for kind in kinds if kind != "ignore"]
        if usable(kinds) and len(named) == len(set(named)):
            return start, kinds
    return None


def read_stacked(lines: Sequence[str]) -> StackedRead | None:
    """Read a stacked table's rows: a number line, then one line for each other column."""
    header = find_stacked_header(lines)
    if header is None:
        return None
    start, kinds = header
    filled = [(i, line.strip()) for i, line in enumerate(lines) if line.strip() and i > start]
    filled = filled[len(kinds) - 1 :]
    drafts: list[Draft] = []
    section: str | None = None
    end = len(lines)
    at = 0
    while at < len(filled):
        index, line = filled[at]
        if is_end_marker(line):
            end = index
            break
        number = parse_number(line)
        if number is None or number != (drafts[-1].number + 1 if drafts else number):
            if SECTION_HEADING.match(line) and len(line) <= 40:
                section = line
                at += 1
                continue
            end = index
            break
        cells = filled[at + 1 : at + len(kinds)]
        draft = Draft(index + 1, number, section, last_line=index + 1)
        draft.rule = "table, one cell a line: " + " | ".join(kinds)
        for kind, (cell_index, cell) in zip(kinds[1:], cells, strict=False):
            if kind in _FIELDS:
                draft.add(cast(Field, kind), cell, line=cell_index + 1)
        drafts.append(draft)
        at += len(kinds)
    return StackedRead(drafts, start, end, kinds)
