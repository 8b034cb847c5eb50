"""Plain records passed between the annex readers, the unit and schedule parsers and the writer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Layout = Literal["table", "inline", "labelled", "csv", "xlsx"]
Role = Literal["lead", "co"]


@dataclass(frozen=True)
class DocumentInfo:
    """What the document's head says about itself (any part may be missing)."""

    number: str | None = None  # 国发〔2015〕5号
    title: str | None = None  # 国务院关于……的意见
    issued_on: dt.date | None = None  # the signing date, 2015年1月6日


@dataclass(frozen=True)
class RawTask:
    """One task as a layout printed it, before its units and schedule are read.

    `lead_text` holds units printed as leads (a 牵头单位 column or label, "X牵头");
    `units_text` holds units where the first listed leads unless one is marked
    (负责单位, 责任单位, "X、Y负责"); `co_text` holds units printed as co-responsible
    (配合单位, 参与单位, "Y参与"). Any of them may be empty.
    """

    line: int  # 1-based line (or spreadsheet row) where the task starts
    number: int
    text: str
    units_text: str = ""
    lead_text: str = ""
    co_text: str = ""
    schedule_text: str = ""
    section: str | None = None
    # How the reader found it (layout, numbering, which note or column), for --explain.
    rule: str = field(default="", compare=False)


@dataclass(frozen=True)
class RawAnnex:
    """An annex as read from a file: its layout, the document's head and the task rows."""

    layout: Layout
    document: DocumentInfo
    tasks: tuple[RawTask, ...]


@dataclass(frozen=True)
class ParsedUnit:
    """One responsible unit as printed, with its role."""

    name: str  # cleaned of markers such as 等 and （牵头）
    role: Role
    is_group: bool = False  # 地方各级人民政府, 国务院各部门 … (a group, not one agency)


@dataclass(frozen=True)
class ParsedUnits:
    """A task's units in printed order, leads first, and whether the list is open (等)."""

    units: tuple[ParsedUnit, ...]
    open_list: bool = False


@dataclass(frozen=True)
class Schedule:
    """A schedule phrase read into dates; `flagged` when it could not be read."""

    text: str
    start_on: dt.date | None = None
    due_on: dt.date | None = None
    ongoing: bool = False
    checkpoints: tuple[dt.date, ...] = field(default=())
    flagged: bool = False
