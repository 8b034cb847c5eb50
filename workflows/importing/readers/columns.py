"""Column names of annex tables and spreadsheets, and what each column holds."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

Kind = Literal["number", "text", "lead", "co", "guide", "units", "schedule", "section", "ignore"]

_NAMES: dict[Kind, tuple[str, ...]] = {
    "number": ("序号", "编号", "no", "number", "num", "#"),
    "text": (
        "工作任务",
        "重点任务",
        "主要任务",
        "具体任务",
        "任务内容",
        "工作内容",
        "重点工作",
        "主要工作任务",
        "重点工作任务",
        "改革举措",
        "主要内容",
        "具体措施",
        "工作措施",
        "目标任务",
        "任务",
        "task",
        "tasks",
        "worktask",
        "description",
    ),
    "lead": (
        "牵头单位",
        "牵头部门",
        "牵头负责部门",
        "牵头负责单位",
        "lead",
        "leadunit",
        "leadunits",
        "leadagency",
    ),
    "co": (
        "配合单位",
        "参与单位",
        "配合部门",
        "参与部门",
        "协办单位",
        "协同单位",
        "co",
        "coresponsible",
        "counits",
        "coresponsibleunits",
        "cooperating",
        "participating",
    ),
    # Units that guide the work (指导, a role of its own): neither lead nor co-responsible.
    "guide": ("指导部门", "指导单位", "guide", "guides", "guidingunits"),
    "units": (
        "负责单位",
        "责任单位",
        "负责部门",
        "责任部门",
        "承办单位",
        "主要责任单位",
        "units",
        "unit",
        "responsible",
        "responsibleunits",
        "agencies",
    ),
    "schedule": (
        "时间进度",
        "完成时限",
        "完成时间",
        "进度安排",
        "时间安排",
        "完成期限",
        "时限要求",
        "时间节点",
        "完成时间节点",
        "schedule",
        "deadline",
        "due",
        "duedate",
        "timeline",
        "timeframe",
    ),
    "section": ("类别", "分类", "section", "category"),
    "ignore": (
        "备注",
        "说明",
        "推广范围",
        "责任领导",
        "牵头领导",
        "分管领导",
        "责任人",
        "note",
        "notes",
        "remark",
        "remarks",
        "status",
    ),
}
_BY_NAME: dict[str, Kind] = {name: kind for kind, names in _NAMES.items() for name in names}
_LONGEST_FIRST = sorted(_BY_NAME, key=len, reverse=True)
_ALTERNATION = "|".join(re.escape(name) for name in _LONGEST_FIRST)
_LINE = re.compile(f"(?:{_ALTERNATION})+")
_TOKEN = re.compile(_ALTERNATION)
_STRIP = re.compile(r"[\s._\-:：/*]+")


def normalise(name: str) -> str:
    """A column name folded for matching: no spaces or punctuation, lower case."""
    return _STRIP.sub("", name).casefold()


def kind_of(cell: str) -> Kind | None:
    """What a spreadsheet header cell names (负责单位 → units, Deadline → schedule), if anything."""
    name = normalise(cell)
    if name in _BY_NAME:
        return _BY_NAME[name]
    for known in _LONGEST_FIRST:
        # A remark after the name, as in 负责单位（列第一位者牵头）or Deadline (planned).
        if len(known.encode()) >= 4 and name.startswith(known) and name[len(known)] in "（(":
            return _BY_NAME[known]
    return None


def first_text_only(kinds: Sequence[Kind | None]) -> list[Kind | None]:
    """The columns with only the first task column kept (主要任务 beside 具体措施)."""
    seen = False
    out: list[Kind | None] = []
    for kind in kinds:
        out.append("ignore" if kind == "text" and seen else kind)
        seen = seen or kind == "text"
    return out


def usable(kinds: Sequence[Kind | None]) -> bool:
    """Tell whether a header names a task column and at least one units column."""
    return "text" in kinds and any(kind in kinds for kind in ("lead", "co", "units"))


def merge_cells(first: Sequence[str], second: Sequence[str]) -> list[str] | None:
    """A header printed over two rows (重点 / 任务, 牵头 / 单位), joined cell by cell.

    The second row may lack the first cell (序号 printed once, over both rows). Rows of fewer
    than three cells (a number, a task and units) are not a table's header.
    """
    if len(first) < 3:
        return None
    if len(second) == len(first) - 1:
        second = ["", *second]
    if len(second) != len(first) or not any(cell.strip() for cell in second):
        return None
    return [top.strip() + bottom.strip() for top, bottom in zip(first, second, strict=True)]


def header_lines(first: str, second: str) -> list[Kind] | None:
    """The columns of a text table header printed over two lines, else None."""
    if header_line(first) or header_line(second) or len(first) > 80 or len(second) > 80:
        return None
    split = (lambda line: line.strip("\n").split("\t")) if "\t" in first else str.split
    merged = merge_cells(split(first), split(second))
    return header_line("\t".join(merged)) if merged else None


def header_line(line: str) -> list[Kind] | None:
    """The columns of a text table header such as 序号 工作任务 负责单位 时间进度, else None."""
    compact = normalise(line)
    if len(compact) > 80:
        return None
    if _LINE.fullmatch(compact):
        kinds: list[Kind] = [_BY_NAME[token] for token in _TOKEN.findall(compact)]
    else:
        # Columns the reader does not use (进展情况, 完成标志 …) can sit between known ones.
        cells = line.split()
        if len(cells) > 10:
            return None
        known = [kind_of(cell) for cell in cells]
        if sum(kind is None for kind in known) > 2:
            return None
        kinds = [kind or "ignore" for kind in known]
    kinds = [kind or "ignore" for kind in first_text_only(kinds)]
    named = [kind for kind in kinds if kind != "ignore"]
    if "number" not in kinds or not usable(kinds) or len(named) != len(set(named)):
        return None
    return kinds
