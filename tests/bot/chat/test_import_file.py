"""A coordinator sends an annex file to the bot: preview, confirm, re-import with a diff."""

from __future__ import annotations

import io

import docx
import pytest
from sqlalchemy import func, select

from bot.chat.handlers import import_file
from db.enums import MemberRole
from db.models import Plan, Task
from tests.bot.harness import BotHarness
from workflows.importing.service import bundled_annex

BOSS, LIAISON = 1001, 2001
BUNDLED = bundled_annex("gf-2015-5")


async def _counts(harness: BotHarness) -> tuple[int, int]:
    """How many plans and live tasks the database holds."""
    async with harness.runtime.session() as session:
        plans = await session.scalar(select(func.count(Plan.id)))
        tasks = await session.scalar(select(func.count(Task.id)).where(Task.removed_at.is_(None)))
    return plans or 0, tasks or 0


@pytest.fixture
async def boss(harness: BotHarness) -> BotHarness:
    """A coordinator, and no plan yet."""
    await harness.add_member(BOSS, "王主任", role=MemberRole.COORDINATOR)
    return harness


async def test_upload_preview_then_import(boss: BotHarness) -> None:
    """The preview names the plan and the first tasks and writes nothing; ✅ imports it."""
    [preview] = await boss.send_file(BOSS, "gf-2015-5.txt", BUNDLED)
    assert "📄 gf-2015-5.txt：读到 23 项任务" in preview.text
    assert "新计划：gf-2015-5" in preview.text
    assert "1. 发展改革委（牵头）、工业和信息化部" in preview.text
    assert "……另有 18 项任务。" in preview.text
    assert preview.callback_data == ["imp:gf-2015-5", "imn", "imx"]
    assert preview.reply_to is not None
    assert await _counts(boss) == (0, 0)

    await boss.press(BOSS, preview.message_id, "imp:gf-2015-5")
    assert "✅ 已导入计划 gf-2015-5：23 项任务" in boss.last(BOSS).text
    assert boss.last(BOSS).callback_data == []
    assert await _counts(boss) == (1, 23)


async def test_a_revised_file_shows_the_diff_and_applies_on_confirm(boss: BotHarness) -> None:
    """A changed schedule in a re-sent file is listed; nothing moves until ✅ Apply changes."""
    [first] = await boss.send_file(BOSS, "gf-2015-5.txt", BUNDLED)
    await boss.press(BOSS, first.message_id, "imp:gf-2015-5")
    revised = BUNDLED.decode("utf-8").replace("2015—2017 年实施", "2015—2018 年实施", 1)
    [preview] = await boss.send_file(BOSS, "gf-2015-5-rev.txt", revised.encode("utf-8"))
    assert "与计划 gf-2015-5 相比：新增 0 项，删除 0 项，修改 1 项。" in preview.text
    assert "时间进度" in preview.text
    assert preview.callback_data == ["imp:gf-2015-5", "imx"]

    [same] = await boss.send_file(BOSS, "gf-2015-5.txt", BUNDLED)
    assert "与计划 gf-2015-5 相同，没有需要修改的内容。" in same.text
    assert same.callback_data == []

    await boss.press(BOSS, preview.message_id, "imp:gf-2015-5")
    [decided] = [m for m in boss.sandbox.messages(BOSS) if m.message_id == preview.message_id]
    assert "✅ 计划 gf-2015-5 已更新：新增 0 项，删除 0 项，修改 1 项。" in decided.text


async def test_cancel_and_naming_the_plan(boss: BotHarness) -> None:
    """Cancel writes nothing; replying to one's file with a code previews it under that code."""
    [preview] = await boss.send_file(BOSS, "gf-2015-5.txt", BUNDLED)
    await boss.press(BOSS, preview.message_id, "imx")
    assert "已取消，没有导入任何内容。" in boss.last(BOSS).text
    assert await _counts(boss) == (0, 0)

    file_message = next(
        m for m in boss.sandbox.messages(BOSS, include_user=True) if m.document is not None
    )
    [renamed] = await boss.reply(BOSS, file_message.message_id, "yunjisuan")
    assert "新计划：yunjisuan" in renamed.text
    await boss.press(BOSS, renamed.message_id, "imp:yunjisuan")
    async with boss.runtime.session() as session:
        assert await session.scalar(select(Plan.code)) == "yunjisuan"


async def test_a_word_file_with_the_annex_as_a_table(boss: BotHarness) -> None:
    """A .docx whose annex is a Word table previews like the text."""
    document = docx.Document()
    document.add_paragraph("国务院关于促进云计算创新发展培育信息产业新业态的意见")
    document.add_paragraph("国发〔2015〕5号")
    table = document.add_table(rows=1, cols=4)
    for cell, word in zip(
        table.rows[0].cells, ("序号", "工作任务", "负责单位", "时间进度"), strict=True
    ):
        cell.text = word
    for number, task, units, when in (
        ("1", "完善云计算市场准入制度。", "工业和信息化部、发展改革委", "2015年底前"),
        ("2", "加强云计算网络安全防护。", "网信办牵头，公安部参与", "持续推进"),
    ):
        cells = table.add_row().cells
        for cell, value in zip(cells, (number, task, units, when), strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    [preview] = await boss.send_file(BOSS, "附件.docx", buffer.getvalue())
    assert "读到 2 项任务" in preview.text, preview.text
    assert "1. 工业和信息化部（牵头）、发展改革委 · 2015年12月31日" in preview.text


async def test_refusals(boss: BotHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    """Liaisons may not import; a file that is no annex, or too large, gets a clear answer."""
    await boss.import_bundled()
    await boss.add_member(LIAISON, "李明", agency="科技部")
    [refused] = await boss.send_file(LIAISON, "plan.txt", BUNDLED.replace(b"5", b"6"))
    assert refused.text == "只有协调人可以执行此操作。"

    [not_annex] = await boss.send_file(BOSS, "notes.txt", "会议记录：下周再议。".encode())
    assert "no numbered task" in not_annex.text, not_annex.text
    assert await _counts(boss) == (1, 23)

    monkeypatch.setattr(import_file, "MAX_FILE_BYTES", 1000)
    [too_large] = await boss.send_file(BOSS, "gf-2015-5.txt", BUNDLED)
    assert too_large.text.startswith("文件太大，不像是附件")
