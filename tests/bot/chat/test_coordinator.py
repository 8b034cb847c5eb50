"""Coordinators' commands end to end: reading, changing, urging, and refusing everyone else."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.limits import split_message
from db.models import Milestone
from tests.bot.harness import BotHarness
from tests.kit.cast import liaison
from tests.kit.office import BILINGUAL_OFFICE, BOSS, ENGLISH_BOSS, LIAISON
from workflows.access import find_task

OTHER = 3003


@pytest.fixture
async def people(harness: BotHarness) -> BotHarness:
    """The annex, a Chinese and an English coordinator, liaisons of 科技部 and 工信部."""
    await harness.cast(*BILINGUAL_OFFICE, liaison(OTHER, "工信部", "小王"))
    return harness


COMMANDS = [
    "/tasks",
    "/tasks red",
    "/task 5",
    "/assign 7 科技部 co",
    "/unassign 5 科技部",
    "/due 5 2016-06-30 批准延期",
    "/milestone 5 2016-05-01 形成初稿",
    "/nudge 5",
    "/audit 5",
]


@pytest.mark.parametrize("command", COMMANDS)
async def test_every_command_is_the_coordinators(people: BotHarness, command: str) -> None:
    """A liaison is refused in one line; a coordinator gets an answer."""
    [refused] = await people.send(LIAISON, command)
    assert refused.text == "只有协调人可以执行此操作。"
    replies = await people.send(BOSS, command)
    assert replies
    assert all("只有协调人" not in (r.text or "") for r in replies)


async def test_tasks_filters_and_pages(people: BotHarness) -> None:
    """Ten tasks a page, ◀ ▶ buttons that keep the filter; a liaison cannot page."""
    [first] = await people.send(BOSS, "/tasks")
    assert first.text is not None
    assert first.text.startswith("任务（全部任务）· 第 1/3 页 · 共 23 项")
    assert "— 工业和信息化部 · 2016年12月31日" in first.text
    assert first.callback_data == ["tpg:all:0:1"]
    await people.press(BOSS, first.message_id, "tpg:all:0:1")
    second = people.last(BOSS)
    assert second.text is not None
    assert "第 2/3 页" in second.text
    assert "🔴 12 " in second.text
    assert second.callback_data == ["tpg:all:0:0", "tpg:all:0:2"]
    press = people.sandbox.press(BOSS, first.message_id, "tpg:all:0:2")
    await people.settle(press)
    assert "第 3/3 页" in (people.last(BOSS).text or "")

    [red] = await people.send(BOSS, "/tasks red")
    assert red.text is not None
    assert "共 1 项" in red.text
    assert "🔴 12 " in red.text
    assert red.callback_data == []
    [overdue] = await people.send(BOSS, "/tasks 逾期")
    assert "共 1 项" in (overdue.text or "")

    [mine] = await people.send(BOSS, "/tasks 科技部")
    assert mine.text is not None
    assert mine.text.startswith("任务（科技部）· 第 1/1 页 · 共 10 项")
    [silent] = await people.send(BOSS, "/tasks silent")
    assert "没有符合条件的任务。" in (silent.text or "")
    people.clock.advance(days=29)
    [silent] = await people.send(BOSS, "/tasks silent")
    assert "共 23 项" in (silent.text or "")
    [english] = await people.send(ENGLISH_BOSS, "/tasks done")
    assert english.text == "Tasks (done or closed) · page 1/1 · 0 in all\n\nNo tasks match."


async def test_paging_buttons_are_checked_again(people: BotHarness) -> None:
    """A liaison pressing a coordinator's paging button is refused, and nothing changes."""
    [first] = await people.send(BOSS, "/tasks")
    pressed = people.sandbox.press(LIAISON, first.message_id, "tpg:all:0:1", chat_id=BOSS)
    await people.settle(pressed)
    assert pressed.query_id is not None
    answer = people.sandbox.callback_answer(pressed.query_id)
    assert answer is not None
    assert answer.get("text") == "只有协调人可以执行此操作。"
    assert "第 1/3 页" in (people.last(BOSS).text or "")


