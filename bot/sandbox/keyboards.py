"""reply_markup checked like Telegram: inline and reply keyboards, keyboard removal, ForceReply."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.limits import (
    MAX_CALLBACK_DATA,
    MAX_INLINE_BUTTONS,
    MAX_INLINE_ROW,
    MAX_PLACEHOLDER,
    MAX_REPLY_BUTTONS,
    MAX_REPLY_ROW,
    stricter,
)
from bot.sandbox.markup import utf16_len
from bot.sandbox.models import Button

_ACTION_KEYS = frozenset(
    {
        "switch_inline_query", "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat", "login_url", "web_app", "pay", "callback_game",
        "copy_text",
    }
)  # fmt: skip
_BUTTON_URL = re.compile(r"(?:https?|tg)://\S+", re.IGNORECASE)
_INLINE = "can't parse inline keyboard button: "
_REPLY = "can't parse keyboard button: "

Markup = tuple[dict[str, Any] | None, tuple[tuple[Button, ...], ...]]


def parse_markup(raw: Any, *, inline_only: bool = False) -> Markup:
    """Validates reply_markup; inline keyboards come back as rows of (text, target).

    inline_only: an edit, which can only carry an inline keyboard.
    """
    if raw is None:
        return None, ()
    if not isinstance(raw, dict):
        raise bad_request("object expected as reply markup")
    if inline_only and (
        raw.get("keyboard") or raw.get("remove_keyboard") or raw.get("force_reply")
    ):
        raise bad_request("inline keyboard expected")
    if raw.get("keyboard"):
        _check_reply_keyboard(raw["keyboard"])
    elif raw.get("inline_keyboard"):
        return _inline_keyboard(raw["inline_keyboard"], raw)
    elif not (raw.get("remove_keyboard") or raw.get("force_reply")):
        return None, ()  # Telegram ignores a markup that asks for nothing
    _check_placeholder(raw.get("input_field_placeholder"))
    return raw, ()


def _inline_keyboard(rows: Any, raw: dict[str, Any]) -> Markup:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    parsed = tuple(tuple(inline_button(button) for button in row) for row in rows)
    if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    for number, row in enumerate(rows, start=1):
        if len(row) > MAX_INLINE_ROW:
            raise stricter(
                f"inline keyboard row {number} has {len(row)} buttons, at most {MAX_INLINE_ROW} fit"
            )
    return (raw, parsed) if any(parsed) else (None, ())


def inline_button(button: Any) -> Button:
    """One inline button as (text, callback_data or url), validated like Telegram."""
    if not isinstance(button, dict):
        raise bad_request(_INLINE + "InlineKeyboardButton must be an Object")
    text = _button_text(button, _INLINE)
    if not text:
        raise stricter(_INLINE + "inline keyboard button text must be non-empty")
    url = button.get("url")
    if url:
        if not isinstance(url, str) or not _BUTTON_URL.fullmatch(url):
            raise bad_request("BUTTON_URL_INVALID")
        return text, url
    if "web_app" in button:
        return text, web_app_url(button["web_app"])
    data = button.get("callback_data")
    if data:
        if not isinstance(data, str) or len(data.encode("utf-8")) > MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
        return text, data
    if not _ACTION_KEYS & button.keys():
        raise bad_request(_INLINE + "Text buttons are unallowed in the inline keyboard")
    return text, ""


def web_app_url(web_app: Any) -> str:
    """A Mini App button's address (inline or menu); Telegram opens only https Mini Apps."""
    if not isinstance(web_app, dict) or not isinstance(web_app.get("url"), str):
        raise bad_request(_INLINE + 'Field "url" must be of type String')
    url = web_app["url"]
    if not url.lower().startswith("https://") or not _BUTTON_URL.fullmatch(url):
        raise bad_request(
            f"inline keyboard button Web App URL '{url}' is invalid: Only HTTPS links are allowed"
        )
    return str(url)


def _check_reply_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "keyboard" must be an Array of Arrays')
    for number, row in enumerate(rows, start=1):
        for button in row:
            if isinstance(button, dict):
                text = _button_text(button, _REPLY)
            elif isinstance(button, str):
                text = button
            else:
                raise bad_request(_REPLY + "KeyboardButton must be a String or an Object")
            if not text:
                raise stricter(_REPLY + "keyboard button text must be non-empty")
        if len(row) > MAX_REPLY_ROW:
            raise stricter(
                f"keyboard row {number} has {len(row)} buttons, at most {MAX_REPLY_ROW} fit"
            )
    total = sum(len(row) for row in rows)
    if total > MAX_REPLY_BUTTONS:
        raise stricter(f"the keyboard has {total} buttons, at most {MAX_REPLY_BUTTONS} fit")


def _button_text(button: dict[str, Any], prefix: str) -> str:
    if "text" not in button:
        raise bad_request(prefix + 'Can\'t find field "text"')
    text = button["text"]
    if isinstance(text, int | float) and not isinstance(text, bool):
        return str(text)  # Telegram reads numbers as their text
    if not isinstance(text, str):
        raise bad_request(prefix + 'Field "text" must be of type String')
    return text


def _check_placeholder(placeholder: Any) -> None:
    if placeholder is None:
        return
    if not isinstance(placeholder, str):
        raise bad_request('field "input_field_placeholder" must be of type String')
    if utf16_len(placeholder) > MAX_PLACEHOLDER:
        raise stricter(
            f"input_field_placeholder has {utf16_len(placeholder)} characters, "
            f"at most {MAX_PLACEHOLDER} are allowed"
        )
