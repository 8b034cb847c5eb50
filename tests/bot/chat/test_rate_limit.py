"""Chats are served side by side, each in order; charts, exports and digests are rationed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from bot.chat.handlers import chart
from bot.chat.rate_limit import ExpensiveActions
from tests.bot.harness import BotHarness
from tests.kit.office import BILINGUAL_OFFICE, BOSS, ENGLISH_BOSS, LIAISON

BURST = ExpensiveActions().burst


@pytest.fixture
async def office(harness: BotHarness) -> BotHarness:
    """The bundled annex, a Chinese and an English coordinator, a liaison of 科技部."""
    await harness.cast(*BILINGUAL_OFFICE)
    return harness


@pytest.fixture
def held_charts(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Charts are drawn only once the event is set (the drawing thread waits for it)."""
    release = threading.Event()
    draw = chart.chart_pictures

    def held(*args: Any, **kwargs: Any) -> Any:
        assert release.wait(timeout=30)
        return draw(*args, **kwargs)

    monkeypatch.setattr(chart, "chart_pictures", held)
    yield release
    release.set()


@pytest.fixture
def fontless(monkeypatch: pytest.MonkeyPatch) -> None:
    """Charts cost nothing to draw: there is no font, so /chart answers in one line."""
    monkeypatch.setattr(chart, "chart_pictures", lambda *_args, **_kwargs: None)


async def test_fifty_charts_do_not_delay_another_members_answer(
    office: BotHarness, held_charts: threading.Event
) -> None:
    """While the first of fifty /chart is still drawing, the liaison's /mytasks is answered."""
    for _ in range(50):
        office.sandbox.send_text(BOSS, "/chart")
    asked = office.sandbox.send_text(LIAISON, "/mytasks")
    await office.sandbox.wait_until(lambda: bool(office.sandbox.messages(LIAISON)), timeout=10)
    assert "科技部" in office.sandbox.messages(LIAISON)[0].text
    assert office.sandbox.messages(BOSS) == []  # the chart is still being drawn
    held_charts.set()
    await office.settle(asked)
    answers = office.sandbox.messages(BOSS)
    photos = [message for message in answers if message.photo is not None]
    assert len(photos) == BURST
    [wait] = [message for message in answers if message.photo is None]
    assert wait.text == "请求过于频繁，请 20 秒后再试。"


async def test_one_chats_updates_stay_in_order(
    office: BotHarness, held_charts: threading.Event
) -> None:
    """A command sent while one's chart is drawing is answered after the chart, not before."""
    office.sandbox.send_text(BOSS, "/chart")
    helped = office.sandbox.send_text(BOSS, "/help")
    office.sandbox.send_text(LIAISON, "/help")
    # Another chat's later update has gone all the way through; this chat's waits its turn.
    await office.sandbox.wait_until(lambda: bool(office.sandbox.messages(LIAISON)), timeout=10)
    assert office.sandbox.messages(BOSS) == []
    held_charts.set()
    await office.settle(helped)
    photo, help_text = office.sandbox.messages(BOSS)
    assert photo.photo is not None
    assert help_text.photo is None
    assert "/chart" in help_text.text


async def test_please_wait_once_then_served_again(office: BotHarness, fontless: None) -> None:
    """Past the burst one polite line, then silence until the wait is over, then served."""
    for _ in range(BURST):
        [answer] = await office.send(ENGLISH_BOSS, "/chart")
        assert answer.text == "The chart is unavailable: no Chinese font is installed. Try /tasks."
    [refused] = await office.send(ENGLISH_BOSS, "/chart")
    assert refused.text == "Please wait 20 s before asking for that again."
    office.clock.advance(seconds=5)
    assert await office.send(ENGLISH_BOSS, "/export") == []
    assert await office.send(ENGLISH_BOSS, "/digest") == []
    office.clock.advance(seconds=15)
    [served] = await office.send(ENGLISH_BOSS, "/chart")
    assert served.text.startswith("The chart is unavailable")
    [refused] = await office.send(ENGLISH_BOSS, "/chart")
    assert refused.text == "Please wait 20 s before asking for that again."


async def test_the_ration_is_per_member(office: BotHarness, fontless: None) -> None:
    """One coordinator's spent ration leaves the other's whole; cheap commands are not counted."""
    for _ in range(BURST + 1):
        await office.send(ENGLISH_BOSS, "/chart")
    [answer] = await office.send(BOSS, "/chart")
    assert answer.text == "暂时无法生成进度图：服务器未安装中文字体。请改用 /tasks。"
    [listing] = await office.send(ENGLISH_BOSS, "/help")
    assert "/chart" in listing.text


async def test_a_file_import_is_rationed(office: BotHarness, fontless: None) -> None:
    """Files sent to be imported, and replies naming a file's plan, count against the ration."""
    [preview] = await office.send_file(ENGLISH_BOSS, "annex.txt", "序号\t工作任务".encode())
    assert preview.text is not None
    file_message = next(
        m for m in office.sandbox.messages(ENGLISH_BOSS, include_user=True) if m.document
    )
    for _ in range(BURST - 1):
        await office.send(ENGLISH_BOSS, "/chart")
    [refused] = await office.reply(ENGLISH_BOSS, file_message.message_id, "yunjisuan")
    assert refused.text == "Please wait 20 s before asking for that again."
    office.clock.advance(seconds=20)
    [named] = await office.reply(ENGLISH_BOSS, file_message.message_id, "yunjisuan")
    assert named.text is not None
    assert named.text.startswith("no numbered task found")  # read again: served
    [refused] = await office.send_file(ENGLISH_BOSS, "annex.txt", "序号\t工作任务".encode())
    assert refused.text == "Please wait 20 s before asking for that again."
