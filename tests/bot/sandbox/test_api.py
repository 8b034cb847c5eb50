"""The sandbox answers python-telegram-bot's real HTTP calls the way Telegram does.

PTB strips "Bad Request: " and capitalises the rest, hence the case-insensitive matches.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, InvalidToken

from bot.sandbox import SandboxServer
from tests.bot.sandbox.images import png

ALICE = 42


def keyboard(*data: str) -> InlineKeyboardMarkup:
    """One row of buttons labelled and keyed by data."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


async def test_get_me_reports_the_bot(bot: Bot, sandbox: SandboxServer) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "annex_sandbox_bot", True)
    assert [c.method for c in sandbox.calls()][:2] == ["getMe", "getMe"]


async def test_send_edit_delete_and_read_back(bot: Bot, sandbox: SandboxServer) -> None:
    first = await bot.send_message(ALICE, "<b>任务</b> 1 &amp; 2", parse_mode=ParseMode.HTML,
                                   reply_markup=keyboard("sign:1"))  # fmt: skip
    second = await bot.send_message(ALICE, "plain")
    assert (first.message_id, second.message_id) == (1, 2)
    assert first.text == "任务 1 & 2"
    assert first.text_html == "<b>任务</b> 1 &amp; 2"
    assert first.from_user is not None
    assert first.from_user.id == 123456
    edited = await bot.edit_message_text("<i>done</i>", ALICE, first.message_id, parse_mode="HTML")
    assert not isinstance(edited, bool)
    assert edited.edit_date is not None
    assert await bot.delete_message(ALICE, second.message_id)

    stored = sandbox.messages(ALICE)
    assert [m.text for m in stored] == ["done", "plain"]
    assert stored[0].edited
    assert stored[0].history == ("任务 1 & 2",)
    assert stored[0].buttons == ()  # editMessageText without reply_markup drops the keyboard
    assert stored[1].deleted
    assert sandbox.calls("sendMessage")[0].params["chat_id"] == ALICE
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ALICE, second.message_id)


async def test_html_parse_error_is_a_bad_request(bot: Bot, sandbox: SandboxServer) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: Unsupported start tag \"br\""):
        await bot.send_message(ALICE, "a<br>b", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)Can't find end tag"):
        await bot.send_message(ALICE, "<b>a", parse_mode=ParseMode.HTML)
    assert sandbox.messages(ALICE) == []
    assert sandbox.calls("sendMessage")[0].status == 400


async def test_text_length_is_measured_after_entities(bot: Bot) -> None:
    await bot.send_message(ALICE, "x" * 4096)
    await bot.send_message(ALICE, "<b>" + "&lt;" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALICE, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ALICE, "<b> </b>", parse_mode="HTML")


async def test_callback_data_is_limited_to_64_bytes(bot: Bot, sandbox: SandboxServer) -> None:
    await bot.send_message(ALICE, "ok", reply_markup=keyboard("x" * 64))
    await bot.send_message(ALICE, "ok", reply_markup=keyboard("任" * 21))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(ALICE, "too long", reply_markup=keyboard("x" * 65))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(ALICE, "too long", reply_markup=keyboard("任" * 22))
    assert sandbox.last_message(ALICE).buttons == ((("任" * 21, "任" * 21),),)


async def test_edit_reply_markup_not_modified(bot: Bot, sandbox: SandboxServer) -> None:
    sent = await bot.send_message(ALICE, "pick", reply_markup=keyboard("a", "b"))
    await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("pick", ALICE, sent.message_id, reply_markup=keyboard("a"))
    assert sandbox.last_message(ALICE).buttons == ((("a", "a"),),)


