"""Odd input gets a short helpful reply or a quiet ignore, never a crash."""

from __future__ import annotations

import logging

import pytest
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from tests.bot.harness import BotHarness
from tests.kit.cast import coordinator, liaison

LIAISON = 2001
COORDINATOR = 2002
ENGLISH = 2003
GROUP = -1001234567890


@pytest.fixture
async def people(harness: BotHarness) -> BotHarness:
    """A Chinese liaison of 科技部, a coordinator, and an English-speaking liaison."""
    await harness.cast(
        liaison(LIAISON, "科技部", "张三"),
        coordinator(COORDINATOR, "李四"),
        liaison(ENGLISH, "财政部", "Ann", language="en"),
    )
    return harness


async def test_an_unknown_command_points_to_help(people: BotHarness) -> None:
    """A command nobody handles gets one line in the member's language."""
    [reply] = await people.send(LIAISON, "/frobnicate now")
    assert reply.text == "未知命令。发送 /help 查看可用功能。"
    [reply] = await people.send(ENGLISH, "/Frobnicate")
    assert reply.text == "Unknown command. /help lists what you can do."


async def test_a_command_another_module_answers_gets_no_unknown_reply(
    people: BotHarness,
) -> None:
    """A handler added in an ordinary group answers alone; the fallback stays quiet."""

    async def pong(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("pong")

    people.application.add_handler(CommandHandler("ping", pong))
    replies = await people.send(LIAISON, "/ping")
    assert [r.text for r in replies] == ["pong"]


async def test_a_command_of_another_bot_is_ignored(people: BotHarness) -> None:
    """/cmd@other_bot is not ours to answer."""
    assert await people.send(LIAISON, "/frobnicate@other_bot") == []


async def test_help_shows_a_liaisons_commands(people: BotHarness) -> None:
    """A liaison's /help lists their commands, names their agency and explains notes."""
    [reply] = await people.send(LIAISON, "/help")
    assert reply.text.startswith("作为科技部的联络员，您可以：")
    assert "/mytasks — 本单位的任务及进展" in reply.text
    assert "/extend" in reply.text
    assert "/assign" not in reply.text
    assert "回复我关于某项任务的消息" in reply.text
    [english] = await people.send(ENGLISH, "/help")
    assert english.text.startswith("What you can do for 财政部:")
    assert "/leave — Stop receiving messages from the bot" in english.text
    lines = english.text.splitlines()
    extend = lines.index("/extend — Ask for more time on a task")
    assert lines[extend + 1] == (
        "    Write /extend N DATE REASON, e.g. /extend 3 2016-09-30 survey delayed."
    )


async def test_help_shows_a_coordinators_commands(people: BotHarness) -> None:
    """A coordinator's /help lists the coordinator commands."""
    [reply] = await people.send(COORDINATOR, "/help")
    assert reply.text.startswith("作为协调人，您可以：")
    for command in ("/tasks", "/assign", "/nudge", "/audit", "/invite", "/members"):
        assert f"{command} — " in reply.text
    assert "/mytasks" not in reply.text
    lines = reply.text.splitlines()
    due = lines.index("/due — 设置任务完成时限")
    assert lines[due + 1] == "    用法：/due 编号 日期 理由，例如 /due 5 2016-06-30 同意延期"
    assert reply.source is not None
    assert "    <i>用法：/audit 编号，例如 /audit 5</i>" in reply.source.splitlines()
    assert lines[lines.index("/members — 已注册成员") + 1].startswith("/")  # no arguments


async def test_extend_as_a_coordinator_points_to_due(people: BotHarness) -> None:
    """Coordinators do not ask for extensions: they move the date."""
    [reply] = await people.send(COORDINATOR, "/extend 3 2018-01-01 理由")
    assert reply.text == (
        "协调人请用 /due 编号 日期 理由 直接调整截止日期，例如 /due 5 2016-06-30 同意延期。"
    )


async def test_plain_text_gets_a_hint(people: BotHarness) -> None:
    """Text that is not a reply tells the member how notes work."""
    [reply] = await people.send(LIAISON, "第5项任务进展顺利")
    assert reply.text == "如需为任务添加备注，请回复我关于该任务的消息。发送 /help 查看可用功能。"


async def test_an_edited_message_is_ignored(people: BotHarness) -> None:
    """Editing a message (even into a command) gets no answer."""
    await people.send(LIAISON, "hello")
    [mine] = [m for m in people.sandbox.messages(LIAISON, include_user=True) if not m.from_bot]
    before = len(people.sandbox.messages(LIAISON))
    await people.settle(people.sandbox.edit_text(LIAISON, mine.message_id, "/frobnicate"))
    await people.settle(people.sandbox.edit_text(LIAISON, mine.message_id, "/help"))
    assert len(people.sandbox.messages(LIAISON)) == before


async def test_being_added_to_a_group_says_it_works_in_private(
    people: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """Added to a group: one short message there; commands there get it too, chatter nothing."""
    await people.settle(people.sandbox.add_to_group(GROUP, "督查组", by_user=COORDINATOR))
    [hello] = people.sandbox.messages(GROUP)
    assert hello.text == "本机器人只在私聊中使用，请直接给我发消息：@annex_sandbox_bot"
    await people.settle(people.sandbox.send_text(COORDINATOR, "大家好", chat_id=GROUP))
    assert len(people.sandbox.messages(GROUP)) == 1
    await people.settle(
        people.sandbox.send_text(COORDINATOR, "/tasks@annex_sandbox_bot", chat_id=GROUP)
    )
    assert [m.text for m in people.sandbox.messages(GROUP)] == [hello.text, hello.text]
    assert people.sandbox.messages(COORDINATOR) == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_channel_posts_and_userless_updates_are_ignored(
    people: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """A channel post reaches the bot and nothing happens, without an error."""
    channel = {"id": -1009876543210, "type": "channel", "title": "通知"}
    post = {"message_id": 1, "date": 1456797600, "chat": channel, "text": "/help"}
    await people.settle(people.sandbox.state.push_update({"channel_post": post}))
    await people.settle(people.sandbox.state.push_update({"edited_channel_post": post}))
    assert people.sandbox.calls("sendMessage") == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
