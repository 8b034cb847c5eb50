"""What /mytasks shows: the list, a liaison's task card and the saved-report prompt."""

from __future__ import annotations

import zoneinfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.chat.callbacks import pack
from bot.chat.paging import keyboard, page_buttons, page_label, page_of
from bot.chat.task_card import overdue_text, standing, state_mark, unit_name
from bot.i18n import N_, tr
from bot.limits import split_message
from bot.render import esc, fmt_date, fmt_datetime, role_label, trim
from workflows.reports import MyTask, MyTasks, SavedReport, TaskCard
from workflows.status import ReportView

OPEN, STATUS, PERCENT, SKIP, LIST_PAGE = "myt", "mys", "myp", "myk", "myl"
NOTE = "myn"  # the question after a report: a note on the task
TASKS_PER_PAGE, BUTTONS_PER_ROW = 15, 5
PERCENTS = (0, 25, 50, 75, 100)
STATUS_LABELS = {
    "on_track": N_("🟢 On track"),
    "at_risk": N_("🟡 At risk"),
    "blocked": N_("⛔ Blocked"),
    "done": N_("✅ Done"),
}
STATE_LABELS = {"done": N_("awaiting review (办结)"), "closed": N_("closed (销号)")}
RETURNED_LABEL = N_("returned (退办)")
LIST_WIDTH, CARD_WIDTH, NOTE_WIDTH = 40, 600, 300
STALE = "This button is out of date."


def _number(result: MyTasks, task: MyTask) -> str:
    """A task's number, with its plan's code when the list spans several plans (gf-2019-3/5)."""
    return f"{task.plan}/{task.number}" if result.several_plans else str(task.number)


def render_list(result: MyTasks, number: int = 0) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of an agency's tasks, a button per task and ◀ ▶ to the other pages."""
    language = result.language
    if not result.tasks:
        return tr(language, "Your agency has no tasks yet."), None
    lines = []
    for task in result.tasks:
        when = standing(
            state=task.state,
            next_date=task.next_date,
            missed_due=task.missed_due,
            days_overdue=task.days_overdue,
            returned=task.returned,
            language=language,
        )
        role = esc(role_label(task.role, language))
        lines.append(
            f"{state_mark(task.light, task.state)} <b>{esc(_number(result, task))}</b> · {role}"
            f" · {esc(when)} · {esc(trim(task.text, LIST_WIDTH))}"
        )

    def heading(page: int, pages: int) -> str:
        agency = unit_name(result.agency, result.agency_en, language)
        title = tr(language, "<b>Tasks of {agency}</b>", agency=esc(agency))
        return title + esc(page_label(page, pages, language))

    page = page_of(heading, lines, number, lines_per_page=TASKS_PER_PAGE)
    buttons = [
        InlineKeyboardButton(
            f"{state_mark(t.light, t.state)} {_number(result, t)}",
            callback_data=pack(OPEN, t.task_id),
        )
        for t in result.tasks[page.first : page.last + 1]
    ]
    return page.text, keyboard(buttons, BUTTONS_PER_ROW, page_buttons(LIST_PAGE, page))


def _report_line(report: ReportView, timezone: zoneinfo.ZoneInfo, language: str) -> str:
    """• 科技部: 🟢 On track 50% — note (when, who)."""
    status = tr(language, STATUS_LABELS[str(report.status)])
    percent = f" {report.percent}%" if report.percent is not None else ""
    note = f" — {esc(trim(report.note, NOTE_WIDTH))}" if report.note else ""
    when = fmt_datetime(report.reported_at, timezone, language)
    who = f", {esc(report.member)}" if report.member else ""
    agency = unit_name(report.agency, report.agency_en, language)
    return f"• {esc(agency)}: {esc(status)}{percent}{note} ({when}{who})"


def render_card(card: TaskCard) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """A task card as one or more messages, with status buttons on the last when one may report."""
    language = card.language
    role = f" · {esc(role_label(card.role, language))}" if card.role else ""
    if card.plan:
        role = f" · {esc(card.plan)}{role}"
    lines = [
        tr(
            language,
            "{light} <b>Task {number}</b>{role}",
            light=state_mark(card.light, card.state),
            number=card.number,
            role=role,
        ),
        esc(trim(card.text, CARD_WIDTH)),
    ]
    if card.missed_due is not None:
        lines.append(esc(overdue_text(card.missed_due, card.days_overdue, language)))
    if card.next_date is not None or card.missed_due is None:
        lines.append(tr(language, "Next date: {date}", date=fmt_date(card.next_date, language)))
    if card.state in STATE_LABELS or card.returned:
        state = STATE_LABELS.get(card.state, RETURNED_LABEL)
        lines.append(tr(language, "State: {state}", state=tr(language, state)))
    lines += ["", "<b>" + esc(tr(language, "Latest reports")) + "</b>"]
    timezone = zoneinfo.ZoneInfo(card.timezone)
    lines += [_report_line(r, timezone, language) for r in card.reports] or [
        tr(language, "No reports yet.")
    ]
    if not card.can_report:
        return split_message(lines), None
    lines += ["", tr(language, "How is it going? Choose a status.")]
    buttons = [
        InlineKeyboardButton(
            tr(language, label), callback_data=pack(STATUS, card.task_id, status, card.token)
        )
        for status, label in STATUS_LABELS.items()
    ]
    return split_message(lines), InlineKeyboardMarkup([buttons[:2], buttons[2:]])


def render_saved(saved: SavedReport) -> tuple[str, InlineKeyboardMarkup | None]:
    """What a saved report says, and the Skip button of its note prompt (none once in review)."""
    language = saved.language
    status = esc(tr(language, STATUS_LABELS[str(saved.status)]))
    if saved.percent is None:
        text = tr(
            language, "✅ Task {number}: reported “{status}”.", number=saved.number, status=status
        )
    else:
        text = tr(
            language,
            "✅ Task {number}: reported “{status}”, {percent}%.",
            number=saved.number,
            status=status,
            percent=saved.percent,
        )
    if saved.review_requested:
        # The task now awaits review: notes, like reports, wait until it is returned.
        text += "\n" + tr(language, "The coordinators have been asked to review and close it.")
        return text, None
    text += "\n" + tr(language, "Type a note, or press Skip.")
    skip = InlineKeyboardButton(
        tr(language, "Skip note"), callback_data=pack(SKIP, saved.report_id)
    )
    return text, InlineKeyboardMarkup([[skip]])
