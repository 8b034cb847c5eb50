"""The digest as messages: HTML in Chinese or English, split between sections, with task buttons.

A member on several plans gets one digest with a section per plan (render_digests).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.chat.callbacks import pack
from bot.chat.handlers.mytasks import OPEN as OPEN_TASK
from bot.chat.handlers.mytasks import STATE_LABELS
from bot.chat.task_card import MILESTONE_KINDS, unit_name
from bot.i18n import tr, trn
from bot.limits import BUTTON_LIMIT, MESSAGE_LIMIT, Budget, Size, measure, split_message
from bot.render import esc, fmt_date, light_mark, role_label, trim
from workflows.digest.model import (
    HORIZON_DAYS,
    AgencyDigest,
    ChangeItem,
    CoordinatorDigest,
    DatedItem,
    Digest,
    DigestPart,
    DigestTask,
    SilentUnit,
    WaitingItem,
)
from workflows.lights import Light

TEXT_WIDTH = 40
REASON_WIDTH = 80
MAX_BUTTONS = 20  # of each plan in a message (Telegram takes 100 in all)
BUTTONS_PER_ROW = 5
# A section of more tasks than this counts them by light and lists only those to watch.
MAX_LISTED = 10
UNITS_WIDTH = 40  # characters of unit names on a dated line; the task card lists them all
MAX_NUMBERS = 30  # task numbers named in one line of many unsigned tasks
PLAN_BUTTONS_PER_ROW = 3  # buttons that name their plan (gf-2019-3/12) are wider
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Line:
    """One line of a digest and the task it is about, if any."""

    text: str
    task: tuple[int, int] | None = None
    plan: str = ""  # the task's plan code, where the digest spans several plans


Block = list[Line]


def _task(number: int, text: str) -> str:
    """<b>5</b> the task's text, cut short."""
    return f"<b>{number}</b> {esc(trim(text, TEXT_WIDTH))}"


def _units(item: DatedItem, language: str) -> str:
    """· 发展改革委、财政部, in English where known, the rest counted past a phone's line."""
    english = item.units_en or (None,) * len(item.units)
    names = [unit_name(zh, en, language) for zh, en in zip(item.units, english, strict=True)]
    if not names:
        return ""
    sep = "、" if language == "zh" else ", "
    shown = names[:1]
    for name in names[1:]:
        if len(sep.join([*shown, name])) > UNITS_WIDTH:
            break
        shown.append(name)
    rest = len(names) - len(shown)
    more = trn(language, " +{count} other", " +{count} others", rest, count=rest) if rest else ""
    return f" · {esc(sep.join(shown))}{more}"


def _label(item: DatedItem, language: str) -> str:
    """The milestone's own label, or its kind in words."""
    return item.label or tr(language, MILESTONE_KINDS.get(item.kind, item.kind))


def _overdue_line(item: DatedItem, language: str, *, units: bool) -> Line:
    """• 7 text — falls due 2016-02-29: 7 days overdue · units."""
    when = trn(
        language,
        "{label} {date}: {days} day overdue",
        "{label} {date}: {days} days overdue",
        item.days,
        label=esc(_label(item, language)),
        date=fmt_date(item.on_date, language),
        days=item.days,
    )
    if item.more:
        when += " " + tr(language, "(and {count} more overdue)", count=item.more)
    tail = _units(item, language) if units else ""
    return Line(f"• {_task(item.number, item.text)} — {when}{tail}", (item.task_id, item.number))


def _upcoming_line(item: DatedItem, language: str, *, units: bool) -> Line:
    """• 12 text — 中期评估 2016-03-08: in 1 day · units."""
    params = {"label": esc(_label(item, language)), "date": fmt_date(item.on_date, language)}
    if item.days == 0:
        when = tr(language, "{label} {date}: today", **params)
    else:
        when = trn(
            language,
            "{label} {date}: in {days} day",
            "{label} {date}: in {days} days",
            item.days,
            days=item.days,
            **params,
        )
    tail = _units(item, language) if units else ""
    return Line(f"• {_task(item.number, item.text)} — {when}{tail}", (item.task_id, item.number))


