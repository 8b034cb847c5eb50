"""Calendar feeds: one all-day event (or to-do) per milestone, for a plan, agency, task or member.

Everything that goes into a feed comes from the database, so the same data gives the same
bytes: UIDs come from milestone ids, DTSTAMP and LAST-MODIFIED from the rows' update times,
SEQUENCE from the milestone's edit count. Only the light depends on today's date.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from icalendar import Alarm, Calendar, Component, Event, Todo, vDuration
from icalendar.enums import STATUS, TRANSP
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import FeedScope, MemberRole, MilestoneKind, ReportStatus, Role, TaskState
from db.models import Agency, Assignment, Member, Milestone, Plan, Task
from workflows.errors import NotFoundError
from workflows.lights import Light
from workflows.status import TaskStatus, task_statuses

PRODID = "-//annexbot//calendar feeds 1.0//ZH"
UID_DOMAIN = "annexbot"
REFRESH_INTERVAL = dt.timedelta(hours=1)
SUMMARY_TEXT_LIMIT = 24
ALARM_HOUR = 9
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "start": "启动",
        "checkpoint": "年度节点",
        "due": "完成时限",
        "custom": "节点",
        "red": "红灯",
        "yellow": "黄灯",
        "green": "绿灯",
        "open": "推进中",
        "done": "已完成待审核",
        "closed": "已办结",
        "removed": "已取消",
        "on_track": "正常推进",
        "at_risk": "存在风险",
        "blocked": "受阻",
        "lead": "牵头",
        "co": "配合",
        "and_others": "等",
        "task": "任务",
        "schedule": "时间进度",
        "light": "状态",
        "reports": "最新报告",
        "no_reports": "尚无报告",
        "plan": "全部任务",
        "member": "我的任务",
        "bot": "机器人",
        "alarm": "即将到期",
        "sep": "：",
        "list_sep": "、",
    },
    "en": {
        "start": "start",
        "checkpoint": "checkpoint",
        "due": "due",
        "custom": "milestone",
        "red": "red",
        "yellow": "yellow",
        "green": "green",
        "open": "in progress",
        "done": "done, awaiting review",
        "closed": "closed",
        "removed": "cancelled",
        "on_track": "on track",
        "at_risk": "at risk",
        "blocked": "blocked",
        "lead": "lead",
        "co": "co-responsible",
        "and_others": "and others",
        "task": "Task",
        "schedule": "Schedule",
        "light": "Status",
        "reports": "Latest reports",
        "no_reports": "no reports yet",
        "plan": "all tasks",
        "member": "my tasks",
        "bot": "Bot",
        "alarm": "Coming up",
        "sep": ": ",
        "list_sep": ", ",
    },
}

LIGHT_MARKS = {Light.RED: "🔴", Light.YELLOW: "🟡", Light.GREEN: "🟢"}


@dataclass(frozen=True)
class FeedSource:
    """What a feed covers: a scope and the ids that pin it down."""

    scope: FeedScope
    plan_id: int | None = None
    agency_id: int | None = None
    task_id: int | None = None
    member_id: int | None = None


@dataclass(frozen=True)
class Feed:
    """A built calendar: its bytes, when its data last changed, and its name."""

    body: bytes
    last_modified: dt.datetime
    name: str
    events: int


@dataclass(frozen=True)
class _Selection:
    """The tasks of a feed, and what the calendar is called."""

    tasks: Sequence[Task]
    name: str
    uid: str
    timezone: str
    changed: dt.datetime


def _labels(language: str) -> dict[str, str]:
    """The words of a feed in a language (Chinese unless English is asked for)."""
    return LABELS["en" if language == "en" else "zh"]


async def _tasks(session: AsyncSession, *conditions: object) -> Sequence[Task]:
    """The tasks matching conditions, in plan and number order."""
    query = (
        select(Task)
        .join(Plan)
        .where(*conditions)  # type: ignore[arg-type]
        .options(
            selectinload(Task.plan),
            selectinload(Task.assignments).selectinload(Assignment.agency),
            selectinload(Task.milestones),
        )
        .order_by(Plan.code, Task.number)
    )
    return (await session.scalars(query)).all()


def _plan_name(plan: Plan) -> str:
    """A plan as a calendar name shows it: its document number, else its code."""
    return plan.document_number or plan.code


async def _only_plan(session: AsyncSession) -> Plan:
    """The one plan in the database; several or none is an error."""
    plans = (await session.scalars(select(Plan).order_by(Plan.code).limit(2))).all()
    if not plans:
        raise NotFoundError("There is no plan yet.")
    if len(plans) > 1:
        raise NotFoundError("There are several plans; name one.")
    return plans[0]


async def _plan_by_code(session: AsyncSession, code: str) -> Plan:
    """A plan by its code."""
    plan = await session.scalar(select(Plan).where(Plan.code == code))
    if plan is None:
        raise NotFoundError("There is no plan called “{code}”.", code=code)
    return plan


async def _select(session: AsyncSession, source: FeedSource, words: dict[str, str]) -> _Selection:
    """Load the tasks of a feed source and name the calendar."""
    plan = await session.get(Plan, source.plan_id) if source.plan_id is not None else None
    if source.plan_id is not None and plan is None:
        raise NotFoundError("This feed no longer exists.")
    in_plan = [Task.plan_id == plan.id] if plan is not None else []
    prefix = f"{_plan_name(plan)} · " if plan is not None else ""
    changed = plan.updated_at if plan is not None else EPOCH
    if source.scope is FeedScope.PLAN:
        if plan is None:
            raise NotFoundError("This feed no longer exists.")
        return _Selection(
            await _tasks(session, *in_plan),
            f"{_plan_name(plan)} · {words['plan']}",
            f"plan-{plan.id}@{UID_DOMAIN}",
            plan.timezone,
            changed,
        )
    if source.scope is FeedScope.AGENCY:
        agency = await session.get(Agency, source.agency_id) if source.agency_id else None
        if agency is None:
            raise NotFoundError("This feed no longer exists.")
        tasks = await _tasks(
            session,
            *in_plan,
            Task.id.in_(select(Assignment.task_id).where(Assignment.agency_id == agency.id)),
        )
        return _Selection(
            tasks,
            f"{prefix}{agency.name}",
            f"agency-{agency.id}-{source.plan_id or 0}@{UID_DOMAIN}",
            _timezone(tasks, plan),
            max(changed, agency.created_at),
        )
    if source.scope is FeedScope.TASK:
        tasks = await _tasks(session, Task.id == source.task_id)
        if not tasks:
            raise NotFoundError("This feed no longer exists.")
        task = tasks[0]
        return _Selection(
            tasks,
            f"{_plan_name(task.plan)} · {words['task']} {task.number}",
            f"task-{task.id}@{UID_DOMAIN}",
            task.plan.timezone,
            task.plan.updated_at,
        )
    member = await session.get(Member, source.member_id) if source.member_id else None
    if member is None or member.left_at is not None:
        raise NotFoundError("This feed no longer exists.")
    mine = (
        []
        if member.role is MemberRole.COORDINATOR and member.agency_id is None
        else [
            Task.id.in_(select(Assignment.task_id).where(Assignment.agency_id == member.agency_id))
        ]
    )
    tasks = await _tasks(session, *in_plan, *mine)
    return _Selection(
        tasks,
        f"{prefix}{words['member']}",
        f"member-{member.id}-{source.plan_id or 0}@{UID_DOMAIN}",
        _timezone(tasks, plan),
        max(changed, member.created_at),
    )


def _timezone(tasks: Sequence[Task], plan: Plan | None) -> str:
    """The timezone a feed announces: its plan's, else its first task's plan's."""
    if plan is not None:
        return plan.timezone
    return tasks[0].plan.timezone if tasks else "Asia/Shanghai"


