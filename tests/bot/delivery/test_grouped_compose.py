"""Composing a grouped message: sections, plans inside them, a button per task, the limits."""

from __future__ import annotations

from bot.delivery.grouped import Entry, Part, compose
from bot.limits import BUTTON_LIMIT, ROW_LIMIT, measure

REMINDERS = "⏳ <b>到期提醒</b>"
CHECKINS = "📋 <b>进展询问</b>"


def entry(
    plan: str, number: int, *, section: str = REMINDERS, text: str = "任务", bold: bool = True
) -> Entry:
    """An entry about task `number` of a plan (its task id is unique across plans)."""
    title = f"<b>第 {number} 项任务</b>" if bold else f"第 {number} 项任务"
    order = 0 if section == REMINDERS else 1
    task_id = number + (1000 if plan != "gf-2015-5" else 0)
    return Entry(
        section=section,
        order=order,
        plan=plan,
        task_id=task_id,
        task_number=number,
        button_data=f"myt:{task_id}",
        lines=(f"• {title} 截止：2015年12月31日。", f"  {text}"),
        footer="请现在报告这些任务。",
    )


def labels(part: Part) -> list[str]:
    """A part's button labels, row by row."""
    assert part.buttons is not None
    return [button.text for row in part.buttons.inline_keyboard for button in row]


def test_one_plan_one_section_reads_as_a_list_with_a_button_per_task() -> None:
    """Two milestones of task 3 and one of task 5: three lines, two buttons, one footer."""
    [part] = compose(
        [(11, entry("gf-2015-5", 5)), (12, entry("gf-2015-5", 3)), (13, entry("gf-2015-5", 3))],
        "zh",
    )
    assert part.text.splitlines() == [
        "⏳ <b>到期提醒</b> （3 项）",
        "• <b>第 3 项任务</b> 截止：2015年12月31日。",
        "  任务",
        "• <b>第 3 项任务</b> 截止：2015年12月31日。",
        "  任务",
        "• <b>第 5 项任务</b> 截止：2015年12月31日。",
        "  任务",
        "",
        "请现在报告这些任务。",
    ]
    assert labels(part) == ["第 3 项", "第 5 项"]
    assert sorted(part.delivery_ids) == [11, 12, 13]
    assert part.task_id is None


def test_sections_by_kind_and_plans_inside_them_when_several_plans_are_involved() -> None:
    """Reminders before check-ins; inside each, plan by plan; buttons name the plan."""
    parts = compose(
        [
            (1, entry("gf-2019-3", 2, section=CHECKINS)),
            (2, entry("gf-2015-5", 7)),
            (3, entry("gf-2019-3", 4)),
            (4, entry("gf-2015-5", 9, section=CHECKINS)),
        ],
        "en",
        late=True,
    )
    [part] = parts
    headings = [line for line in part.text.splitlines() if not line.startswith(("•", " "))]
    assert headings == [
        "⏳ <b>到期提醒</b> (2) (late: the bot was offline)",
        "<b>gf-2015-5</b>",
        "<b>gf-2019-3</b>",
        "",
        "请现在报告这些任务。",
        "",
        "📋 <b>进展询问</b> (2)",
        "<b>gf-2015-5</b>",
        "<b>gf-2019-3</b>",
        "",
        "请现在报告这些任务。",
    ]
    assert labels(part) == [
        "gf-2015-5 · No. 7",
        "gf-2019-3 · No. 4",
        "gf-2015-5 · No. 9",
        "gf-2019-3 · No. 2",
    ]


def test_a_big_group_splits_within_telegrams_limits_and_carries_each_delivery_once() -> None:
    """300 entries with long texts over two plans: several messages, each within every limit."""
    long_text = "云计算" * 120
    entries = [
        (n, entry("gf-2015-5" if n % 2 else "gf-2019-3", n, text=long_text)) for n in range(300)
    ]
    parts = compose(entries, "zh")
    assert len(parts) > 1
    carried = [n for part in parts for n in part.delivery_ids]
    assert sorted(carried) == list(range(300))
    for part in parts:
        assert measure(part.text).fits()
        assert 0 < len(labels(part)) <= BUTTON_LIMIT
        assert part.buttons is not None
        assert all(len(row) <= ROW_LIMIT for row in part.buttons.inline_keyboard)
        lines = part.text.splitlines()
        assert lines[0] == "⏳ <b>到期提醒</b> （300 项）"
        assert lines[1] in ("<b>gf-2015-5</b>", "<b>gf-2019-3</b>")
    assert parts[-1].text.endswith("请现在报告这些任务。")
    assert not parts[0].text.endswith("请现在报告这些任务。")


def test_many_short_entries_split_at_a_hundred_buttons_and_a_hundred_entities() -> None:
    """150 short tasks fit one text but not one keyboard; in bold, not 100 entities either."""
    plain = compose([(n, entry("gf-2015-5", n, bold=False)) for n in range(150)], "zh")
    assert [len(labels(part)) for part in plain] == [100, 50]
    bold = compose([(n, entry("gf-2015-5", n)) for n in range(150)], "zh")
    assert [len(labels(part)) for part in bold] == [99, 51]  # the heading is bold too
    assert all(measure(part.text).entities <= 100 for part in bold)


def test_a_delivery_spread_over_two_messages_is_completed_by_the_second() -> None:
    """A delivery of 150 tasks, and one more after them: the first message completes nothing."""
    many = [(1, entry("gf-2015-5", n, section=CHECKINS)) for n in range(150)]
    first, second = compose([*many, (2, entry("gf-2015-5", 200, section=CHECKINS))], "zh")
    assert (first.delivery_ids, first.continued) == ((), (1,))
    assert (second.delivery_ids, second.continued) == ((1, 2), ())