async def test_replies_and_missing_targets(bot: Bot, sandbox: SandboxServer) -> None:
    asked = sandbox.send_text(ALICE, "question")
    assert asked.message_id is not None
    answer = await bot.send_message(
        ALICE, "answer", reply_parameters=ReplyParameters(asked.message_id)
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "question"
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(ALICE, "x", reply_to_message_id=99)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(777, "nobody there")


async def test_document_round_trip(bot: Bot, sandbox: SandboxServer) -> None:
    payload = bytes(range(256)) * 10 + b"\r\n--boundary\r\n"
    sent = await bot.send_document(
        ALICE, payload, filename='进度 "Q1".xlsx', caption="<b>报表</b>", parse_mode="HTML"
    )
    assert sent.document is not None
    assert sent.caption == "报表"
    stored = sandbox.last_message(ALICE).document
    assert stored is not None
    assert (stored.data, stored.filename) == (payload, '进度 "Q1".xlsx')
    assert stored.mime_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == payload
    again = await bot.send_document(ALICE, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_id == sent.document.file_id


async def test_photo_and_chat_action(bot: Bot, sandbox: SandboxServer) -> None:
    sent = await bot.send_photo(ALICE, png(40, 30), filename="chart.png")
    assert [(size.width, size.height) for size in sent.photo] == [(40, 30)]
    assert sandbox.last_message(ALICE).photo is not None
    assert await bot.send_chat_action(ALICE, "typing")
    async with httpx.AsyncClient(base_url=sandbox.base_url + sandbox.token) as client:
        missing = await client.post("/sendDocument", json={"chat_id": ALICE})
    assert missing.json()["description"] == "Bad Request: there is no document in the request"


async def test_commands_per_scope_and_language(bot: Bot, sandbox: SandboxServer) -> None:
    await bot.set_my_commands([BotCommand("start", "开始"), BotCommand("tasks", "我的任务")])
    await bot.set_my_commands(
        [BotCommand("tasks", "My tasks")], scope=BotCommandScopeChat(ALICE), language_code="en"
    )
    assert [c.command for c in await bot.get_my_commands()] == ["start", "tasks"]
    scoped = await bot.get_my_commands(scope=BotCommandScopeChat(ALICE), language_code="en")
    assert [(c.command, c.description) for c in scoped] == [("tasks", "My tasks")]
    assert sandbox.commands(scope={"type": "chat", "chat_id": ALICE}, language_code="en") == [
        ("tasks", "My tasks")
    ]
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])
    assert await bot.set_chat_menu_button(ALICE, MenuButtonCommands())
    assert isinstance(await bot.get_chat_menu_button(ALICE), MenuButtonCommands)


async def test_wrong_token_and_unknown_method(sandbox: SandboxServer) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as client:
        wrong = await client.post("/bot1:nope/getMe")
        unknown = await client.post(f"/bot{sandbox.token}/getNothing")
        form = await client.post(
            f"/bot{sandbox.token}/sendMessage", data={"chat_id": "42", "text": "form"}
        )
        query = await client.get(f"/bot{sandbox.token}/sendMessage?chat_id=42&text=query")
    assert (wrong.status_code, wrong.json()) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert unknown.status_code == 404
    assert unknown.json()["description"] == "Not Found"
    assert form.json()["result"]["text"] == "form"
    assert query.json()["ok"]
    with pytest.raises(InvalidToken):
        async with Bot("1:nope", base_url=sandbox.base_url):
            pass


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    bot: Bot, sandbox: SandboxServer
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await sandbox.wait_until(lambda: len(sandbox.calls("getUpdates")) == 1)
    sandbox.send_text(ALICE, "/start abc")
    async with asyncio.timeout(2):
        updates = await poll
    assert [u.message.text for u in updates if u.message] == ["/start abc"]
    assert updates[0].message is not None
    assert updates[0].message.text is not None
    assert updates[0].message.entities[0].type == "bot_command"
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()


async def test_a_second_poller_terminates_the_first(bot: Bot, sandbox: SandboxServer) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await sandbox.wait_until(lambda: len(sandbox.calls("getUpdates")) == 1)
    async with httpx.AsyncClient(base_url=sandbox.base_url + sandbox.token) as other_instance:
        second = asyncio.create_task(other_instance.post("/getUpdates", json={"timeout": 10}))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first
        sandbox.send_text(ALICE, "hello")
        assert len((await second).json()["result"]) == 1
