"""Reading a command's message and answering it in HTML: what command handlers share."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackContext

from bot.chat.arguments import command_arguments
from bot.runtime import runtime_of


def incoming(update: Update) -> tuple[Message, int, str]:
    """The command's message, the sender's Telegram id and the text after the command."""
    message, user_id = answering(update)
    return message, user_id, command_arguments(message.text)


def answering(update: Update) -> tuple[Message, int]:
    """The message to answer (a command, or the one under a pressed button) and who asked."""
    message, user = update.effective_message, update.effective_user
    assert message is not None
    assert user is not None
    return message, user.id


def today(context: CallbackContext[Any, Any, Any, Any]) -> dt.date:
    """Today in the bot's timezone, for dates typed without a year."""
    runtime = runtime_of(context)
    return runtime.now().astimezone(zoneinfo.ZoneInfo(runtime.settings.timezone)).date()


async def reply_html(
    message: Message, texts: Sequence[str], buttons: InlineKeyboardMarkup | None = None
) -> None:
    """Send one or more HTML replies; buttons go on the last."""
    for index, text in enumerate(texts):
        last = index == len(texts) - 1
        await message.reply_text(
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=buttons if last else None,
            disable_web_page_preview=True,
        )
