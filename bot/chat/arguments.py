"""Reading coordinators' command arguments: task numbers, agencies, roles, dates, free text.

Anything unreadable becomes an InvalidInputError carrying the command's one-line usage,
which the error handler translates into the member's language.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from bot.i18n import N_
from db.enums import Role
from workflows.dates import parse_user_date
from workflows.errors import InvalidInputError
from workflows.overview import TaskFilter

MAX_TASK_NUMBER = 100_000

USAGE_TASKS = N_("Usage: /tasks [AGENCY | red | yellow | green | overdue | silent | open | done]")
USAGE_TASK = N_("Usage: /task N (or PLAN/N), e.g. /task 5")
USAGE_ASSIGN = N_("Usage: /assign N AGENCY [lead|co], e.g. /assign 5 工信部 co")
USAGE_UNASSIGN = N_("Usage: /unassign N AGENCY, e.g. /unassign 5 工信部")
USAGE_DUE = N_("Usage: /due N DATE REASON, e.g. /due 5 2016-06-30 approved extension")
USAGE_MILESTONE = N_("Usage: /milestone N DATE LABEL, e.g. /milestone 5 2016-06-30 draft ready")
USAGE_NUDGE = N_("Usage: /nudge N [AGENCY], e.g. /nudge 5 科技部")
USAGE_AUDIT = N_("Usage: /audit N, e.g. /audit 5")

_TASK_REF = re.compile(r"^(?:([A-Za-z0-9][A-Za-z0-9_.-]*)/)?第?(\d{1,6})[项条]?$")
_ROLES = {
    "lead": Role.LEAD,
    "牵头": Role.LEAD,
    "co": Role.CO,
    "配合": Role.CO,
    "参与": Role.CO,
}
_FILTERS = {
    "all": TaskFilter.ALL,
    "全部": TaskFilter.ALL,
    "open": TaskFilter.OPEN,
    "在办": TaskFilter.OPEN,
    "red": TaskFilter.RED,
    "红": TaskFilter.RED,
    "红灯": TaskFilter.RED,
    "yellow": TaskFilter.YELLOW,
    "黄": TaskFilter.YELLOW,
    "黄灯": TaskFilter.YELLOW,
    "green": TaskFilter.GREEN,
    "绿": TaskFilter.GREEN,
    "绿灯": TaskFilter.GREEN,
    "overdue": TaskFilter.OVERDUE,
    "逾期": TaskFilter.OVERDUE,
    "超期": TaskFilter.OVERDUE,
    "silent": TaskFilter.SILENT,
    "未报告": TaskFilter.SILENT,
    "done": TaskFilter.DONE,
    "完成": TaskFilter.DONE,
    "已完成": TaskFilter.DONE,
}


@dataclass(frozen=True)
class TaskRef:
    """A task as typed: its number, and its plan when several plans have that number."""

    number: int
    plan_code: str | None = None


@dataclass(frozen=True)
class AssignArgs:
    """/assign's arguments."""

    task: TaskRef
    agency: str
    role: Role


@dataclass(frozen=True)
class AgencyArgs:
    """A task and an agency (optional for /nudge)."""

    task: TaskRef
    agency: str | None


@dataclass(frozen=True)
class DatedArgs:
    """A task, a date and a note (the reason of /due, the label of /milestone)."""

    task: TaskRef
    on_date: dt.date
    note: str


@dataclass(frozen=True)
class FilterArgs:
    """/tasks's filter: a named one, or an agency."""

    kind: TaskFilter
    agency: str | None = None


def _clean(text: str) -> str:
    """Full-width forms folded (５ → 5, ／ → /) and outer space removed."""
    return unicodedata.normalize("NFKC", text).strip()


def command_arguments(text: str | None) -> str:
    """The text after a /command (and its @botname)."""
    parts = (text or "").strip().split(maxsplit=1)
    return parts[1] if len(parts) > 1 and parts[0].startswith("/") else ""


def parse_task_ref(text: str) -> TaskRef | None:
    """5, 第5项 or gf-2015-5/5 as a task reference; None when it is not one."""
    match = _TASK_REF.match(_clean(text))
    if match is None:
        return None
    number = int(match.group(2))
    if not 1 <= number <= MAX_TASK_NUMBER:
        return None
    return TaskRef(number, match.group(1))


def parse_role(text: str) -> Role | None:
    """lead / co / 牵头 / 配合 as a role; None when it is not one."""
    return _ROLES.get(_clean(text).lower())


def _words(text: str, usage: str, *, at_least: int) -> list[str]:
    """The words of an argument string as typed, or the usage when there are too few."""
    words = text.split()
    if len(words) < at_least:
        raise InvalidInputError(usage)
    return words


def _task(word: str, usage: str) -> TaskRef:
    """A task reference, or the usage."""
    ref = parse_task_ref(word)
    if ref is None:
        raise InvalidInputError(usage)
    return ref


def task_only(text: str, usage: str) -> TaskRef:
    """The single task of /task, /audit."""
    words = _words(text, usage, at_least=1)
    if len(words) != 1:
        raise InvalidInputError(usage)
    return _task(words[0], usage)


def assign_args(text: str) -> AssignArgs:
    """N AGENCY [ROLE]; the role defaults to co-responsible."""
    words = _words(text, USAGE_ASSIGN, at_least=2)
    task = _task(words[0], USAGE_ASSIGN)
    role = parse_role(words[-1]) if len(words) > 2 else None
    agency = " ".join(words[1:-1] if role is not None else words[1:])
    return AssignArgs(task, agency, role or Role.CO)


def agency_args(text: str, usage: str, *, required: bool) -> AgencyArgs:
    """N AGENCY (/unassign) or N [AGENCY] (/nudge)."""
    words = _words(text, usage, at_least=2 if required else 1)
    return AgencyArgs(_task(words[0], usage), " ".join(words[1:]) or None)


def dated_args(text: str, usage: str, *, today: dt.date) -> DatedArgs:
    """N DATE TEXT; a malformed date is named in the reply."""
    words = _words(text, usage, at_least=3)
    task = _task(words[0], usage)
    on_date = parse_user_date(words[1], today=today)
    return DatedArgs(task, on_date, " ".join(words[2:]))


def filter_args(text: str) -> FilterArgs:
    """A /tasks filter word, or else an agency name."""
    cleaned = " ".join(_clean(text).split())
    if not cleaned:
        return FilterArgs(TaskFilter.ALL)
    kind = _FILTERS.get(cleaned.lower())
    if kind is not None:
        return FilterArgs(kind)
    if len(cleaned) > 64:
        raise InvalidInputError(USAGE_TASKS)
    return FilterArgs(TaskFilter.AGENCY, cleaned)