def _dated_blocks(
    overdue: Sequence[DatedItem], upcoming: Sequence[DatedItem], language: str, *, units: bool
) -> list[Block]:
    """The overdue and the coming-up sections (each only when it has lines)."""
    blocks: list[Block] = []
    if overdue:
        blocks.append(
            [Line(f"<b>{esc(tr(language, 'Overdue'))}</b>")]
            + [_overdue_line(i, language, units=units) for i in overdue]
        )
    if upcoming:
        heading = tr(language, "Due in the next {days} days", days=HORIZON_DAYS)
        blocks.append(
            [Line(f"<b>{esc(heading)}</b>")]
            + [_upcoming_line(i, language, units=units) for i in upcoming]
        )
    return blocks


def _numbers(unit: SilentUnit) -> str:
    """3, 5, 8."""
    return ", ".join(str(n) for n in unit.numbers)


def _silent_tasks(unit: SilentUnit, language: str) -> str:
    """ "task 3" or "tasks 3, 5, 8" (第 3、5、8 项)."""
    count = len(unit.numbers)
    return trn(language, "task {numbers}", "tasks {numbers}", count, numbers=_numbers(unit))


def _days(days: int, language: str) -> str:
    """ "1 day", "20 days" (20 天)."""
    return trn(language, "{n} day", "{n} days", days, n=days)


def _change_text(change: ChangeItem, language: str) -> str:
    """What changed, in words."""
    if change.kind == "date_moved":
        before = change.before and fmt_date(_iso(change.before), language)
        after = change.after and fmt_date(_iso(change.after), language)
        return tr(language, "due date moved {before} → {after}", before=before or "—", after=after)
    if change.kind == "milestone_added":
        date = change.after and fmt_date(_iso(change.after), language)
        return tr(
            language, "milestone “{label}” added for {date}", label=esc(change.before), date=date
        )
    if change.kind == "unit_added":
        role = role_label(change.after or "co", language)
        return tr(language, "{agency} added ({role})", agency=esc(change.before), role=esc(role))
    reason = esc(trim(change.after or "—", REASON_WIDTH))
    return tr(language, "returned (退办): {reason}", reason=reason)


def _iso(value: str) -> dt.date:
    """A date from the audit log's ISO text."""
    return dt.date.fromisoformat(value)


def _heading(title: str, language: str, *, late: bool) -> str:
    """The first line, with the late mark after downtime."""
    return f"{title} {tr(language, '(late: the bot was offline)')}" if late else title


def coordinator_blocks(digest: CoordinatorDigest, language: str, *, late: bool) -> list[Block]:
    """The coordinators' digest as sections of lines."""
    title = tr(
        language,
        "📊 <b>Weekly digest</b> · {plan} · {date}",
        plan=esc(digest.plan_code),
        date=fmt_date(digest.period, language),
    )
    t = digest.totals
    totals = tr(
        language,
        "Tasks: 🔴 {red} · 🟡 {yellow} · 🟢 {green} · awaiting review {done} · closed {closed}",
        red=t.red,
        yellow=t.yellow,
        green=t.green,
        done=t.done,
        closed=t.closed,
    )
    blocks: list[Block] = [[Line(_heading(title, language, late=late)), Line(totals)]]
    if digest.finished:
        blocks.append(
            [Line(f"<b>{esc(tr(language, 'Done or closed since the last digest'))}</b>")]
            + [
                Line(
                    f"• {_task(f.number, f.text)} — {esc(tr(language, STATE_LABELS[f.state]))}",
                    (f.task_id, f.number),
                )
                for f in digest.finished
            ]
        )
    blocks += _dated_blocks(digest.overdue, digest.upcoming, language, units=True)
    if digest.silent:
        blocks.append(
            [Line(f"<b>{esc(tr(language, 'Silent in the last check-in cycle'))}</b>")]
            + [
                Line(
                    "• "
                    + tr(
                        language,
                        "{agency}: {tasks}, silent {days}",
                        agency=esc(unit_name(u.agency, u.agency_en, language)),
                        tasks=_silent_tasks(u, language),
                        days=_days(u.days_silent, language),
                    )
                )
                for u in digest.silent
            ]
        )
    if digest.extensions or digest.reviews:
        lines = [Line(f"<b>{esc(tr(language, 'Awaiting your decision'))}</b>")]
        lines += [
            Line(
                "• "
                + tr(
                    language,
                    "extension: <b>{number}</b> {agency} asks {requested} (now {current})",
                    number=e.number,
                    agency=esc(unit_name(e.agency, e.agency_en, language)),
                    requested=fmt_date(e.requested_due_on, language),
                    current=fmt_date(e.current_due_on, language),
                ),
                (e.task_id, e.number),
            )
            for e in digest.extensions
        ]
        lines += [
            Line(
                "• "
                + tr(
                    language,
                    "closing (办结): {task} — {lead}",
                    task=_task(r.number, r.text),
                    lead=esc(unit_name(r.lead, r.lead_en, language) if r.lead else "—"),
                ),
                (r.task_id, r.number),
            )
            for r in digest.reviews
        ]
        blocks.append(lines)
    if digest.changes:
        blocks.append(
            [Line(f"<b>{esc(tr(language, 'Changes since the last digest'))}</b>")]
            + [
                Line(f"• <b>{c.number}</b> {_change_text(c, language)}", (c.task_id, c.number))
                for c in digest.changes
            ]
        )
    return blocks


