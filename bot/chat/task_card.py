"""A task card (text, units, schedule, milestones, latest reports, history) and audit lines."""

from __future__ import annotations

import contextlib
import datetime as dt
import zoneinfo
from typing import Any

from bot.i18n import N_, tr, trn
from bot.limits import split_message
from bot.render import esc, fmt_date, fmt_datetime, light_mark, role_label, trim
from workflows.audit import AuditView
from workflows.lights import Light
from workflows.overview import TaskCard
from workflows.status import ReportView
from workflows.tasks import MilestoneView

TEXT_WIDTH = 3000
VALUE_WIDTH = 40
CHANGES_SHOWN = 4
ISO_DATE_LENGTH = 10
# Row and member ids mean nothing to a reader; the names are shown instead.
HIDDEN_SUFFIXES = ("_id", "_by")

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
    "state": N_("task state"),
    "requested_due_on": N_("requested due date"),
    "status": N_("status"),
    "percent": N_("percent"),
    "note": N_("note"),
    "acknowledged_at": N_("signed for at"),
}
# Statuses, and states of tasks and requests, as the exports name them.
VALUE_LABELS = {
    "status": {
        "on_track": N_("on track"),
        "at_risk": N_("at risk"),
        "blocked": N_("blocked"),
        "done": N_("done"),
    },
    "state": {
        "open": N_("in progress (在办)"),
        "done": N_("awaiting review (办结)"),
        "closed": N_("closed (销号)"),
        "pending": N_("awaiting a decision"),
        "approved": N_("approved"),
        "denied": N_("denied"),
    },
}
ACTORS = {"system": N_("the system"), "cli": N_("the command line")}
# Actions whose label says most of it: only these fields follow.
SHOWN = {
    "task.done": (),
    "review.close": (),
    "review.return": ("reason",),
    "extension.approve": ("note",),
    "extension.deny": ("note",),
    "assignment.acknowledged": (),
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
    "plan.import": N_("annex imported"),
    "extension.request": N_("extension requested"),
    "extension.approve": N_("extension approved"),
    "extension.deny": N_("extension denied"),
    "task.done": N_("reported done, awaiting review"),
    "review.close": N_("closed after review (办结销号)"),
    "review.return": N_("returned for more work (退办)"),
    "milestone.recurring_laid": N_("recurring checkpoints laid"),
}


# A closed task, or one awaiting review, has no light to watch: its state shows instead.
STATE_MARKS = {"closed": "✅", "done": "⏳"}
STATE_WORDS = {"closed": N_("closed (销号)"), "done": N_("awaiting review (办结)")}


def state_mark(light: Light, state: str) -> str:
    """The light's dot for an open task; ✅ for a closed one, ⏳ for one awaiting review."""
    return STATE_MARKS.get(state) or light_mark(light)


def overdue_text(missed_due: dt.date, days: int, language: str) -> str:
    """67 days overdue (due 2015-12-31)."""
    return trn(
        language,
        "{days} day overdue (due {date})",
        "{days} days overdue (due {date})",
        days,
        days=days,
        date=fmt_date(missed_due, language),
    )


def standing(
    *,
    state: str,
    next_date: dt.date | None,
    missed_due: dt.date | None,
    days_overdue: int,
    returned: bool,
    language: str,
) -> str:
    """A list's word on a task: closed, awaiting review, overdue since, or its next date."""
    if state in STATE_WORDS:
        return tr(language, STATE_WORDS[state])
    when = (
        overdue_text(missed_due, days_overdue, language)
        if missed_due is not None
        else fmt_date(next_date, language)
    )
    return f"{tr(language, 'returned (退办)')} · {when}" if returned else when


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


