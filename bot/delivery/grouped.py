"""Grouped messages: what the sweeps decided for one chat at one moment, composed as one message.

Each delivery of a grouped kind renders as an Entry (a few lines about one task); the entries
are set out by section (the kind: reminders, check-ins, overdue …), by plan inside a section
when several plans are involved, each task with its own button, and split only where a message
would pass Telegram's limits (bot/limits.py). Every part names the deliveries it carries, so
the sender records them sent together with the message that carried them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import tr
from bot.limits import BUTTON_LIMIT, measure, rows
from bot.live_settings import effective_settings
from bot.render import esc
from bot.runtime import Runtime
from workflows.outbox.cap import capped_until
from workflows.outbox.sending import OutgoingMessage, release

BUTTONS_PER_ROW = 4


@dataclass(frozen=True)
class Entry:
    """One delivery's part of a grouped message: a section, its task, and lines about it."""

    section: str  # the section's heading (HTML); entries with the same one go together
    order: int  # where the section stands among the others
    plan: str
    task_id: int
    task_number: int
    button_data: str  # what the task's button does (opens its card)
    lines: tuple[str, ...]
    footer: str = ""  # a last line the section ends with (what to do)


@dataclass(frozen=True)
class Part:
    """One message of a group: HTML, buttons, the task it is about, the deliveries it carries."""

    text: str
    buttons: InlineKeyboardMarkup | None
    task_id: int | None
    delivery_ids: tuple[int, ...]  # the deliveries this message completes
    continued: tuple[int, ...] = ()  # deliveries with entries here whose last is in a later one


# A delivery's entries: one, or one per task (an empty list or None: nothing to say any more).
EntryRenderer = Callable[[OutgoingMessage, AsyncSession], Awaitable[Entry | list[Entry] | None]]
ENTRY_RENDERERS: dict[str, EntryRenderer] = {}


def entry_renderer(kind: str) -> Callable[[EntryRenderer], EntryRenderer]:
    """Register how one delivery of a kind renders inside a grouped message (None: nothing)."""

    def register(function: EntryRenderer) -> EntryRenderer:
        ENTRY_RENDERERS[kind] = function
        return function

    return register


def grouped_kinds() -> frozenset[str]:
    """The kinds that go together in one message per chat."""
    return frozenset(ENTRY_RENDERERS)


@dataclass
class _Draft:
    """A message being filled: its lines, tasks (for buttons) and deliveries."""

    lines: list[str] = field(default_factory=list)
    tasks: dict[int, tuple[str, int, str]] = field(default_factory=dict)
    delivery_ids: list[int] = field(default_factory=list)


def _button(plan: str, number: int, language: str, *, with_plan: bool) -> str:
    """A task's button label: 第 5 项 (with the plan's code when several plans are involved)."""
    label = tr(language, "No. {number}", number=number)
    return f"{plan} · {label}" if with_plan else label


def compose(
    entries: Sequence[tuple[int, Entry]], language: str, *, late: bool = False
) -> list[Part]:
    """(delivery id, entry) pairs as as few messages as Telegram's limits allow.

    A delivery with several entries is carried by the message that holds its last one.
    """
    several_plans = len({entry.plan for _, entry in entries}) > 1
    ordered = sorted(
        entries,
        key=lambda pair: (pair[1].order, pair[1].section, pair[1].plan, pair[1].task_number),
    )
    late_note = " " + tr(language, "(late: the bot was offline)") if late else ""
    counts: dict[str, int] = {}
    for _, entry in ordered:
        counts[entry.section] = counts.get(entry.section, 0) + 1
    drafts: list[_Draft] = []
    draft = _Draft()
    heading: tuple[str, str] | None = None  # the section and plan the draft's last entry is in

    def head_lines(entry: Entry, *, fresh: bool) -> list[str]:
        lines: list[str] = []
        if fresh or heading is None or heading[0] != entry.section:
            if draft.lines:
                lines.append("")
            count = tr(language, "({count})", count=counts[entry.section])
            lines.append(
                f"{entry.section} {count}{late_note if not drafts and not draft.lines else ''}"
            )
        if several_plans and (fresh or heading != (entry.section, entry.plan)):
            lines.append(f"<b>{esc(entry.plan)}</b>")
        return lines

    def footer_lines(entry: Entry | None, next_entry: Entry | None) -> list[str]:
        if entry is None or not entry.footer:
            return []
        if next_entry is not None and next_entry.section == entry.section:
            return []
        return ["", entry.footer]

    for index, (delivery_id, entry) in enumerate(ordered):
        following = ordered[index + 1][1] if index + 1 < len(ordered) else None
        block = head_lines(entry, fresh=False) + list(entry.lines)
        tail = footer_lines(entry, following)
        task = (entry.plan, entry.task_number, entry.button_data)
        tasks = draft.tasks | {entry.task_id: task}
        candidate = "\n".join([*draft.lines, *block, *tail])
        if draft.lines and (not measure(candidate).fits() or len(tasks) > BUTTON_LIMIT):
            drafts.append(draft)
            draft = _Draft()
            heading = None
            block = head_lines(entry, fresh=True) + list(entry.lines)
        draft.lines += block + tail
        draft.tasks[entry.task_id] = task
        draft.delivery_ids.append(delivery_id)
        heading = (entry.section, entry.plan)
    if draft.lines:
        drafts.append(draft)
    last = {n: index for index, d in enumerate(drafts) for n in d.delivery_ids}
    return [_part(d, language, several_plans, last, index) for index, d in enumerate(drafts)]


def _part(
    draft: _Draft, language: str, several_plans: bool, last: dict[int, int], index: int
) -> Part:
    """A filled draft as a message with a button per task."""
    buttons = [
        InlineKeyboardButton(
            _button(plan, number, language, with_plan=several_plans),
            callback_data=data,
        )
        for plan, number, data in draft.tasks.values()
    ]
    task_id = next(iter(draft.tasks)) if len(draft.tasks) == 1 else None
    ids = dict.fromkeys(draft.delivery_ids)
    return Part(
        "\n".join(draft.lines),
        InlineKeyboardMarkup(rows(buttons, BUTTONS_PER_ROW)),
        task_id,
        tuple(n for n in ids if last[n] == index),
        tuple(n for n in ids if last[n] != index),
    )


def in_units(messages: Sequence[OutgoingMessage]) -> list[list[OutgoingMessage]]:
    """A chat's claimed deliveries as the messages they make, in order: grouped kinds as one."""
    kinds = grouped_kinds()
    together = [m for m in messages if m.kind in kinds]
    units = [[m] for m in messages if m.kind not in kinds or len(together) == 1]
    if len(together) > 1:
        first = next(i for i, m in enumerate(messages) if m.kind in kinds)
        units.insert(sum(1 for m in messages[:first] if m.kind not in kinds), together)
    return units


async def held_back(runtime: Runtime, unit: Sequence[OutgoingMessage]) -> bool:
    """Whether a member's daily cap holds deliveries back; then they wait for the morning."""
    first = unit[0]
    if first.member_id is None or first.kind not in grouped_kinds():
        return False
    settings = await effective_settings(runtime)
    async with runtime.session() as session:
        until = await capped_until(
            session,
            member_id=first.member_id,
            kinds=grouped_kinds(),
            cap=settings.daily_message_cap,
            now=runtime.now(),
            timezone=settings.timezone,
            quiet_start=settings.quiet_start,
            quiet_end=settings.quiet_end,
        )
        if until is not None:
            await release(session, list(unit), retry_at=until)
    return until is not None