def _trim(text: str, limit: int) -> str:
    """Text cut to a limit, with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lead(task: Task) -> str | None:
    """The name of a task's (first) lead unit."""
    return next((a.agency.name for a in task.assignments if a.role is Role.LEAD), None)


def _kind_word(milestone: Milestone, words: dict[str, str]) -> str:
    """What a milestone marks, as a word; a custom milestone's own label wins."""
    if milestone.label and milestone.kind is MilestoneKind.CUSTOM:
        return milestone.label
    word = words[str(milestone.kind)]
    if milestone.kind is MilestoneKind.CHECKPOINT:
        return (
            f"{milestone.on_date.year}{word}"
            if words is LABELS["zh"]
            else f"{word} {milestone.on_date.year}"
        )
    return word


def _summary(task: Task, milestone: Milestone, words: dict[str, str]) -> str:
    """Task number, lead unit, trimmed text and kind, to scan at a glance."""
    lead = _lead(task)
    parts = [f"{task.number}.", *([lead] if lead else []), _trim(task.text, SUMMARY_TEXT_LIMIT)]
    return f"{' '.join(parts)} · {_kind_word(milestone, words)}"


def _state_word(task: Task, words: dict[str, str]) -> str:
    """A task's state as a word; removed tasks are cancelled."""
    return words["removed"] if task.removed_at is not None else words[str(task.state)]


