"""Plain records passed between the annex readers, the unit and schedule parsers and the writer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Layout = Literal["table", "inline", "labelled", "csv", "xlsx"]
Role = Literal["lead", "co"]
# What a unit's role says beyond lead or co: a second lead (甲、乙牵头) or a guide (甲指导).
Marker = Literal["co_lead", "guide"]


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
    (配合单位, 参与单位, "Y参与"); `guide_text` holds units printed as guides (指导部门).
    Any of them may be empty.
    """

    line: int  # 1-based line (or spreadsheet row) where the task starts
    number: int
    text: str
    units_text: str = ""
    lead_text: str = ""
    co_text: str = ""
    guide_text: str = ""
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
    marker: Marker | None = None  # a lead after the first is a co-lead; 指导 guides (role co)


@dataclass(frozen=True)
class ParsedUnits:
    """A task's units in printed order, leads first, and whether the list is open (等).

    `note` keeps what names people rather than units (分管副省长、协管副秘书长).
    """

    units: tuple[ParsedUnit, ...]
    open_list: bool = False
    note: str = ""


# Why a schedule needs a coordinator: unreadable, empty, tied to an event with no fixed date
# (春节前, 汛期前), a year-less date before the signing date, or no year to read it in.
FlagReason = Literal["unread", "empty", "event", "before_issue", "no_year"]


@dataclass(frozen=True)
class Schedule:
    """A schedule phrase read into dates; `flagged` (with a reason) when it could not be read.

    `ongoing` with a due date means work goes on after it (2016年底前出台，持续推进);
    `recurrence` is a checkpoint rule such as "year" or "quarter" (每年年底前, 每季度).
    """

    text: str
    start_on: dt.date | None = None
    due_on: dt.date | None = None
    ongoing: bool = False
    checkpoints: tuple[dt.date, ...] = field(default=())
    flagged: bool = False
    recurrence: str | None = None
    reason: FlagReason | None = None
    event: str | None = None  # the event a flagged deadline is tied to (春节)