def _task_line(task: DigestTask, language: str) -> Line:
    """🔴 5 text · next 2016年3月31日 (✅ with its state when done or closed)."""
    if task.state in STATE_LABELS:
        tail = esc(tr(language, STATE_LABELS[task.state]))
        mark = "✅"
    else:
        tail = (
            ""
            if task.next_date is None
            else tr(language, "next {date}", date=fmt_date(task.next_date, language))
        )
        mark = light_mark(task.light)
    text = f"{mark} {_task(task.number, task.text)}" + (f" · {tail}" if tail else "")
    return Line(text, (task.task_id, task.number))


def _task_section(heading: str, tasks: Sequence[DigestTask], language: str) -> Block:
    """A section of tasks: each listed when few; else the lights counted, red and yellow listed."""
    lines = [Line(f"<b>{esc(heading)}</b>")]
    if len(tasks) <= MAX_LISTED:
        return lines + [_task_line(t, language) for t in tasks]
    done = [t for t in tasks if t.state in STATE_LABELS]
    lights = Counter(t.light for t in tasks if t.state not in STATE_LABELS)
    counts = [f"{light_mark(light)} {lights[light]}" for light in Light if lights[light]]
    lines.append(Line(" · ".join(counts + ([f"✅ {len(done)}"] if done else []))))
    order = {Light.RED: 0, Light.YELLOW: 1}
    watched = sorted(
        (t for t in tasks if t.state not in STATE_LABELS and t.light in order),
        key=lambda t: (order[t.light], t.number),
    )
    lines += [_task_line(t, language) for t in watched[:MAX_LISTED]]
    rest = len(tasks) - min(len(watched), MAX_LISTED)
    lines.append(Line(esc(tr(language, "… and {n} more: /mytasks", n=rest))))
    return lines


def _unsigned_line(unsigned: Sequence[WaitingItem], language: str) -> Line:
    """Many tasks not signed for, as one line of their numbers."""
    numbers = [str(w.number) for w in unsigned]
    shown = "、".join(numbers[:MAX_NUMBERS]) + ("…" if len(numbers) > MAX_NUMBERS else "")
    return Line(
        "• "
        + esc(
            trn(
                language,
                "not signed for yet (签收): task {numbers} ({n} in all) — /mytasks",
                "not signed for yet (签收): tasks {numbers} ({n} in all) — /mytasks",
                len(numbers),
                numbers=shown,
                n=len(numbers),
            )
        )
    )


