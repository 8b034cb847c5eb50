"""setMyCommands refuses what Telegram refuses: names, descriptions, counts, scopes, languages."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
    BotCommandScopeChatMember,
    BotCommandScopeDefault,
)
from telegram.error import BadRequest

from bot.sandbox import SandboxServer

ALICE, GROUP = 42, -1001234
START = [BotCommand("start", "开始")]


async def raw_set(sandbox: SandboxServer, **params: Any) -> str:
    """setMyCommands sent as JSON, as any client may; returns Telegram's description."""
    async with httpx.AsyncClient(base_url=sandbox.base_url + sandbox.token) as client:
        answer = await client.post("/setMyCommands", json={"commands": [], **params})
    assert answer.status_code == 400
    description = answer.json()["description"]
    assert isinstance(description, str)
    return description


async def test_every_scope_type_with_its_fields(bot: Bot, sandbox: SandboxServer) -> None:
    sandbox.add_to_group(GROUP, "督办群", by_user=ALICE)
    scopes = [
        BotCommandScopeDefault(),
        BotCommandScopeAllPrivateChats(),
        BotCommandScopeAllGroupChats(),
        BotCommandScopeAllChatAdministrators(),
        BotCommandScopeChat(ALICE),
        BotCommandScopeChatAdministrators(GROUP),
        BotCommandScopeChatMember(GROUP, ALICE),
    ]
    for scope in scopes:
        assert await bot.set_my_commands(START, scope=scope, language_code="zh")
        assert [c.command for c in await bot.get_my_commands(scope=scope, language_code="zh")] == [
            "start"
        ]
    scope = {"type": "chat_member", "chat_id": GROUP, "user_id": ALICE}
    assert sandbox.commands(scope=scope, language_code="zh") == [("start", "开始")]


async def test_unknown_scopes_and_chats_are_refused(bot: Bot, sandbox: SandboxServer) -> None:
    prefix = "Bad Request: can't parse BotCommandScope: "
    assert await raw_set(sandbox, scope={"type": "everyone"}) == (
        prefix + "Unsupported type specified"
    )
    assert await raw_set(sandbox, scope={}) == prefix + 'Can\'t find field "type"'
    assert await raw_set(sandbox, scope={"type": "chat"}) == prefix + 'Can\'t find field "chat_id"'
    assert await raw_set(sandbox, scope={"type": "chat", "chat_id": ""}) == (
        prefix + "Empty chat_id specified"
    )
    member = {"type": "chat_member", "chat_id": ALICE}
    assert await raw_set(sandbox, scope=member) == prefix + 'Can\'t find field "user_id"'
    with pytest.raises(BadRequest, match=r"(?i)^chat not found$"):
        await bot.set_my_commands(START, scope=BotCommandScopeChat(777))
    with pytest.raises(BadRequest, match=r"(?i)^chat not found$"):
        await bot.get_my_commands(scope=BotCommandScopeChatAdministrators(-100999))


@pytest.mark.parametrize("code", ["zh-hans", "ZH", "chi", "z", "en_US", "zh-CN"])
async def test_language_codes_are_two_lowercase_letters(bot: Bot, code: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)^invalid language code specified$"):
        await bot.set_my_commands(START, language_code=code)
    with pytest.raises(BadRequest, match=r"(?i)^invalid language code specified$"):
        await bot.delete_my_commands(language_code=code)


async def test_command_names_and_descriptions(bot: Bot, sandbox: SandboxServer) -> None:
    await bot.set_my_commands(
        [BotCommand("a" * 32, "x" * 256), BotCommand(" /help ", "  帮助  "), BotCommand("t_2", "y")]
    )
    assert sandbox.commands() == [("a" * 32, "x" * 256), ("help", "帮助"), ("t_2", "y")]
    refusals = {
        "a" * 33: ("x", "command length must not exceed 32"),
        "ok": ("x" * 257, "command description length must not exceed 256"),
        "fine": ("   ", "command description must be non-empty"),
        "/": ("x", "command must be non-empty"),
        "Tasks": ("x", "BOT_COMMAND_INVALID"),
        "任务": ("x", "BOT_COMMAND_INVALID"),
        "my-tasks": ("x", "BOT_COMMAND_INVALID"),
    }
    for name, (description, error) in refusals.items():
        with pytest.raises(BadRequest, match=f"(?i)^{error}$"):
            await bot.set_my_commands([BotCommand(name, description)])
    assert sandbox.commands() == [("a" * 32, "x" * 256), ("help", "帮助"), ("t_2", "y")]


async def test_at_most_100_commands(bot: Bot, sandbox: SandboxServer) -> None:
    hundred = [BotCommand(f"c{n}", f"command {n}") for n in range(100)]
    await bot.set_my_commands(hundred, scope=BotCommandScopeAllPrivateChats())
    with pytest.raises(BadRequest, match=r"(?i)^BOT_COMMANDS_TOO_MUCH$"):
        await bot.set_my_commands([*hundred, BotCommand("c100", "one more")])
    assert len(sandbox.commands(scope={"type": "all_private_chats"})) == 100
