"""/chart end to end: a photo of the plan for coordinators, of their tasks for liaisons."""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest

from bot.files import chart
from db.enums import MemberRole
from tests.bot.harness import BotHarness
from tests.kit.office import BILINGUAL_OFFICE, BOSS, ENGLISH_BOSS, LIAISON

STRANGER = 6004


@pytest.fixture
async def people(harness: BotHarness) -> BotHarness:
    """The bundled annex, a Chinese and an English coordinator, a liaison of 科技部."""
    await harness.cast(*BILINGUAL_OFFICE)
    return harness


@pytest.fixture
def no_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine without any CJK font."""
    monkeypatch.setattr(chart, "FONT_PACKAGE", "no_such_font_package")
    monkeypatch.setattr(chart, "CJK_FAMILIES", ("No Such CJK Font",))
    chart.reset_font_cache()
    yield
    chart.reset_font_cache()


def png_width(data: bytes | None) -> int:
    """The width in a PNG's header."""
    assert data is not None
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width: int = struct.unpack(">I", data[16:20])[0]
    return width


async def test_a_coordinator_gets_the_whole_plan(people: BotHarness) -> None:
    """One photo, captioned with the plan, the day and the count by light."""
    [photo] = await people.send(BOSS, "/chart")
    assert photo.photo is not None
    assert png_width(photo.photo.data) == 958  # one page: the bundled plan fits it
    assert photo.caption == (
        "国发〔2015〕5号任务进度（2016-03-01）\n🔴 1 · 🟡 0 · 🟢 22 · ✓ 已完成 0"
    )


async def test_in_english_and_by_plan_code(people: BotHarness) -> None:
    """The English caption; a plan named by its code; an unknown code is a polite line."""
    [photo] = await people.send(ENGLISH_BOSS, "/chart gf-2015-5")
    assert photo.photo is not None
    assert photo.caption == (
        "国发〔2015〕5号: progress on 2016-03-01\n🔴 1 · 🟡 0 · 🟢 22 · ✓ 0 done"
    )
    [refused] = await people.send(ENGLISH_BOSS, "/chart nope")
    assert refused.text == "No plan matches “nope”. /plans lists them."
    [refused] = await people.send(BOSS, "/chart nope")
    assert refused.text == "没有与“nope”相符的计划。/plans 可查看全部计划。"


async def test_a_liaison_gets_their_agencys_tasks(people: BotHarness) -> None:
    """科技部 leads or co-handles ten tasks: the chart is of those."""
    [photo] = await people.send(LIAISON, "/chart")
    assert photo.photo is not None
    assert photo.caption == (
        "科技部承担的国发〔2015〕5号任务（2016-03-01）\n🔴 0 · 🟡 0 · 🟢 10 · ✓ 已完成 0"
    )


async def test_strangers_and_an_empty_database(harness: BotHarness) -> None:
    """Without registration: the usual pointer; before any import: nothing to chart."""
    harness.sandbox.add_user(STRANGER, "路人")
    [refused] = await harness.send(STRANGER, "/chart")
    assert refused.photo is None
    assert refused.text is not None
    assert "邀请" in refused.text
    await harness.add_member(BOSS, "主任", role=MemberRole.COORDINATOR)
    [empty] = await harness.send(BOSS, "/chart")
    assert empty.text == "还没有可以绘图的任务。"


async def test_without_a_font_a_line_says_so(people: BotHarness, no_font: None) -> None:
    """No CJK font: no photo, a short line pointing to /tasks."""
    [line] = await people.send(BOSS, "/chart")
    assert line.photo is None
    assert line.text == "暂时无法生成进度图：服务器未安装中文字体。请改用 /tasks。"
    assert not people.sandbox.calls("sendPhoto")
