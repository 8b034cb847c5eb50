"""Builders for the report, extension and review end-to-end tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.sandbox import ChatMessage
from db.models import StatusReport, Task
from tests.bot.harness import BotHarness
from tests.kit.cast import coordinator, liaison

LEAD, DEPUTY, CO, OTHER, BOSS, BOSS2 = 5001, 5002, 5003, 5004, 5009, 5010


async def people(harness: BotHarness) -> BotHarness:
    """The annex; 科技部 (lead of tasks 3 and 4), 发展改革委 (co on 3), 公安部, two coordinators."""
    await harness.cast(
        liaison(LEAD, "科技部", "小李"),
        liaison(DEPUTY, "科技部", "小张"),
        liaison(CO, "发展改革委", "小赵"),
        liaison(OTHER, "公安部", "小王"),
        coordinator(BOSS, "主任"),
        coordinator(BOSS2, "副主任"),
    )
    await harness.sender.drain()
    return harness


async def task_id(harness: BotHarness, number: int) -> int:
    """A task's id by number."""
    async with harness.runtime.session() as session:
        found = await session.scalar(select(Task.id).where(Task.number == number))
    assert found is not None
    return found


async def task_row(harness: BotHarness, number: int) -> Task:
    """A task row, fresh."""
    async with harness.runtime.session() as session:
        found = await session.scalar(select(Task).where(Task.number == number))
    assert found is not None
    return found


async def report_count(harness: BotHarness) -> int:
    """How many status reports exist."""
    async with harness.runtime.session() as session:
        return int(await session.scalar(select(func.count()).select_from(StatusReport)) or 0)


def button(message: ChatMessage, prefix: str) -> str:
    """The callback data of the first button of a message starting with a prefix."""
    return next(data for data in message.callback_data if data.startswith(prefix))


def last_answer(harness: BotHarness) -> dict[str, Any]:
    """The parameters of the bot's latest answerCallbackQuery."""
    return harness.sandbox.calls("answerCallbackQuery")[-1].params


async def open_card(harness: BotHarness, user_id: int, number: int) -> ChatMessage:
    """/mytasks, then the task's button: the card."""
    [listing] = await harness.send(user_id, "/mytasks")
    [card] = await harness.press(
        user_id, listing.message_id, f"myt:{await task_id(harness, number)}"
    )
    return card


async def forge_press(harness: BotHarness, user_id: int, message_id: int, data: str) -> str:
    """Press a button that is not on the message (a forged payload); returns the answer text."""
    state = harness.sandbox.state
    message = state.get_message(user_id, message_id)
    assert message is not None
    query_id = str(4_000_000_000 + state.next_serial())
    state.open_queries[query_id] = (user_id, message_id)
    injected = state.push_update(
        {
            "callback_query": {
                "id": query_id,
                "from": state.users[user_id].to_api(),
                "message": state.render(message),
                "chat_instance": f"sandbox{user_id}",
                "data": data,
            }
        }
    )
    await harness.settle(injected)
    answer = harness.sandbox.callback_answer(query_id)
    assert answer is not None
    return str(answer["text"])


async def press_twice(harness: BotHarness, user_id: int, message_id: int, data: str) -> None:
    """Press the same button twice before the bot handles the first press."""
    harness.sandbox.press(user_id, message_id, data)
    await harness.settle(harness.sandbox.press(user_id, message_id, data))


def current(harness: BotHarness, chat_id: int, message_id: int) -> ChatMessage:
    """A bot message as it stands now, edits applied."""
    return next(m for m in harness.sandbox.messages(chat_id) if m.message_id == message_id)


async def press_edit(harness: BotHarness, user_id: int, message_id: int, data: str) -> ChatMessage:
    """Press a button that edits its own message; returns the edited message."""
    assert await harness.press(user_id, message_id, data) == []
    return current(harness, user_id, message_id)