def _units_line(task: Task, role: Role, words: dict[str, str]) -> str | None:
    """The units of one role with full names, or None when there are none."""
    names = [
        a.agency.name
        + (
            f"（{a.agency.full_name}）"
            if a.agency.full_name and a.agency.full_name != a.agency.name
            else ""
        )
        for a in task.assignments
        if a.role is role
    ]
    if not names:
        return None
    more = words["and_others"] if role is Role.CO and task.units_open else ""
    return f"{words[str(role)]}{words['sep']}{words['list_sep'].join(names)}{more}"


def _description(
    task: Task, milestone: Milestone, status: TaskStatus, words: dict[str, str], bot_url: str
) -> str:
    """The full task, its units with roles, the light and each agency's latest report."""
    lines = [f"{words['task']} {task.number}（{task.plan.code}）{words['sep']}{task.text}"]
    if milestone.label and milestone.kind is not MilestoneKind.CUSTOM:
        lines.append(milestone.label)
    if task.schedule_text:
        lines.append(f"{words['schedule']}{words['sep']}{task.schedule_text}")
    lines.extend(line for role in (Role.LEAD, Role.CO) if (line := _units_line(task, role, words)))
    lines.append(
        f"{words['light']}{words['sep']}{LIGHT_MARKS[status.light]} {words[str(status.light)]}"
        f" · {_state_word(task, words)}"
    )
    lines.append(
        f"{words['reports']}{words['sep']}" + ("" if status.reports else words["no_reports"])
    )
    zone = zoneinfo.ZoneInfo(task.plan.timezone)
    for report in status.reports:
        percent = f" {report.percent}%" if report.percent is not None else ""
        note = f" — {_trim(report.note, 200)}" if report.note else ""
        status_word = words.get(str(report.status), str(report.status))
        if report.status is ReportStatus.DONE:
            status_word = words["done"]
        lines.append(
            f"· {report.agency} {report.reported_at.astimezone(zone).date().isoformat()}"
            f" {status_word}{percent}{note}"
        )
    if bot_url:
        lines.append(f"{words['bot']}{words['sep']}{bot_url}")
    return "\n".join(lines)


def _changed(task: Task, milestone: Milestone, status: TaskStatus) -> dt.datetime:
    """When anything an event shows last changed, from the database."""
    times = [milestone.updated_at, task.updated_at]
    times.extend(r.reported_at for r in status.reports)
    times.extend(a.created_at for a in task.assignments)
    if task.removed_at is not None:
        times.append(task.removed_at)
    return max(times).astimezone(dt.UTC).replace(microsecond=0)


def _alarm(days: int, words: dict[str, str], summary: str) -> Alarm:
    """A display alarm at 09:00 local, `days` days before the all-day milestone."""
    alarm = Alarm.new(description=f"{words['alarm']}{words['sep']}{summary}")
    alarm.add("ACTION", "DISPLAY")
    alarm.add("TRIGGER", dt.timedelta(days=-days, hours=ALARM_HOUR))
    return alarm


def _component(
    task: Task,
    milestone: Milestone,
    status: TaskStatus,
    *,
    words: dict[str, str],
    bot_url: str,
    todo: bool,
    alarm_days: int | None,
) -> tuple[Component, dt.datetime]:
    """The VEVENT (or VTODO) of one milestone, and when it last changed."""
    cancelled = milestone.cancelled_at is not None or task.removed_at is not None
    changed = _changed(task, milestone, status)
    summary = _summary(task, milestone, words)
    uid = f"milestone-{milestone.id}@{UID_DOMAIN}"
    component: Component
    if todo:
        finished = task.state is not TaskState.OPEN
        component = Todo.new(
            uid=uid,
            stamp=changed,
            status=STATUS.CANCELLED
            if cancelled
            else STATUS.COMPLETED
            if finished
            else STATUS.NEEDS_ACTION,
        )
        component.add("DUE", milestone.on_date)
    else:
        component = Event.new(
            uid=uid,
            stamp=changed,
            start=milestone.on_date,
            end=milestone.on_date + dt.timedelta(days=1),
            status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
            transparency=TRANSP.TRANSPARENT,
        )
    component.add("SUMMARY", summary)
    component.add("DESCRIPTION", _description(task, milestone, status, words, bot_url))
    component.add("CATEGORIES", [words[str(status.light)], _state_word(task, words)])
    component.add("LAST-MODIFIED", changed)
    component.add("CREATED", milestone.created_at.astimezone(dt.UTC).replace(microsecond=0))
    component.add("SEQUENCE", milestone.sequence)
    if bot_url:
        component.add("URL", bot_url)
    if alarm_days is not None and not cancelled:
        component.add_component(_alarm(alarm_days, words, summary))
    return component, changed