def _value(key: str, value: Any, timezone: zoneinfo.ZoneInfo, language: str) -> str:
    """An audited value in words: dates as people write them, states and roles named."""
    if value is None or value == "":
        return "—"
    if key == "role":
        return role_label(str(value), language)
    if str(value) in VALUE_LABELS.get(key, {}):
        return tr(language, VALUE_LABELS[key][str(value)])
    if key == "percent":
        return f"{value}%"
    if isinstance(value, list):
        return trim("、".join(str(v) for v in value), VALUE_WIDTH)
    text = str(value)
    with contextlib.suppress(ValueError):
        if len(text) == ISO_DATE_LENGTH:
            return fmt_date(dt.date.fromisoformat(text), language)
        moment = dt.datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            return fmt_datetime(moment, timezone, language)
    return trim(text, VALUE_WIDTH)


def _details(event: AuditView, timezone: zoneinfo.ZoneInfo, language: str) -> list[str]:
    """field: old → new (or field: new) for what an event changed that people care about."""
    old, new = event.before or {}, event.after or {}
    keys = [
        k
        for k in dict.fromkeys([*old, *new])
        if old.get(k) != new.get(k) and not k.endswith(HIDDEN_SUFFIXES)
    ]
    keys = [k for k in keys if k in SHOWN[event.action]] if event.action in SHOWN else keys
    if len(keys) > CHANGES_SHOWN and (not old or not new):
        return []  # a whole task added or removed: the action says enough
    parts = []
    for key in keys[:CHANGES_SHOWN]:
        field = tr(language, FIELDS[key]) if key in FIELDS else key
        before = _value(key, old.get(key), timezone, language)
        after = _value(key, new.get(key), timezone, language)
        if not new or old.get(key) in (None, ""):
            # Something added or taken off: only the value it had.
            value = before if not new else after
            parts.append(tr(language, "{field}: {value}", field=field, value=value))
        else:
            parts.append(tr(language, "{field}: {old} → {new}", field=field, old=before, new=after))
    return parts


def _who(event: AuditView, language: str) -> str:
    """李明（科技部）, a coordinator's name, or the system."""
    if event.actor in ACTORS:
        return tr(language, ACTORS[event.actor])
    agency = (language == "en" and event.actor_agency_en) or event.actor_agency
    if agency:
        return tr(language, "{name} ({agency})", name=event.actor, agency=agency)
    return event.actor


def audit_line(event: AuditView, timezone: zoneinfo.ZoneInfo, language: str) -> str:
    """• when · 李明（科技部）报告：正常推进 50%, or · who: what (field: old → new)."""
    when = fmt_datetime(event.at, timezone, language)
    who = _who(event, language)
    after = event.after or {}
    if event.action == "report.add":
        status = _value("status", after.get("status"), timezone, language)
        percent = f" {after['percent']}%" if after.get("percent") is not None else ""
        note = f" — {trim(str(after['note']), VALUE_WIDTH)}" if after.get("note") else ""
        what = tr(language, "{who} reported: {status}", who=who, status=status + percent) + note
        return f"• {when} · {esc(what)}"
    action = tr(language, ACTIONS[event.action]) if event.action in ACTIONS else event.action
    details = _details(event, timezone, language)
    if details:
        separator = "；" if language == "zh" else "; "
        action = tr(
            language, "{action} ({details})", action=action, details=separator.join(details)
        )
    return f"• {when} · {esc(tr(language, '{who}: {action}', who=who, action=action))}"


def render_task_card(card: TaskCard, language: str) -> list[str]:
    """A task card as one or more HTML messages."""
    view = card.view
    timezone = zoneinfo.ZoneInfo(card.timezone)
    lines = [
        f"{state_mark(card.light, card.state)} {task_title(view.plan, view.number, language)}",
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
    if card.state in STATE_WORDS or card.returned:
        state = STATE_WORDS.get(card.state, N_("returned (退办)"))
        lines.append(esc(tr(language, "State: {state}", state=tr(language, state))))
    if card.missed_due is not None:
        lines.append(esc(overdue_text(card.missed_due, card.days_overdue, language)))
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
