"""A task card (text, units, schedule, milestones, latest reports, history) and audit lines."""

from __future__ import annotations

import zoneinfo
from typing import Any

from bot.i18n import N_, tr
from bot.limits import split_message
from bot.render import esc, fmt_date, fmt_datetime, light_mark, role_label, trim
from workflows.audit import AuditView
from workflows.overview import TaskCard
from workflows.status import ReportView
from workflows.tasks import MilestoneView

TEXT_WIDTH = 3000
VALUE_WIDTH = 40
CHANGES_SHOWN = 4

MILESTONE_KINDS = {
    "start": N_("starts"),
    "checkpoint": N_("checkpoint"),
    "due": N_("falls due"),
    "custom": N_("custom milestone"),
}
# What a recurring task's checkpoint rule (year, year@03-31, quarter …) reads as.
RECURRENCE_LABELS = {
    "year": N_("every year"),
    "half": N_("every half-year"),
    "quarter": N_("every quarter"),
    "month": N_("every month"),
}
REPORT_STATUSES = {
    "on_track": N_("reported on track"),
    "at_risk": N_("reported at risk"),
    "blocked": N_("reported blocked"),
    "done": N_("reported done"),
}
FIELDS = {
    "due_on": N_("due on"),
    "reason": N_("reason given"),
    "agency": N_("responsible unit"),
    "role": N_("role on the task"),
    "on_date": N_("dated"),
    "label": N_("named"),
    "agencies": N_("units urged"),
    "people": N_("people urged"),
}
ACTIONS = {
    "assignment.assigned": N_("agency assigned"),
    "assignment.removed": N_("agency taken off"),
    "assignment.acknowledged": N_("assignment signed for"),
    "milestone.due_moved": N_("due date moved"),
    "milestone.added": N_("milestone added"),
    "task.nudged": N_("liaisons urged (催办)"),
    "task.add": N_("task imported"),
    "task.change": N_("task changed by a new import"),
    "task.remove": N_("task removed by a new import"),
}


def task_title(plan: str, number: int, language: str, *, with_plan: bool = True) -> str:
    """第 5 项任务 · gf-2015-5, in bold."""
    title = f"<b>{esc(tr(language, 'Task No. {number}', number=number))}</b>"
    return f"{title} · {esc(plan)}" if with_plan else title


def _milestone_line(milestone: MilestoneView, language: str) -> str:
    """• 2017年12月31日 falls due (struck through when cancelled)."""
    label = milestone.label or tr(language, MILESTONE_KINDS.get(milestone.kind, milestone.kind))
    text = f"{fmt_date(milestone.on_date, language)} {esc(label)}"
    if milestone.sequence:
        text += f" ({esc(tr(language, 'moved {times}×', times=milestone.sequence))})"
    return f"• <s>{text}</s>" if milestone.cancelled else f"• {text}"


def _report_line(report: ReportView, timezone: zoneinfo.ZoneInfo, language: str) -> str:
    """• 科技部: reported on track 60% — note (when, who)."""
    status = tr(language, REPORT_STATUSES.get(str(report.status), str(report.status)))
    percent = f" {report.percent}%" if report.percent is not None else ""
    note = f" — {esc(trim(report.note, 200))}" if report.note else ""
    who = f", {esc(report.member)}" if report.member else ""
    when = fmt_datetime(report.reported_at, timezone, language)
    return f"• {esc(report.agency)}: {esc(status)}{percent}{note} ({when}{who})"


def _value(key: str, value: Any, language: str) -> str:
    """An audited value, compact."""
    if value is None or value == "":
        return "—"
    if key == "role":
        return role_label(str(value), language)
    if isinstance(value, list):
        return trim("、".join(str(v) for v in value), VALUE_WIDTH)
    return trim(str(value), VALUE_WIDTH)


def _changes(before: dict[str, Any] | None, after: dict[str, Any] | None, language: str) -> str:
    """key: old → new for each changed field, a few at most."""
    old, new = before or {}, after or {}
    keys = [k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]
    if len(keys) > CHANGES_SHOWN and (not old or not new):
        return ""  # a whole task added or removed: the action says enough
    parts = [
        f"{tr(language, FIELDS[k]) if k in FIELDS else k}: "
        f"{_value(k, old.get(k), language)} → {_value(k, new.get(k), language)}"
        for k in keys[:CHANGES_SHOWN]
    ]
    if len(keys) > CHANGES_SHOWN:
        parts.append("…")
    return "; ".join(parts)


def audit_line(event: AuditView, timezone: zoneinfo.ZoneInfo, language: str) -> str:
    """• when · who · what: before → after."""
    action = tr(language, ACTIONS[event.action]) if event.action in ACTIONS else event.action
    changes = _changes(event.before, event.after, language)
    when = fmt_datetime(event.at, timezone, language)
    tail = f": {esc(changes)}" if changes else ""
    return f"• {when} · {esc(event.actor)} · {esc(action)}{tail}"


def render_task_card(card: TaskCard, language: str) -> list[str]:
    """A task card as one or more HTML messages."""
    view = card.view
    timezone = zoneinfo.ZoneInfo(card.timezone)
    lines = [
        f"{light_mark(card.light)} {task_title(view.plan, view.number, language)}",
        esc(trim(view.text, TEXT_WIDTH)),
        "",
        f"<b>{esc(tr(language, 'Responsible units'))}</b>",
    ]
    units = sorted(view.units, key=lambda u: u.role != "lead")
    lines += [f"• {esc(u.name)} ({esc(role_label(u.role, language, u.marker))})" for u in units]
    if not units:
        lines.append("• —")
    if view.note:
        lines.append(esc(tr(language, "Leaders named: {note}", note=view.note)))
    schedule = view.schedule
    lines += [
        "",
        f"<b>{esc(tr(language, 'Schedule as printed'))}</b>: {esc(schedule.text or '—')}",
        esc(
            tr(
                language,
                "start {start}, due {due}, next {next}",
                start=fmt_date(schedule.start_on, language),
                due=fmt_date(schedule.due_on, language),
                next=fmt_date(card.next_date, language),
            )
        ),
    ]
    if schedule.recurrence:
        every = RECURRENCE_LABELS.get(schedule.recurrence.split("@")[0], "")
        lines.append(esc(tr(language, "checks in {every}", every=tr(language, every))))
    if view.milestones:
        lines.append(f"<b>{esc(tr(language, 'Milestones and dates'))}</b>")
        lines += [_milestone_line(m, language) for m in view.milestones]
    lines += ["", f"<b>{esc(tr(language, 'Latest reports'))}</b>"]
    lines += [_report_line(r, timezone, language) for r in card.reports] or [
        esc(tr(language, "No reports yet."))
    ]
    if card.history:
        lines += ["", f"<b>{esc(tr(language, 'Recent changes'))}</b>"]
        lines += [audit_line(e, timezone, language) for e in card.history]
    return split_message(lines)