def agency_blocks(digest: AgencyDigest, language: str, *, late: bool) -> list[Block]:
    """One agency's digest as sections of lines."""
    title = tr(
        language,
        "📋 <b>Weekly digest for {agency}</b> · {plan} · {date}",
        agency=esc(unit_name(digest.agency, digest.agency_en, language)),
        plan=esc(digest.plan_code),
        date=fmt_date(digest.period, language),
    )
    blocks: list[Block] = [[Line(_heading(title, language, late=late))]]
    if not digest.lead and not digest.co:
        blocks[0].append(Line(esc(tr(language, "Your agency has no tasks in this plan."))))
    if digest.lead:
        heading = tr(language, "Tasks you lead ({count})", count=len(digest.lead))
        blocks.append(_task_section(heading, digest.lead, language))
    if digest.co:
        heading = tr(language, "Tasks you co-handle ({count})", count=len(digest.co))
        blocks.append(_task_section(heading, digest.co, language))
    blocks += _dated_blocks(digest.overdue, digest.upcoming, language, units=False)
    if digest.unreported:
        blocks.append(
            [Line(f"<b>{esc(tr(language, 'Not reported in the last check-in cycle'))}</b>")]
            + [
                Line(
                    "• "
                    + tr(
                        language,
                        "{tasks}: no report for {days}",
                        tasks=_silent_tasks(u, language),
                        days=_days(u.days_silent, language),
                    )
                )
                for u in digest.unreported
            ]
        )
    if digest.waiting:
        lines = [Line(f"<b>{esc(tr(language, 'Waiting for your agency'))}</b>")]
        unsigned = [w for w in digest.waiting if w.kind == "unsigned"]
        many = len(unsigned) > MAX_LISTED
        if many:
            lines.append(_unsigned_line(unsigned, language))
        for w in digest.waiting:
            if w.kind == "unsigned" and many:
                continue
            if w.kind == "unsigned":
                what = esc(tr(language, "not signed for yet (签收)"))
            else:
                reason = esc(trim(w.reason or "—", REASON_WIDTH))
                what = tr(language, "returned (退办): {reason}", reason=reason)
            lines.append(Line(f"• {_task(w.number, w.text)} — {what}", (w.task_id, w.number)))
        blocks.append(lines)
    return blocks


def _fit(line: Line, limit: int) -> Line:
    """A line cut to the limit (only a pathological one is that long)."""
    if measure(line.text).units <= limit:
        return line
    return Line(split_message([line.text], Budget(units=limit))[0], line.task)


def split_blocks(
    blocks: Sequence[Block],
    limit: int = MESSAGE_LIMIT,
    heads: Sequence[Line | None] | None = None,
) -> list[list[Line]]:
    """Pack sections into few messages; a section too long on its own is split between lines.

    Sizes are Telegram's: UTF-16 units after entity parsing and at most 100 entities (each
    digest line closes the tags it opens, so lines' sizes add up). `heads[i]`, when given,
    opens a message that section i starts or goes on in (its plan's name, continued).
    """
    messages: list[list[Line]] = []
    current: list[Line] = []
    sizes: dict[str, Size] = {}

    def size(lines: Sequence[Line]) -> Size:
        for line in lines:
            if line.text not in sizes:
                sizes[line.text] = measure(line.text)
        units = sum(sizes[line.text].units for line in lines) + max(len(lines) - 1, 0)
        return Size(units, sum(sizes[line.text].entities for line in lines))

    def fits(lines: Sequence[Line]) -> bool:
        return size(lines).fits(limit)

    def opening(head: Line | None, lines: list[Line]) -> list[Line]:
        with_head = [head, *lines] if head is not None else lines
        return with_head if fits(with_head) else lines

    for index, block in enumerate(blocks):
        head = heads[index] if heads is not None else None
        block = [_fit(line, limit) for line in block]
        joined = [*current, Line(""), *block] if current else opening(head, block)
        if fits(joined):
            current = joined
            continue
        if current:
            messages.append(current)
            current = []
        if fits(block):
            current = opening(head, block)
            continue
        for line in block:
            candidate = [*current, line]
            if current and not fits(candidate):
                messages.append(current)
                candidate = opening(head, [line])
            elif not current:
                candidate = opening(head, [line])
            current = candidate
    if current or not messages:
        messages.append(current)
    return messages


def to_part(lines: Sequence[Line]) -> DigestPart:
    """A message's text and the first few distinct tasks of each plan in it, for buttons."""
    tasks: dict[tuple[int, int], str] = {}
    per_plan: Counter[str] = Counter()
    for line in lines:
        task = line.task
        if task is None or task in tasks or len(tasks) >= BUTTON_LIMIT:
            continue
        if per_plan[line.plan] < MAX_BUTTONS:
            tasks[task] = line.plan
            per_plan[line.plan] += 1
    plans = tuple(tasks.values()) if any(tasks.values()) else ()
    return DigestPart("\n".join(line.text for line in lines), tuple(tasks), plans)