async def test_task_card(people: BotHarness) -> None:
    """Units lead first, schedule, milestones, latest reports and recent changes."""
    await people.send(BOSS, "/due 4 2018-06-30 批准延期")
    [card] = await people.send(BOSS, "/task 4")
    assert card.text is not None
    lines = card.text.splitlines()
    assert lines[0] == "🟢 第 4 项任务 · gf-2015-5"
    assert "• 科技部 (牵头)" in lines
    assert "• 发展改革委 (配合)" in lines
    assert "时间进度: 2015—2017 年实施" in card.text
    assert "• 2018年6月30日 截止 (调整 1 次)" in lines
    assert "尚无报告。" in lines
    assert "最近变更" in lines
    assert (
        "• 2016年3月1日 10:00 · 主任：调整截止日期"
        "（截止日期：2017年12月31日 → 2018年6月30日；理由：批准延期）"
    ) in lines
    assert "• 2016年3月1日 10:00 · 命令行：导入任务" in lines
    [english] = await people.send(ENGLISH_BOSS, "/task gf-2015-5/4")
    assert english.text is not None
    assert english.text.startswith("🟢 Task No. 4 · gf-2015-5")


async def test_assign_unassign_and_the_notice(people: BotHarness) -> None:
    """/assign tells the agency's liaison; /unassign takes the agency off; the last lead stays."""
    before = len(people.sandbox.messages(LIAISON))
    [reply] = await people.send(BOSS, "/assign 7 Ministry of Science and Technology")
    assert reply.text == "科技部 已成为第 7 项任务的配合单位。"
    notices = people.sandbox.messages(LIAISON)[before:]
    assert any("7" in (m.text or "") for m in notices)
    [reply] = await people.send(BOSS, "/assign 7 科技部 牵头")
    assert reply.text == "科技部 现为第 7 项任务的牵头单位（原为配合）。"
    [reply] = await people.send(BOSS, "/assign 7 科技部 lead")
    assert reply.text == "科技部 已是第 7 项任务的牵头单位。"
    [reply] = await people.send(BOSS, "/unassign 7 工信部")
    assert reply.text == "工业和信息化部 已不再是第 7 项任务的责任单位。"
    [reply] = await people.send(BOSS, "/unassign 7 科技部")
    assert reply.text == "第 7 项任务将没有牵头单位；请先指定另一个牵头单位。"
    [audit] = await people.send(BOSS, "/audit 7")
    assert audit.text is not None
    lines = audit.text.splitlines()
    assert lines[0] == "第 7 项任务 · gf-2015-5 · 变更记录"
    assert (
        lines[3] == "• 2016年3月1日 10:00 · 主任：撤销责任单位（单位：工业和信息化部；角色：牵头）"
    )
    assert lines[4] == "• 2016年3月1日 10:00 · 主任：指定责任单位（角色：配合 → 牵头）"


async def test_due_and_milestone(people: BotHarness) -> None:
    """/due moves the due milestone and raises its sequence; /milestone adds one."""
    [reply] = await people.send(BOSS, "/due 12 2016年6月30日 同意延期")
    assert reply.text == "第 12 项任务的截止日期改为 2016年6月30日（原为 2015年12月31日）。"
    [reply] = await people.send(BOSS, "/milestone 12 5月1日 形成初稿")
    assert reply.text == "已为第 12 项任务新增节点“形成初稿”：2016年5月1日。"
    async with people.runtime.session() as session:
        task = await find_task(session, number=12)
        milestones = list(
            await session.scalars(
                select(Milestone).where(Milestone.task_id == task.id).order_by(Milestone.on_date)
            )
        )
    assert [(m.key, str(m.on_date), m.sequence) for m in milestones] == [
        ("custom-1", "2016-05-01", 0),
        ("due", "2016-06-30", 1),
    ]
    [red] = await people.send(BOSS, "/tasks red")
    assert "共 0 项" in (red.text or "")


