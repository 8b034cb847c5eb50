"""Texts, entities and keyboards past Telegram's limits are refused, through PTB's real HTTP calls.

PTB strips "Bad Request: " and capitalises the rest, hence the case-insensitive matches.
"""

from __future__ import annotations

import httpx
import pytest
from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.sandbox import SandboxServer
from tests.bot.sandbox.images import png

ALICE = 42


def grid(rows: int, per_row: int) -> InlineKeyboardMarkup:
    """rows x per_row callback buttons with distinct data."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"{r}.{c}", callback_data=f"{r}.{c}") for c in range(per_row)]
         for r in range(rows)]
    )  # fmt: skip


async def test_a_101_entity_text_is_refused(bot: Bot, sandbox: SandboxServer) -> None:
    hundred = "".join(f"<b>{n}</b> " for n in range(100))
    sent = await bot.send_message(ALICE, hundred, parse_mode=ParseMode.HTML)
    assert len(sent.entities) == 100
    with pytest.raises(BadRequest, match=r"(?i)too many entities: 101.*\(sandbox limit\)"):
        await bot.send_message(ALICE, hundred + "<i>one more</i>", parse_mode=ParseMode.HTML)
    assert len(sandbox.messages(ALICE)) == 1


async def test_nested_and_explicit_entities_count_too(bot: Bot) -> None:
    nested = "".join(f"<b><i>{n}</i></b> " for n in range(50))
    await bot.send_message(ALICE, nested, parse_mode=ParseMode.HTML)  # 100 entities
    with pytest.raises(BadRequest, match=r"(?i)too many entities: 102"):
        await bot.send_message(ALICE, nested + "<b><i>x</i></b>", parse_mode=ParseMode.HTML)
    text = "x" * 101
    entities = [MessageEntity(MessageEntity.BOLD, n, 1) for n in range(101)]
    with pytest.raises(BadRequest, match=r"(?i)too many entities: 101"):
        await bot.send_message(ALICE, text, entities=entities)


async def test_entities_are_counted_in_edits_and_captions(bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "short")
    many = "<u>x</u>" * 101
    with pytest.raises(BadRequest, match=r"(?i)too many entities: 101"):
        await bot.edit_message_text(many, ALICE, sent.message_id, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)too many entities: 101"):
        await bot.send_document(ALICE, b"data", filename="a.csv", caption=many, parse_mode="HTML")


async def test_lengths_are_utf16_units_after_parsing(bot: Bot) -> None:
    await bot.send_message(ALICE, "😀" * 2048)  # 4096 UTF-16 units
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALICE, "😀" * 2048 + "x")
    await bot.send_document(ALICE, b"d", filename="a.csv", caption="<b>" + "字" * 1024 + "</b>",
                            parse_mode="HTML")  # fmt: skip
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_photo(ALICE, png(10, 10), caption="😀" * 512 + "x")


async def test_inline_rows_hold_eight_buttons_and_messages_hundred(bot: Bot) -> None:
    await bot.send_message(ALICE, "8 a row", reply_markup=grid(12, 8))  # 96 buttons
    await bot.send_message(ALICE, "100", reply_markup=grid(20, 5))
    with pytest.raises(BadRequest, match=r"(?i)row 1 has 9 buttons.*\(sandbox limit\)"):
        await bot.send_message(ALICE, "9 in a row", reply_markup=grid(1, 9))
    with pytest.raises(BadRequest, match=r"(?i)reply markup is too long"):
        await bot.send_message(ALICE, "101", reply_markup=grid(101, 1))
    sent = await bot.send_message(ALICE, "edit me")
    with pytest.raises(BadRequest, match=r"(?i)reply markup is too long"):
        await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=grid(17, 6))


async def test_button_texts_and_data(bot: Bot, sandbox: SandboxServer) -> None:
    empty = InlineKeyboardMarkup([[InlineKeyboardButton("", callback_data="x")]])
    with pytest.raises(BadRequest, match=r"(?i)text must be non-empty \(sandbox limit\)"):
        await bot.send_message(ALICE, "empty label", reply_markup=empty)
    no_data = {"inline_keyboard": [[{"text": "label", "callback_data": ""}]]}
    async with httpx.AsyncClient(base_url=sandbox.base_url + sandbox.token) as client:
        answer = await client.post(
            "/sendMessage", json={"chat_id": ALICE, "text": "t", "reply_markup": no_data}
        )
    assert answer.json()["description"] == (
        "Bad Request: can't parse inline keyboard button: "
        "Text buttons are unallowed in the inline keyboard"
    )
    link = InlineKeyboardMarkup([[InlineKeyboardButton("docs", url="https://example.org/a")]])
    await bot.send_message(ALICE, "a link", reply_markup=link)
    assert sandbox.last_message(ALICE).buttons == ((("docs", "https://example.org/a"),),)


async def test_reply_keyboards_and_force_reply(bot: Bot, sandbox: SandboxServer) -> None:
    twelve = ReplyKeyboardMarkup([[str(n) for n in range(12)]])
    await bot.send_message(ALICE, "pick", reply_markup=twelve)
    with pytest.raises(BadRequest, match=r"(?i)keyboard row 1 has 13 buttons"):
        await bot.send_message(
            ALICE, "pick", reply_markup=ReplyKeyboardMarkup([list("abcdefghijklm")])
        )
    with pytest.raises(BadRequest, match=r"(?i)keyboard has 301 buttons"):
        await bot.send_message(ALICE, "pick", reply_markup=ReplyKeyboardMarkup([["x"]] * 301))
    with pytest.raises(BadRequest, match=r"(?i)keyboard button text must be non-empty"):
        await bot.send_message(
            ALICE, "pick", reply_markup=ReplyKeyboardMarkup([[KeyboardButton("")]])
        )
    await bot.send_message(ALICE, "done", reply_markup=ReplyKeyboardRemove())

    asked = await bot.send_message(
        ALICE, "完成了多少？", reply_markup=ForceReply(input_field_placeholder="百" * 64)
    )
    assert sandbox.last_message(ALICE).reply_markup == {
        "force_reply": True,
        "input_field_placeholder": "百" * 64,
    }
    assert asked.reply_markup is None  # Telegram shows only inline keyboards on the message
    with pytest.raises(BadRequest, match=r"(?i)placeholder has 65 characters.*sandbox limit"):
        await bot.send_message(
            ALICE, "完成了多少？", reply_markup=ForceReply(input_field_placeholder="百" * 65)
        )


async def test_edits_carry_only_inline_keyboards(bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "进度？")
    with pytest.raises(BadRequest, match=r"(?i)^inline keyboard expected$"):
        await bot.edit_message_text("进度？", ALICE, sent.message_id, reply_markup=ForceReply())
    with pytest.raises(BadRequest, match=r"(?i)^inline keyboard expected$"):
        await bot.edit_message_reply_markup(
            ALICE, sent.message_id, reply_markup=ReplyKeyboardMarkup([["50%"]])
        )
    await bot.edit_message_text("进度：", ALICE, sent.message_id, reply_markup=grid(1, 2))