class FeedCache:
    """Built feeds by everything they show, so an unchanged feed (a 304 too) skips icalendar.

    Building is mostly icalendar's work (seconds for 10,000 events); reading the data is not.
    """

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._feeds: OrderedDict[Hashable, Feed] = OrderedDict()

    def __len__(self) -> int:
        return len(self._feeds)

    def get(self, key: Hashable) -> Feed | None:
        """A feed built from the same data and options, if one is kept."""
        feed = self._feeds.get(key)
        if feed is not None:
            self._feeds.move_to_end(key)
        return feed

    def put(self, key: Hashable, feed: Feed) -> None:
        """Keep a feed, forgetting the least recently used beyond the size."""
        self._feeds[key] = feed
        self._feeds.move_to_end(key)
        while len(self._feeds) > self.size:
            self._feeds.popitem(last=False)


def _fingerprint(selection: _Selection, statuses: dict[int, TaskStatus]) -> Hashable:
    """Everything of the selected data an event shows (lights and reports included)."""
    return (
        selection.name,
        selection.uid,
        selection.timezone,
        selection.changed,
        tuple(
            (
                task.id,
                task.plan.code,
                task.number,
                task.text,
                task.state,
                task.updated_at,
                task.removed_at,
                tuple((a.id, a.agency.name, a.role, a.position) for a in task.assignments),
                tuple(
                    (m.id, m.kind, m.on_date, m.label, m.sequence, m.cancelled_at, m.updated_at)
                    for m in task.milestones
                ),
                statuses[task.id],
            )
            for task in selection.tasks
        ),
    )


async def build_feed(
    session: AsyncSession,
    source: FeedSource,
    *,
    bot_url: str,
    now: dt.datetime,
    todo: bool = False,
    alarm_days: int | None = None,
    language: str = "zh",
    cache: FeedCache | None = None,
) -> Feed:
    """The calendar of a feed source; raises NotFoundError when what it covers is gone."""
    words = _labels(language)
    selection = await _select(session, source, words)
    statuses = await task_statuses(session, selection.tasks, now=now)
    key = (source, bot_url, todo, alarm_days, language, _fingerprint(selection, statuses))
    if cache is not None and (kept := cache.get(key)) is not None:
        return kept
    feed = _calendar(selection, statuses, words, bot_url=bot_url, todo=todo, alarm_days=alarm_days)
    if cache is not None:
        cache.put(key, feed)
    return feed


def _calendar(
    selection: _Selection,
    statuses: dict[int, TaskStatus],
    words: dict[str, str],
    *,
    bot_url: str,
    todo: bool,
    alarm_days: int | None,
) -> Feed:
    """The iCalendar document of the selected tasks' milestones."""
    milestones = sorted(
        ((task, m) for task in selection.tasks for m in task.milestones),
        key=lambda pair: (pair[1].on_date, pair[0].plan.code, pair[0].number, pair[1].id),
    )
    calendar = Calendar.new(
        name=selection.name,
        uid=selection.uid,
        prodid=PRODID,
        calscale="GREGORIAN",
    )
    calendar.add("REFRESH-INTERVAL", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH_INTERVAL))
    calendar.add("X-WR-TIMEZONE", selection.timezone)
    last = selection.changed.astimezone(dt.UTC).replace(microsecond=0)
    for task, milestone in milestones:
        component, changed = _component(
            task,
            milestone,
            statuses[task.id],
            words=words,
            bot_url=bot_url,
            todo=todo,
            alarm_days=alarm_days,
        )
        calendar.add_component(component)
        last = max(last, changed)
    return Feed(calendar.to_ical(), last, selection.name, len(milestones))


async def export_calendar(
    session: AsyncSession,
    *,
    plan_code: str | None = None,
    agency_id: int | None = None,
    bot_url: str,
    now: dt.datetime,
    alarm_days: int | None = None,
    language: str = "zh",
) -> bytes:
    """The .ics bytes of a plan (the only one when none is named) or of one agency."""
    plan = (
        await _plan_by_code(session, plan_code)
        if plan_code is not None
        else None
        if agency_id is not None
        else await _only_plan(session)
    )
    plan_id = plan.id if plan is not None else None
    source = (
        FeedSource(FeedScope.AGENCY, plan_id=plan_id, agency_id=agency_id)
        if agency_id is not None
        else FeedSource(FeedScope.PLAN, plan_id=plan_id)
    )
    feed = await build_feed(
        session, source, bot_url=bot_url, now=now, alarm_days=alarm_days, language=language
    )
    return feed.body
