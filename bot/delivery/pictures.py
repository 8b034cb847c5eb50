"""Sending pictures within Telegram's limits: pages as albums of 2-10, the whole as a file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Bot, InputMediaPhoto, Message
from telegram.constants import ParseMode

from bot.limits import MEDIA_GROUP_LIMIT


@dataclass(frozen=True)
class Pictures:
    """Pages of a picture (PNG), the HTML caption of the first, and the whole as a file."""

    pages: tuple[bytes, ...]
    caption: str
    file: bytes | None = None
    filename: str = "chart.png"
    file_caption: str = ""


def albums(count: int) -> list[range]:
    """Pages split into as few albums as Telegram allows (2-10 each), as even as can be."""
    if count <= 1:
        return [range(count)]
    groups = -(-count // MEDIA_GROUP_LIMIT)
    size, extra = divmod(count, groups)
    ranges, start = [], 0
    for index in range(groups):
        end = start + size + (1 if index < extra else 0)
        ranges.append(range(start, end))
        start = end
    return ranges


async def send_pictures(bot: Bot, chat_id: int, pictures: Pictures, **timeouts: Any) -> Message:
    """Send the pages (one photo, or albums) and then the file; returns the first message."""
    assert pictures.pages, "nothing to send"
    first: Message | None = None
    for group in albums(len(pictures.pages)):
        if len(group) == 1:
            sent = await bot.send_photo(
                chat_id,
                pictures.pages[group[0]],
                caption=pictures.caption if first is None else None,
                parse_mode=ParseMode.HTML,
                **timeouts,
            )
        else:
            media = [
                InputMediaPhoto(
                    pictures.pages[index],
                    caption=pictures.caption if first is None and index == group[0] else None,
                    parse_mode=ParseMode.HTML,
                )
                for index in group
            ]
            sent = (await bot.send_media_group(chat_id, media, **timeouts))[0]
        first = first or sent
    if pictures.file is not None:
        await bot.send_document(
            chat_id,
            pictures.file,
            filename=pictures.filename,
            caption=pictures.file_caption or None,
            parse_mode=ParseMode.HTML,
            **timeouts,
        )
    assert first is not None
    return first