async def test_nudge_reaches_liaisons(people: BotHarness) -> None:
    """/nudge urges the liaisons of the task's agencies, once a minute; the reply counts them."""
    [reply] = await people.send(BOSS, "/nudge 3")
    assert reply.text is not None
    lines = reply.text.splitlines()
    assert lines[0] == "已就第 3 项任务催办 2 人：科技部、工业和信息化部。"
    assert lines[1] == "尚无联络员：发展改革委、财政部、网信办、自然科学基金会。"
    urged = people.last(LIAISON)
    assert urged.text is not None
    assert urged.text.startswith("⏰ 催办（主任）\n第 3 项任务 · gf-2015-5")
    assert "截止日期：2017年12月31日。" in urged.text
    [[(label, data)]] = urged.buttons
    assert label == "立即报告"
    [card] = await people.press(LIAISON, urged.message_id, data)
    assert (card.text or "").startswith("🟢 第 3 项任务 · 牵头")
    assert "✅ 已完成" in [text for row in card.buttons for text, _ in row]
    [again] = await people.send(BOSS, "/nudge 3")
    assert (
        again.text
        == "刚刚已催办，未重复发送。\n尚无联络员：发展改革委、财政部、网信办、自然科学基金会。"
    )
    people.clock.advance(minutes=1)
    [only] = await people.send(BOSS, "/nudge 3 科技部")
    assert only.text == "已就第 3 项任务催办 1 人：科技部。"
    assert len([m for m in people.sandbox.messages(LIAISON) if "催办" in (m.text or "")]) == 2
    assert len([m for m in people.sandbox.messages(OTHER) if "催办" in (m.text or "")]) == 1


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/task 99", "没有第 99 项任务。"),
        ("/task abc", "用法：/task 编号（或 计划代码/编号），例如 /task 5"),
        ("/audit", "用法：/audit 编号，例如 /audit 5"),
        ("/assign 5 火星部", "没有名为“火星部”的单位；/agencies 可查看全部单位。"),
        ("/assign 5", "用法：/assign 编号 单位 [牵头|配合]，例如 /assign 5 工信部 配合"),
        ("/unassign 5 公安部", "公安部 不是第 5 项任务的责任单位。"),
        ("/due 5 2016-13-45 理由", "无法识别日期“2016-13-45”。请写作 2016-06-30 这样的格式。"),
        ("/due 5 2016-06-30", "用法：/due 编号 日期 理由，例如 /due 5 2016-06-30 同意延期"),
        (
            "/milestone x 2016-06-30 a",
            "用法：/milestone 编号 日期 名称，例如 /milestone 5 2016-06-30 形成初稿",
        ),
        ("/nudge 5 火星部", "没有名为“火星部”的单位；/agencies 可查看全部单位。"),
        ("/tasks 火星部", "没有名为“火星部”的单位；/agencies 可查看全部单位。"),
        ("/task other-plan/5", "没有第 5 项任务。"),
    ],
)
async def test_odd_input_gets_one_line(people: BotHarness, command: str, answer: str) -> None:
    """Wrong numbers, unknown agencies and malformed dates are answered in one line."""
    [reply] = await people.send(BOSS, command)
    assert reply.text == answer


async def test_english_usage(people: BotHarness) -> None:
    """Usage lines come in the member's language."""
    [reply] = await people.send(ENGLISH_BOSS, "/nudge")
    assert reply.text == "Usage: /nudge N [AGENCY], e.g. /nudge 5 科技部"


def test_long_cards_split_between_lines() -> None:
    """Over 4096 characters, a card becomes several messages, each within the limit."""
    lines = [f"• {n} " + "长" * 90 for n in range(100)]
    messages = split_message(lines)
    assert len(messages) > 1
    assert all(len(m) <= 4096 for m in messages)
    assert "\n".join(messages).splitlines() == lines


async def test_a_double_tap_on_a_page_button_is_quietly_ignored(
    people: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """The second tap edits the page into itself: Telegram says "not modified"; nobody hears."""
    [first] = await people.send(BOSS, "/tasks")
    before = len(people.sandbox.messages(BOSS))
    with caplog.at_level(logging.WARNING):
        people.sandbox.press(BOSS, first.message_id, "tpg:all:0:1")  # both taps before the edit
        await people.settle(people.sandbox.press(BOSS, first.message_id, "tpg:all:0:1"))
    assert "第 2/3 页" in (people.last(BOSS).text or "")
    assert len(people.sandbox.messages(BOSS)) == before
    assert any(
        "not modified" in (call.description or "")
        for call in people.sandbox.calls("editMessageText")
    )
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    answers = people.sandbox.calls("answerCallbackQuery")
    assert all("text" not in call.params for call in answers[-1:])
