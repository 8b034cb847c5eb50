"""What a coordinator reads before an annex sent in the chat is imported, and after."""

from __future__ import annotations

from bot.i18n import tr, trn
from bot.render import esc, fmt_date, trim
from db.enums import Role
from workflows.importing.diff import TaskChange
from workflows.importing.service import ImportResult
from workflows.importing.snapshot import TaskSnapshot

SHOWN_TASKS = 5
SHOWN_CHANGES = 8
TASK_WIDTH = 40
LIST_LIMIT = 10
FIELD_WORDS = {
    "text": "text",
    "section": "section",
    "units": "units",
    "units_open": "open list (等)",
    "schedule_text": "schedule",
    "milestones": "dates",
}


def _units(snapshot: TaskSnapshot, language: str) -> str:
    """The units of a task as printed: the first leads."""
    lead = tr(language, " (lead)")
    names = [name + (lead if role is Role.LEAD else "") for name, role in snapshot.units]
    if not names:
        return tr(language, "no unit")
    separator = "、" if language == "zh" else ", "
    shown = separator.join(names[:4]) + ("…" if len(names) > 4 else "")
    return esc(shown)


def _when(snapshot: TaskSnapshot, language: str) -> str:
    """The date a task was read to end by, or why there is none."""
    if snapshot.schedule_flagged:
        return tr(language, "schedule unread")
    if snapshot.ongoing:
        return tr(language, "ongoing")
    return fmt_date(snapshot.due_on, language) if snapshot.due_on else "—"


def _task_line(snapshot: TaskSnapshot, language: str) -> str:
    """One task of the preview: number, units, when, and the start of its text."""
    return tr(
        language,
        "{number}. {units} · {when}\n   {text}",
        number=snapshot.number,
        units=_units(snapshot, language),
        when=_when(snapshot, language),
        text=esc(trim(snapshot.text, TASK_WIDTH)),
    )


def _listed(items: list[str], language: str) -> str:
    """A short list, cut after a few items."""
    separator = "、" if language == "zh" else ", "
    more = len(items) - LIST_LIMIT
    shown = separator.join(esc(i) for i in items[:LIST_LIMIT])
    return shown + (tr(language, " and {count} more", count=more) if more > 0 else "")


def _needs_a_hand(result: ImportResult, language: str) -> list[str]:
    """Units the directory does not know and schedules that could not be read."""
    lines: list[str] = []
    if result.unknown_units:
        names = [unit.name for unit in result.unknown_units]
        lines.append(
            tr(language, "Units not in the directory: {names}", names=_listed(names, language))
        )
    if result.flagged:
        numbers = [str(item.number) for item in result.flagged]
        lines.append(
            tr(
                language,
                "Schedules to set by hand (/due): tasks {numbers}",
                numbers=_listed(numbers, language),
            )
        )
    return lines


def _change_line(change: TaskChange, language: str) -> str:
    """One changed task: its number and what changes."""
    fields = [tr(language, FIELD_WORDS.get(f, f)) for f in change.fields]
    separator = "、" if language == "zh" else ", "
    return tr(language, "~ {number}: {fields}", number=change.number, fields=separator.join(fields))


def preview_text(result: ImportResult, filename: str, language: str) -> str:
    """The preview of a file: what was read and, for an existing plan, what would change."""
    head = trn(
        language,
        "📄 {file}: {count} task read ({layout}).",
        "📄 {file}: {count} tasks read ({layout}).",
        result.task_count,
        file=esc(trim(filename, 60)),
        count=result.task_count,
        layout=esc(result.layout),
    )
    document = " ".join(p for p in (result.document.number, result.document.title) if p)
    lines = [f"<b>{head}</b>"]
    if document:
        lines.append(esc(trim(document, 120)))
    if result.plan_created:
        lines.append(tr(language, "New plan: {plan}", plan=esc(result.plan_code)))
        tasks = result.diff.added
        lines.extend(_task_line(t, language) for t in tasks[:SHOWN_TASKS])
        if len(tasks) > SHOWN_TASKS:
            lines.append(tr(language, "… and {count} more tasks.", count=len(tasks) - SHOWN_TASKS))
    elif result.diff.is_empty:
        lines.append(
            tr(language, "Same as plan {plan}: nothing to change.", plan=esc(result.plan_code))
        )
    else:
        diff = result.diff
        lines.append(
            tr(
                language,
                "Compared with plan {plan}: {added} added, {removed} removed, {changed} changed.",
                plan=esc(result.plan_code),
                added=len(diff.added),
                removed=len(diff.removed),
                changed=len(diff.changed),
            )
        )
        changes = [f"+ {_task_line(t, language)}" for t in diff.added]
        changes += [f"− {t.number}. {esc(trim(t.text, TASK_WIDTH))}" for t in diff.removed]
        changes += [_change_line(c, language) for c in diff.changed]
        lines.extend(changes[:SHOWN_CHANGES])
        if len(changes) > SHOWN_CHANGES:
            lines.append(
                tr(language, "… and {count} more changes.", count=len(changes) - SHOWN_CHANGES)
            )
    lines.extend(_needs_a_hand(result, language))
    if result.plan_created:
        lines.append(
            tr(
                language,
                "To name the plan otherwise, reply to your file with a code such as gf-2019-3.",
            )
        )
    return "\n".join(lines)


def imported_text(result: ImportResult, language: str) -> str:
    """What an import did, once confirmed."""
    if result.plan_created:
        return trn(
            language,
            "✅ Imported plan {plan}: {count} task. Liaisons are told now, or when they join.",
            "✅ Imported plan {plan}: {count} tasks. Liaisons are told now, or when they join.",
            result.task_count,
            plan=esc(result.plan_code),
            count=result.task_count,
        )
    if not result.applied:
        return tr(
            language,
            "Plan {plan} already matches the file; nothing changed.",
            plan=esc(result.plan_code),
        )
    diff = result.diff
    return tr(
        language,
        "✅ Plan {plan} updated: {added} added, {removed} removed, {changed} changed.",
        plan=esc(result.plan_code),
        added=len(diff.added),
        removed=len(diff.removed),
        changed=len(diff.changed),
    )