def render_digest(
    digest: Digest, language: str, late: bool = False, *, limit: int = MESSAGE_LIMIT
) -> list[DigestPart]:
    """A digest as one or more HTML messages in a language, each at most `limit` long."""
    if isinstance(digest, CoordinatorDigest):
        blocks = coordinator_blocks(digest, language, late=late)
    else:
        blocks = agency_blocks(digest, language, late=late)
    return [to_part(lines) for lines in split_blocks(blocks, limit)]


def _plan_heading(digest: Digest) -> str:
    """▸ 国发〔2019〕3号 · gf-2019-3: a plan's section in a digest of several."""
    label = digest.plan_label or digest.plan_code
    code = f" · {esc(digest.plan_code)}" if label != digest.plan_code else ""
    return f"▸ <b>{esc(label)}</b>{code}"


def render_digests(
    digests: Sequence[Digest],
    language: str,
    late: bool = False,
    *,
    limit: int = MESSAGE_LIMIT,
    chart_note: bool = True,
) -> list[DigestPart]:
    """A member's digests (one per plan) as one digest: one plan as render_digest draws it,
    several under one title with a section per plan, split only at Telegram's limits.

    `chart_note` says where the coordinators' charts are (there is none across plans).
    """
    if len(digests) <= 1:
        return [p for d in digests for p in render_digest(d, language, late, limit=limit)]
    first = digests[0]
    count = trn(language, "{count} plan", "{count} plans", len(digests), count=len(digests))
    date = fmt_date(first.period, language)
    if isinstance(first, CoordinatorDigest):
        title = tr(language, "📊 <b>Weekly digest</b> · {plan} · {date}", plan=count, date=date)
    else:
        title = tr(
            language,
            "📋 <b>Weekly digest for {agency}</b> · {plan} · {date}",
            agency=esc(unit_name(first.agency, first.agency_en, language)),
            plan=count,
            date=date,
        )
    blocks: list[Block] = [[Line(_heading(title, language, late=late))]]
    heads: list[Line | None] = [None]
    continued = tr(language, "(continued)")
    for digest in digests:
        if isinstance(digest, CoordinatorDigest):
            sections = coordinator_blocks(digest, language, late=False)
        else:
            sections = agency_blocks(digest, language, late=False)
        heading = _plan_heading(digest)
        sections[0][0] = Line(heading)  # the plan's own title gives way to its name
        for section in sections:
            blocks.append(
                [replace(line, plan=digest.plan_code) if line.task else line for line in section]
            )
        heads += [None] + [Line(f"{heading} {esc(continued)}")] * (len(sections) - 1)
    if chart_note and isinstance(first, CoordinatorDigest):
        blocks.append([Line(esc(tr(language, "Charts: /chart PLAN draws one plan's.")))])
        heads.append(None)
    return [to_part(lines) for lines in split_blocks(blocks, limit, heads)]


def digest_buttons(
    tasks: Sequence[Sequence[int]], plans: Sequence[str] = ()
) -> InlineKeyboardMarkup | None:
    """A button per task (its number, after its plan's code when given) that opens its card."""
    labels = [
        f"{plans[i]}/{number}" if i < len(plans) and plans[i] else str(number)
        for i, (_, number) in enumerate(tasks)
    ]
    buttons = [
        InlineKeyboardButton(label, callback_data=pack(OPEN_TASK, task_id))
        for label, (task_id, _) in zip(labels, tasks, strict=True)
    ]
    if not buttons:
        return None
    per_row = PLAN_BUTTONS_PER_ROW if any(plans) else BUTTONS_PER_ROW
    return InlineKeyboardMarkup([buttons[i : i + per_row] for i in range(0, len(buttons), per_row)])


def plain(text: str) -> str:
    """An HTML message as terminal text: tags dropped, entities read back."""
    return html.unescape(_TAG.sub("", text))
